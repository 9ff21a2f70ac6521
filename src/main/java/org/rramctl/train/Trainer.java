package org.rramctl.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.rramctl.data.Digits;
import org.rramctl.data.MnistDataset;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.EnvelopedDriver;

/**
 * The training loop: for each epoch, the training samples in a fresh seeded order, one SGD step each at the
 * schedule's rate, then the test set; metrics appended to {@code metrics.jsonl} (flushed per line) and a
 * checkpoint written atomically. {@link #resume(Path)} continues from a checkpoint so that the finished run
 * equals the uninterrupted one (floating point exactly; analog when the board restores its device state).
 *
 * <p>The sample order of epoch e depends only on the generator state at its start (identity order, then a
 * Fisher-Yates shuffle). Single-threaded; the driver, if any, is used from the calling thread only.
 */
public final class Trainer {
  /** Progress callbacks (the CLI draws a progress bar; tests pass {@link #QUIET}). */
  public interface Listener {
    default void epochStarted(int epoch, int samples) {}

    /** Called every {@link #PROGRESS_STRIDE} samples with the number done so far in the epoch. */
    default void progress(int done) {}

    default void epochFinished(EpochMetrics m) {}
  }

  public static final Listener QUIET = new Listener() {};

  /** Work done between training steps on the same thread (e.g. {@link Recheck}); part of the epoch it falls in. */
  public interface StepHook {
    /**
     * @param epoch the epoch being trained (1-based)
     * @param sample training samples done in the whole run so far, this one included (1-based, the same on a resumed run)
     */
    void afterStep(int epoch, long sample) throws IOException;
  }

  public static final int PROGRESS_STRIDE = 256;

  private final Network network;
  private final MnistDataset data;
  private final TrainSettings settings;
  private final Rng shuffleRng;
  private final CrossbarDriver driver;
  private final List<EpochMetrics> metrics = new ArrayList<>();
  private int epochsDone;
  private StepHook stepHook;

  /**
   * @param driver the board holding analog layers, or null for a floating-point network
   * @throws IllegalArgumentException when the network's input size does not match the data
   */
  public Trainer(Network network, MnistDataset data, TrainSettings settings, Rng shuffleRng, CrossbarDriver driver) {
    if (network.sizes()[0] != data.inputSize()) {
      throw new IllegalArgumentException("layers: " + Network.format(network.sizes()) + " (expected: input size " + data.inputSize()
          + " for " + data.train() + ")");
    }
    this.network = network;
    this.data = data;
    this.settings = settings;
    this.shuffleRng = shuffleRng;
    this.driver = driver;
  }

  /** Calls {@code hook} after every training step (null: none). */
  public void onStep(StepHook hook) {
    this.stepHook = hook;
  }

  public Network network() {
    return network;
  }

  public List<EpochMetrics> metrics() {
    return List.copyOf(metrics);
  }

  public int epochsDone() {
    return epochsDone;
  }

  /** Trains the remaining epochs up to {@link TrainSettings#epochs()}; returns the metrics of all epochs. */
  public List<EpochMetrics> run(Listener listener) throws IOException {
    if (settings.outDir() != null) {
      Files.createDirectories(settings.outDir());
      // a fresh run starts a fresh metrics file; a resumed one has it rewritten by resume()
      if (epochsDone == 0) Files.deleteIfExists(settings.metricsFile());
    }
    Digits train = data.train();
    int[] order = new int[train.count()];
    double[] x = new double[data.inputSize()];
    for (int epoch = epochsDone + 1; epoch <= settings.epochs(); epoch++) {
      double lr = settings.schedule().rate(epoch);
      long pulses0 = pulses();
      long t0 = System.nanoTime();
      for (int k = 0; k < order.length; k++) order[k] = k;
      shuffleRng.shuffle(order);
      listener.epochStarted(epoch, order.length);
      double lossSum = 0;
      int correct = 0;
      for (int k = 0; k < order.length; k++) {
        int i = order[k];
        train.input(i, x);
        int label = train.label(i);
        lossSum += network.trainStep(x, label, lr);
        if (network.lastPrediction() == label) correct++;
        if (stepHook != null) stepHook.afterStep(epoch, (long) (epoch - 1) * order.length + k + 1);
        if ((k + 1) % PROGRESS_STRIDE == 0) listener.progress(k + 1);
      }
      listener.progress(order.length);
      long t1 = System.nanoTime();
      double testAccuracy = accuracy(data.test(), x);
      long t2 = System.nanoTime();
      EpochMetrics m = new EpochMetrics(epoch, lr, lossSum / order.length, (double) correct / order.length, testAccuracy,
          (t2 - t0) / 1e9, order.length / ((t1 - t0) / 1e9), pulses() - pulses0);
      metrics.add(m);
      epochsDone = epoch;
      if (settings.outDir() != null) {
        writeCheckpoint();
        appendMetrics(m);
      }
      listener.epochFinished(m);
    }
    return metrics();
  }

