package org.rramctl.train;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.rramctl.calibration.CalibrationRecord;
import org.rramctl.calibration.CalibrationRecords;
import org.rramctl.calibration.CalibrationSettings;
import org.rramctl.calibration.Monitor;
import org.rramctl.data.MnistDataset;
import org.rramctl.driver.Boards;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.journal.RunLock;

/**
 * One training run from start to end, shared by {@code rramctl train} and the experiments: opens the board,
 * puts the references where the {@link ReferenceScheme} wants them (calibrating first when zero-shifting
 * without a record), initialises and trains the network, closes the board.
 *
 * <p>Files in {@link TrainSettings#outDir()}: besides the trainer's {@code metrics.jsonl} and checkpoint, an
 * analog run writes {@code references.json} (scheme, source, programming outcome) and, when it calibrated
 * first, {@code calibration.json}, each atomically. A resumed analog run takes its devices, references included,
 * from the checkpoint, so neither calibration nor reference programming is repeated; it is refused when
 * {@code references.json} names another scheme or programming error than asked for now.
 *
 * <p>Random streams are split off the seed in a fixed order (initial weights, sample order, pulse streams,
 * reference programming error), so a run without reference error is unchanged by the last one.
 *
 * @param sizes layer sizes, input to output
 * @param data training and test digits (input size {@code sizes[0]})
 * @param train epochs, schedule and output folder
 * @param seed seed of every random choice of the run (not of the board: that is part of its URI)
 * @param board board URI, or null for the floating-point baseline
 * @param analog how the network sits on the board (ignored for floating point)
 * @param floatInitScale initial weight scale of the floating-point network, U(+-s/sqrt(fan_in))
 * @param scheme what the reference devices hold (ignored for floating point)
 * @param calibration zero-shifted only: a calibration record of this board to take the symmetry points from;
 *     null calibrates first
 * @param refErrorStd deliberate reference programming error, std as a fraction of the conductance window, 0..0.5
 * @param envelope the board's envelope ({@code --envelope}), or null for its default
 * @param recheck zero-shifted only: re-check a sample of symmetry points during training ({@link Recheck}), or null
 * @param tikiTaka train by Tiki-Taka ({@link TikiTakaLayer}: an A and a C block per layer, all references at their
 *     symmetry points, so zero-shifted only), or null for SGD on one block per layer
 */