  /** Fraction of {@code set} the network classifies correctly. */
  public double accuracy(Digits set, double[] buffer) throws IOException {
    int correct = 0;
    for (int i = 0; i < set.count(); i++) {
      set.input(i, buffer);
      if (network.forward(buffer) == set.label(i)) correct++;
    }
    return (double) correct / set.count();
  }

  private long pulses() throws IOException {
    return driver == null ? 0 : driver.status().pulsesApplied();
  }

  private void appendMetrics(EpochMetrics m) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(settings.metricsFile(), StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
      w.write(Checkpoint.json().writeValueAsString(m));
      w.write('\n');
    }
  }

  /** The store that can save the board's device state, or null. */
  private DeviceStateStore deviceStore() {
    if (driver instanceof DeviceStateStore s) return s;
    if (driver instanceof EnvelopedDriver e && e.inner() instanceof DeviceStateStore s) return s;
    return driver == null ? null : EmulatorStateStore.forDriver(driver);
  }

  private boolean analog() {
    for (LayerWeights l : network.layers()) if (l instanceof AnalogLayer || l instanceof TikiTakaLayer) return true;
    return false;
  }

  private void writeCheckpoint() throws IOException {
    List<long[]> rngs = new ArrayList<>();
    List<byte[]> weights = new ArrayList<>();
    List<long[]> transfers = new ArrayList<>();
    for (LayerWeights l : network.layers()) {
      if (l instanceof FloatLayer f) weights.add(Checkpoint.pack(f.weights()));
      else if (l instanceof AnalogLayer a) rngs.add(a.rngState());
      else if (l instanceof TikiTakaLayer t) {
        rngs.addAll(t.rngStates());
        transfers.add(t.transferState());
      } else throw new IllegalStateException("layer " + l + ": cannot checkpoint (expected: FloatLayer or AnalogLayer)");
    }
    String deviceFile = null;
    DeviceStateStore store = deviceStore();
    Path previousDevice = null;
    if (analog() && store != null) {
      deviceFile = "device-epoch-" + epochsDone + ".state";
      Path tmp = settings.outDir().resolve(deviceFile + ".tmp");
      store.saveDeviceState(tmp);
      Checkpoint.moveAtomically(tmp, settings.outDir().resolve(deviceFile));
      if (Files.exists(settings.checkpointFile())) {
        String old = Checkpoint.read(settings.checkpointFile()).deviceStateFile();
        if (old != null && !old.equals(deviceFile)) {
          previousDevice = Checkpoint.inside(settings.outDir(), old, settings.checkpointFile(), "deviceStateFile");
        }
      }
    }
    new Checkpoint(Checkpoint.FORMAT, Network.format(network.sizes()), analog(), epochsDone, shuffleRng.state(), rngs, weights,
        deviceFile, metrics, transfers).write(settings.checkpointFile());
    if (previousDevice != null) Files.deleteIfExists(previousDevice);
  }

  /**
   * Continues from a checkpoint: restores the weights (or the board's device state), every generator, the
   * epoch count and the metrics, and rewrites {@code metrics.jsonl} from them so it holds exactly the
   * completed epochs.
   *
   * @throws IOException for an unreadable checkpoint
   * @throws IllegalStateException when the checkpoint belongs to another network, or an analog run's board
   *     cannot restore its devices
   */
  public void resume(Path checkpointFile) throws IOException {
    Checkpoint c = Checkpoint.read(checkpointFile);
    String here = Network.format(network.sizes());
    if (!here.equals(c.layers()) || c.analog() != analog()) {
      throw new IllegalStateException(checkpointFile + ": a " + (c.analog() ? "analog " : "floating-point ") + c.layers()
          + " run (expected: " + (analog() ? "analog " : "floating-point ") + here + ", as configured now)");
    }
    int floats = 0;
    int analogs = 0;
    int tikiTakas = 0;
    for (LayerWeights l : network.layers()) {
      if (l instanceof FloatLayer) floats++;
      else if (l instanceof AnalogLayer) analogs++;
      else if (l instanceof TikiTakaLayer) {
        analogs += 2;
        tikiTakas++;
      }
    }
    int transferCount = c.transferStates() == null ? 0 : c.transferStates().size();
    if (transferCount != tikiTakas) {
      throw new IllegalStateException(checkpointFile + ": " + transferCount + " Tiki-Taka transfer states (expected: " + tikiTakas
          + ", one per Tiki-Taka layer as configured now)");
    }
    int metricsCount = c.metrics() == null ? -1 : c.metrics().size();
    if (c.epochsDone() < 1 || c.epochsDone() != metricsCount) {
      throw new IllegalArgumentException(checkpointFile + ": epochsDone: " + c.epochsDone() + " with " + metricsCount
          + " epochs of metrics (expected: >= 1 and one metrics entry per epoch done)");
    }
    if (c.weights() == null || c.weights().size() != floats || c.layerRngs() == null || c.layerRngs().size() != analogs || c.shuffleRng() == null) {
      throw new IllegalArgumentException(checkpointFile + ": " + (c.weights() == null ? 0 : c.weights().size()) + " weight arrays and "
          + (c.layerRngs() == null ? 0 : c.layerRngs().size()) + " generator states (expected: " + floats + " and " + analogs + ", one per layer, and a sample-order state)");
    }
    if (c.epochsDone() >= settings.epochs()) {
      throw new IllegalArgumentException("--epochs: " + settings.epochs() + " (expected: more than the " + c.epochsDone() + " epochs " + checkpointFile
          + " has done; nothing would be trained)");
    }
    int fi = 0;
    int ai = 0;
    int ti = 0;
    for (LayerWeights l : network.layers()) {
      if (l instanceof FloatLayer f) f.setWeights(Checkpoint.unpack(c.weights().get(fi++)));
      else if (l instanceof AnalogLayer a) a.restoreRng(c.layerRngs().get(ai++));
      else if (l instanceof TikiTakaLayer t) {
        t.a().restoreRng(c.layerRngs().get(ai++));
        t.c().restoreRng(c.layerRngs().get(ai++));
        t.restoreTransferState(c.transferStates().get(ti++));
      }
    }
    if (c.analog()) {
      DeviceStateStore store = deviceStore();
      if (c.deviceStateFile() == null || store == null) {
        throw new IllegalStateException(checkpointFile + ": cannot resume an analog run on board "
            + (driver == null ? "(none)" : driver.info().boardId()) + " (expected: a driver that restores device state, e.g. the emulator;"
            + " a lab board's devices cannot be put back)");
      }
      Path folder = checkpointFile.toAbsolutePath().getParent();
      store.restoreDeviceState(Checkpoint.inside(folder, c.deviceStateFile(), checkpointFile, "deviceStateFile"));
    }
    shuffleRng.setState(c.shuffleRng());
    metrics.clear();
    metrics.addAll(c.metrics());
    epochsDone = c.epochsDone();
    if (settings.outDir() != null) {
      Files.createDirectories(settings.outDir());
      Path tmp = settings.metricsFile().resolveSibling("metrics.jsonl.tmp");
      StringBuilder b = new StringBuilder();
      for (EpochMetrics m : metrics) b.append(Checkpoint.json().writeValueAsString(m)).append('\n');
      Files.writeString(tmp, b.toString(), StandardCharsets.UTF_8);
      Checkpoint.moveAtomically(tmp, settings.metricsFile());
    }
  }
}