public record TrainingRun(int[] sizes, MnistDataset data, TrainSettings train, long seed, String board, AnalogSettings analog,
    double floatInitScale, ReferenceScheme scheme, Path calibration, double refErrorStd, SafetyEnvelope envelope, Recheck.Settings recheck,
    TikiTakaSettings tikiTaka) {
  /** The references file in the output folder. */
  public static final String REFERENCES_FILE = "references.json";
  /** The record an analog zero-shifted run writes when it calibrated first. */
  public static final String CALIBRATION_FILE = "calibration.json";
  /** What write-verify initialisation achieved per layer (a JSON list of {@link AnalogLayer.InitOutcome}). */
  public static final String INIT_FILE = "init.json";
  /** The output folder's lock file, held for the run's whole life: one training run per folder. */
  public static final String LOCK_FILE = ".rramctl.lock";

  public TrainingRun {
    Network.checkSizes(sizes);
    sizes = sizes.clone();
    if (data == null) throw new IllegalArgumentException("data: null");
    if (train == null) throw new IllegalArgumentException("train: null");
    if (sizes[0] != data.inputSize()) {
      throw new IllegalArgumentException("layers: " + Network.format(sizes) + " (expected: input size " + data.inputSize() + " for " + data.train() + ")");
    }
    if (board != null && analog == null) throw new IllegalArgumentException("analog: null (expected: settings for board " + board + ")");
    if (board != null && scheme == null) throw new IllegalArgumentException("scheme: null (expected: conventional or zero-shifted for board " + board + ")");
    if (!(floatInitScale >= 0 && floatInitScale < 100)) throw new IllegalArgumentException("floatInitScale: " + floatInitScale + " (expected: 0..100)");
    if (!(refErrorStd >= 0 && refErrorStd <= 0.5)) {
      throw new IllegalArgumentException("--ref-error-std: " + refErrorStd + " (expected: 0 .. 0.5, a fraction of the conductance window)");
    }
    if (recheck != null && tikiTaka != null) {
      throw new IllegalArgumentException("--recheck-every: " + recheck.everySamples() + " with Tiki-Taka (expected: SGD on zero-shifted references; re-checks cover the SGD layers' devices)");
    }
    if (recheck != null && scheme != ReferenceScheme.ZERO_SHIFTED) {
      throw new IllegalArgumentException("--recheck-every: " + recheck.everySamples() + " with the " + (scheme == null ? "floating-point" : scheme.label())
          + " scheme (expected: only with --zero-shift on a board: it re-measures symmetry points)");
    }
    if (tikiTaka != null && (board == null || scheme != ReferenceScheme.ZERO_SHIFTED)) {
      throw new IllegalArgumentException("--algorithm: tiki-taka " + (board == null ? "without a board" : "with " + scheme.label() + " references")
          + " (expected: a board, with zero-shifted references: A's references at its symmetry points)");
    }
    if (calibration != null && scheme != ReferenceScheme.ZERO_SHIFTED) {
      throw new IllegalArgumentException("--calibration: " + calibration + " with the " + (scheme == null ? "floating-point" : scheme.label())
          + " scheme (expected: only with --zero-shift on a board)");
    }
  }

  /** An SGD run without re-checks. */
  public TrainingRun(int[] sizes, MnistDataset data, TrainSettings train, long seed, String board, AnalogSettings analog,
      double floatInitScale, ReferenceScheme scheme, Path calibration, double refErrorStd, SafetyEnvelope envelope) {
    this(sizes, data, train, seed, board, analog, floatInitScale, scheme, calibration, refErrorStd, envelope, null, null);
  }

  /** The same run with re-checks of the symmetry points during training (null: none). */
  public TrainingRun withRecheck(Recheck.Settings r) {
    return new TrainingRun(sizes, data, train, seed, board, analog, floatInitScale, scheme, calibration, refErrorStd, envelope, r, tikiTaka);
  }

  /** The same run trained by Tiki-Taka (null: SGD). */
  public TrainingRun withTikiTaka(TikiTakaSettings tt) {
    return new TrainingRun(sizes, data, train, seed, board, analog, floatInitScale, scheme, calibration, refErrorStd, envelope, recheck, tt);
  }

  /** A run on the board's default envelope. */
  public TrainingRun(int[] sizes, MnistDataset data, TrainSettings train, long seed, String board, AnalogSettings analog,
      double floatInitScale, ReferenceScheme scheme, Path calibration, double refErrorStd) {
    this(sizes, data, train, seed, board, analog, floatInitScale, scheme, calibration, refErrorStd, null, null, null);
  }

  /** "sgd" or "tiki-taka", as in {@code references.json}. */
  public String algorithm() {
    return tikiTaka == null ? "sgd" : "tiki-taka";
  }

  @Override
  public int[] sizes() {
    return sizes.clone();
  }

  /** What the run is, in a few words: "floating point" or "board ID, zero-shifted references". */
  public String describeMode(String boardId) {
    return board == null ? "floating point" : "board " + boardId + ", " + scheme.label() + " references" + (tikiTaka == null ? "" : ", " + tikiTaka.describe());
  }

  /** What the references file holds; the resume check compares {@code scheme} and {@code refErrorStd}. */
  public record ReferenceSetup(String scheme, double refErrorStd, References.Outcome outcome, double calibrationSeconds, double programmingSeconds, String algorithm) {}

  /**
   * Runs (or, with {@code resume}, continues) the training and returns the trainer, holding the metrics.
   *
   * @param log receives a few lines about the setup (calibration, references, resume); epoch lines go to {@code listener}
   * @throws IllegalArgumentException for a fresh run into an output folder that holds a checkpoint, a resume
   *     without one, a calibration record of another board, or a resume with another reference scheme
   * @throws org.rramctl.journal.RunLock.LockedException when another run (in any process) uses the output folder
   */
  public Trainer run(boolean resume, Trainer.Listener listener, PrintWriter log) throws IOException {
    Path out = train.outDir();
    // Taken before the folder is looked at, held until the run ends (the kernel drops it if the process dies).
    try (RunLock lock = out == null ? null : RunLock.acquire(out.resolve(LOCK_FILE), "--out " + out)) {
      return runLocked(resume, listener, log);
    }
  }

  private Trainer runLocked(boolean resume, Trainer.Listener listener, PrintWriter log) throws IOException {
    Path out = train.outDir();
    if (out != null && !resume && Files.exists(train.checkpointFile())) {
      throw new IllegalArgumentException("--out: " + out + " holds the checkpoint of an earlier run (expected: --resume to continue it, or another --out)");
    }
    if (resume && (out == null || !Files.exists(train.checkpointFile()))) {
      throw new IllegalArgumentException("--resume: " + train.checkpointFile() + " does not exist (expected: the checkpoint of an earlier run in --out " + out + ")");
    }
    Rng root = Rng.seeded(seed);
    Rng initRng = root.split();
    Rng shuffleRng = root.split();
    Rng updateRng = root.split();
    Rng refRng = root.split();
    org.rramctl.driver.EnvelopedDriver driver = null;
    org.rramctl.cli.InterruptAbort onCtrlC = null;
    try {
      Network net;
      if (board == null) {
        net = Network.floating(sizes, floatInitScale, initRng);
      } else {
        driver = Boards.open(board, envelope);
        // Ctrl-C: ABORT at once on the board's link, and nothing more sent (references, training, tests).
        onCtrlC = org.rramctl.cli.InterruptAbort.install(driver, new PrintWriter(System.err, true));
        AnalogLayer.Resolved r = AnalogLayer.resolve(driver, analog);
        log.printf(Locale.ROOT, "%s, period %s%n", org.rramctl.procedure.BoardDefaults.describe(r.up().amplitudeVolts(), r.up().widthNanos(), r.readVolts(),
            analog.up() != null ? "pulse as given" : org.rramctl.procedure.BoardDefaults.of(driver).origin()),
            org.rramctl.driver.Durations.format(r.up().periodNanos()));
        TileLayout layout = tikiTaka == null ? TileLayout.plan(driver.info(), sizes, true) : TikiTakaLayer.plan(driver.info(), sizes);
        if (resume) checkReferenceSetup(out.resolve(REFERENCES_FILE));
        else setUpReferences(driver, r, layout, refRng, log);
        net = Network.of(sizes, tikiTaka == null ? AnalogLayer.factory(driver, sizes, analog, initRng, updateRng, !resume)
            : TikiTakaLayer.factory(driver, sizes, analog, tikiTaka, initRng, updateRng, !resume));
        if (!resume) reportInit(net, log);
      }
      Trainer trainer = new Trainer(net, data, train, shuffleRng, driver);
      Recheck rc = null;
      if (recheck != null && driver != null) {
        AnalogLayer.Resolved r = AnalogLayer.resolve(driver, analog);
        TileLayout planned = tikiTaka == null ? TileLayout.plan(driver.info(), sizes, true) : TikiTakaLayer.plan(driver.info(), sizes);
        rc = new Recheck(driver, References.tiles(planned), References.calibrationSettings(driver.info(), r.up()),
            analog.dwMin() * r.gUnit(), recheck, seed, out, log);
        trainer.onStep(rc);
      }
      if (resume) {
        trainer.resume(train.checkpointFile());
        if (rc != null) rc.resume(trainer.epochsDone());
        log.printf(Locale.ROOT, "resuming after epoch %d from %s%n", trainer.epochsDone(), train.checkpointFile());
      } else if (rc != null) {
        rc.fresh();
      }
      log.printf(Locale.ROOT, "training %s on %s, %s, %d epochs, seed %d -> %s%n", Network.format(sizes), data.train(),
          describeMode(driver == null ? null : driver.info().boardId()), train.epochs(), seed, out);
      log.flush();
      trainer.run(listener);
      return trainer;
    } finally {
      if (onCtrlC != null) onCtrlC.close();
      if (driver != null) driver.close();
    }
  }

  /** Logs each layer's write-verify initialisation and writes them to {@link #INIT_FILE} (nothing for the pulse walk). */
  private void reportInit(Network net, PrintWriter log) throws IOException {
    List<AnalogLayer.InitOutcome> outcomes = new java.util.ArrayList<>();
    for (LayerWeights l : net.layers()) {
      AnalogLayer held = l instanceof TikiTakaLayer t ? t.c() : l instanceof AnalogLayer a ? a : null;
      if (held != null && held.initOutcome() != null) outcomes.add(held.initOutcome());
    }
    if (outcomes.isEmpty()) return;
    for (AnalogLayer.InitOutcome o : outcomes) log.println(o.describe());
    log.flush();
    if (train.outDir() != null) {
      Files.createDirectories(train.outDir());
      Checkpoint.writeChecked(train.outDir().resolve(INIT_FILE), Checkpoint.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(new InitReport(outcomes)));
    }
  }

  /** The contents of {@link #INIT_FILE}: one outcome per analog layer initialised by write-verify. */
  public record InitReport(List<AnalogLayer.InitOutcome> layers) {}

  /** The write-verify initialisation outcomes a run wrote into {@code dir}, or an empty list when it wrote none. */
  public static List<AnalogLayer.InitOutcome> readInit(Path dir) throws IOException {
    Path f = dir.resolve(INIT_FILE);
    if (!Files.exists(f)) return List.of();
    return List.copyOf(Checkpoint.json().readValue(Checkpoint.readChecked(f), InitReport.class).layers());
  }

  private void setUpReferences(CrossbarDriver driver, AnalogLayer.Resolved r, TileLayout layout, Rng refRng, PrintWriter log) throws IOException {
    List<org.rramctl.driver.Tile> tiles = References.tiles(layout);
    CalibrationSettings cs = References.calibrationSettings(driver.info(), r.up());
    // One nominal pulse moves a device by about dwMin weight units, i.e. dwMin * gUnit siemens.
    double step = analog.dwMin() * r.gUnit();
    long t0 = System.nanoTime();
    CalibrationRecord record = null;
    String source = "mid-range";
    if (scheme == ReferenceScheme.ZERO_SHIFTED) {
      if (calibration != null) {
        record = CalibrationRecords.read(calibration);
        CalibrationRecords.checkUsable(record, driver.info(), calibration.toString());
        source = calibration.toString();
        // After a calibration the active devices sit at their symmetry points; bring them there again so
        // that the run starts from W = G - G_ref near zero, as it does when it calibrates itself.
        References.settleActive(driver, tiles, r.up(), r.down());
      } else {
        log.printf(Locale.ROOT, "calibrating %d tile(s) of board %s first (array-parallel symmetry-point search)%n", tiles.size(), driver.info().boardId());
        log.flush();
        record = References.calibrate(driver, tiles, cs, Monitor.NONE);
        source = "calibrated first";
        if (train.outDir() != null) CalibrationRecords.write(record, train.outDir().resolve(CALIBRATION_FILE));
        if (!record.complete()) throw new IOException("calibration of board " + driver.info().boardId() + " stopped before it finished (expected: a complete record)");
      }
    }
    long t1 = System.nanoTime();
    References.Outcome o = References.program(driver, tiles, scheme, record, source, refErrorStd, refRng, cs, step);
    long t2 = System.nanoTime();
    log.printf(Locale.ROOT, "%s; %.1f s calibrating, %.1f s programming%n", o.describe(), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    log.flush();
    checkProgrammed(o);
    if (train.outDir() != null) {
      Files.createDirectories(train.outDir());
      Checkpoint.writeChecked(train.outDir().resolve(REFERENCES_FILE), Checkpoint.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(
          new ReferenceSetup(scheme.label(), refErrorStd, o, (t1 - t0) / 1e9, (t2 - t1) / 1e9, algorithm())));
    }
  }

  /** Largest fraction of the references given a target that may miss its tolerance before a run is refused. */
  static final double MAX_MISSED_FRACTION = 0.05;
  /** Largest RMS reference error, as a fraction of the window (DESIGN.md section 3: training degrades past 5 %). */
  static final double MAX_RMS_ERROR_FRACTION = 0.05;

  /**
   * Refuses to train on references that could not be programmed: a zero-shifted run whose targets (from a record
   * or its own calibration) more than {@link #MAX_MISSED_FRACTION} of the references missed, or whose RMS error
   * exceeds {@link #MAX_RMS_ERROR_FRACTION} of the window, would report an accuracy for a scheme it never had.
   */
  private void checkProgrammed(References.Outcome o) throws IOException {
    if (scheme != ReferenceScheme.ZERO_SHIFTED || refErrorStd > 0) return; // a deliberate error study judges itself
    long targeted = o.devices() - o.fallbacks();
    long missed = targeted - o.reached();
    if (missed > MAX_MISSED_FRACTION * targeted || o.rmsErrorFraction() > MAX_RMS_ERROR_FRACTION) {
      throw new IOException(String.format(Locale.ROOT, "references from %s: %d of %d not programmed within tolerance, RMS error %.2f %% of the window"
          + " (expected: at most %.0f %% missed and %.0f %% RMS; the record's symmetry points are not ones this board's references can hold)",
          o.source(), missed, targeted, 100 * o.rmsErrorFraction(), 100 * MAX_MISSED_FRACTION, 100 * MAX_RMS_ERROR_FRACTION));
    }
  }

  private void checkReferenceSetup(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("--resume: " + file + " does not exist (expected: the reference setup an analog run writes next to its checkpoint)");
    }
    com.fasterxml.jackson.databind.JsonNode tree;
    try {
      tree = Checkpoint.json().readTree(Checkpoint.readChecked(file));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": not a readable reference setup (" + e.getOriginalMessage() + ")");
    }
    String was = tree.path("scheme").asText();
    double err = tree.path("refErrorStd").asDouble(Double.NaN);
    String alg = tree.path("algorithm").asText("sgd");
    if (!scheme.label().equals(was) || err != refErrorStd || !algorithm().equals(alg)) {
      throw new IllegalArgumentException("--resume: " + file + " holds a " + was + " " + alg + " run with reference error std " + err
          + " (expected: " + scheme.label() + " " + algorithm() + " with " + refErrorStd + ", as asked for now)");
    }
  }
}
