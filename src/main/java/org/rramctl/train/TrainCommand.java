package org.rramctl.train;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.rramctl.data.MnistDataset;
import org.rramctl.driver.Pulse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code rramctl train}: trains the MNIST network, in floating point (no {@code --board}) or on a board's
 * arrays ({@code --board sim:...}, {@code --board serial:PORT}), with conventional (mid-range) or zero-shifted
 * ({@code --zero-shift}) references ({@link TrainingRun}). Epoch lines go to standard output, the progress bar to
 * standard error; files go to {@code --out}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train a fully connected MNIST network (sigmoid hidden layers, softmax output, SGD batch 1),",
        "in floating point or on a board's arrays with stochastic pulse updates (DESIGN.md section 4)."})
public final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--layers", paramLabel = "SIZES", description = "Layer sizes, input to output (default: 784-256-128-10, input size following --side).")
  String layers;

  @Option(names = "--side", defaultValue = "28", description = "Input resolution: 28, 14 or 7 (average pooling). Default: ${DEFAULT-VALUE}.")
  int side;

  @Option(names = "--data", paramLabel = "DIR", description = "Folder with train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]. Default: the vendored 10,000 digits (8,000 train, 2,000 test).")
  Path data;

  @Option(names = "--epochs", defaultValue = "30", description = "Epochs. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--lr", defaultValue = "0.01", description = "Initial learning rate. Default: ${DEFAULT-VALUE}.")
  double lr;

  @Option(names = "--halve-every", defaultValue = "10", paramLabel = "EPOCHS", description = "Halve the learning rate every this many epochs. Default: ${DEFAULT-VALUE}.")
  int halveEvery;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of every random choice (initial weights, sample order, pulse streams). Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--board", paramLabel = "URI", description = "Train on this board's arrays (e.g. sim:..., serial:PORT). Without it: the floating-point baseline.")
  String board;

  @Option(names = "--envelope", paramLabel = "FILE",
      description = "Board profile JSON with the safety envelope (never wider than the board's limits). Default: the board's default envelope.")
  Path envelope;

  @Option(names = "--out", defaultValue = "runs/train", paramLabel = "DIR", description = "Folder for metrics.jsonl and checkpoint.json. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--resume", description = "Continue from DIR/checkpoint.json.")
  boolean resume;

  @Option(names = "--init-scale", description = "Initial weights spread like U(+-s/sqrt(fan_in)). Default: 1 in floating point, 3 on a board.")
  Double initScale;

  @Option(names = "--init", defaultValue = "write-verify", paramLabel = "METHOD",
      description = "On a board: write-verify (weights drawn from the seed, each device written against its reference) or pulse-walk. Default: ${DEFAULT-VALUE}.")
  String init;

  @Option(names = "--algorithm", defaultValue = "sgd", paramLabel = "NAME",
      description = {"On a board: sgd (the stochastic pulse update on one block per layer) or tiki-taka (Gokmen and Haensch 2019: the gradient into an A block",
          "per layer, its columns transferred into a C block holding the weights; needs two blocks per layer, e.g. geometry=785x256,257x128,129x10,785x256,257x128,129x10,",
          "and implies --zero-shift). Default: ${DEFAULT-VALUE}."})
  String algorithm;

  @picocli.CommandLine.Mixin TikiTakaOptions tikiTakaOptions = new TikiTakaOptions();

  @Option(names = "--bl", defaultValue = "31", description = "Bit length of the stochastic update, 1..63. Default: ${DEFAULT-VALUE}.")
  int bitLength;

  @Option(names = "--dw-min", defaultValue = "0.001", description = "Nominal weight step of one pulse, weight units. Default: ${DEFAULT-VALUE}.")
  double dwMin;

  @Option(names = "--g-unit", paramLabel = "SIEMENS", description = "Conductance read as weight 1. Default: (gMax - gMin) / 2 of the board.")
  Double gUnit;

  @Option(names = "--read-volts", paramLabel = "VOLTS", description = "Largest read voltage of forward/transpose reads. Default: the envelope's maximum.")
  Double readVolts;

  @Option(names = "--pulse-volts", paramLabel = "VOLTS", description = "Programming pulse amplitude (both polarities). Default: the board's nominal pulse, else 1.0 V / 100ns moved into its limits (printed at start).")
  Double pulseVolts;

  @Option(names = "--pulse-width", paramLabel = "DURATION", description = "Programming pulse width, e.g. 100ns or 1us (period: --pulse-period). Default: the board's nominal pulse, else 1.0 V / 100ns moved into its limits (printed at start).")
  String pulseWidth;

  @Option(names = "--pulse-period", paramLabel = "DURATION", description = "Time from one pulse's start to the next in a train, with --pulse-width. Default: twice the width, or longer where the board's (or envelope's) maximum pulse rate needs it.")
  String pulsePeriod;

  @Option(names = "--no-update-management", negatable = false, description = "Do not balance the row and column pulse probabilities.")
  boolean noUpdateManagement;

  @Option(names = "--no-bl-management", negatable = false, description = "Always use the full bit length.")
  boolean noBlManagement;

  @Option(names = "--no-progress", description = "No progress bar.")
  boolean noProgress;

  @Option(names = "--zero-shift", description = "Zero-shifting: reference devices at each device's symmetry point (from --calibration, or calibrated first). Without it: references write-verified to mid-range (conventional).")
  boolean zeroShift;

  @Option(names = "--calibration", paramLabel = "FILE", description = "With --zero-shift: the calibration record of this board to take the symmetry points from (refused when its board id or geometry differs). Default: calibrate first.")
  Path calibration;

  @Option(names = "--ref-error-std", defaultValue = "0", paramLabel = "FRACTION", description = "Program each reference to its target + N(0, sigma), sigma this fraction of the conductance window (a study of programming error). Default: ${DEFAULT-VALUE}.")
  double refErrorStd;

  @picocli.CommandLine.Mixin RecheckOptions recheckOptions = new RecheckOptions();

  @Option(names = "--train-limit", paramLabel = "N", description = "Train on the first N training digits only. Default: all.")
  Integer trainLimit;

  @Option(names = "--test-limit", paramLabel = "N", description = "Measure accuracy on the first N test digits only (a slow board: each digit is a forward read). Default: all.")
  Integer testLimit;

  @Override
  public Integer call() throws IOException {
    PrintWriter outLine = spec == null ? new PrintWriter(System.out, true) : spec.commandLine().getOut();
    org.rramctl.cli.OutputPaths.folder("--out", out);
    if (board == null && (zeroShift || calibration != null || refErrorStd != 0)) {
      throw new IllegalArgumentException("--zero-shift/--calibration/--ref-error-std: given without --board (expected: a board; the floating-point baseline has no references)");
    }
    TikiTakaSettings tt = tikiTaka();
    if (tt != null && board == null) {
      throw new IllegalArgumentException("--algorithm: tiki-taka without --board (expected: a board with an A and a C block per layer)");
    }
    boolean zs = zeroShift || tt != null;
    if (calibration != null && !zs) {
      throw new IllegalArgumentException("--calibration: " + calibration + " without --zero-shift (expected: --zero-shift, whose references it sets)");
    }
    if (recheckOptions.given() && (!zeroShift || tt != null)) {
      throw new IllegalArgumentException("--recheck-every: " + recheckOptions.every + (tt != null ? " with --algorithm tiki-taka" : " without --zero-shift")
          + " (expected: --zero-shift on a board with SGD; it re-measures the symmetry points of the SGD layers' devices)");
    }
    Recheck.Settings recheck = recheckOptions.settings();
    MnistDataset dataset = limitTest(limit((data == null ? MnistDataset.vendored() : MnistDataset.load(data)).withSide(side), trainLimit), testLimit);
    int[] sizes = layers == null ? new int[] {dataset.inputSize(), 256, 128, 10} : Network.parseSizes(layers);
    TrainSettings settings = new TrainSettings(epochs, new LearningRateSchedule(lr, halveEvery), out);
    AnalogSettings a = AnalogSettings.defaults().withBitLength(bitLength).withDwMin(dwMin)
        .withUpdateManagement(!noUpdateManagement).withUpdateBlManagement(!noBlManagement)
        .withInit(AnalogSettings.Init.parse(init));
    if (initScale != null) a = a.withInitScale(initScale);
    if (gUnit != null) a = a.withGUnitSiemens(gUnit);
    if (readVolts != null) a = a.withReadVolts(readVolts);
    if (pulseVolts != null || pulseWidth != null) {
      if (pulseVolts == null || pulseWidth == null) {
        throw new IllegalArgumentException("--pulse-volts/--pulse-width: only one given (expected: both, or neither for the board's default)");
      }
      Duration w = Duration.ofNanos(org.rramctl.driver.Durations.parseNanos(pulseWidth));
      if (pulsePeriod == null) {
        a = a.withPulsesAtTheBoardsPeriod(Pulse.up(pulseVolts, w), Pulse.down(pulseVolts, w));
      } else {
        long p = org.rramctl.driver.Durations.parseNanos(pulsePeriod);
        if (p < w.toNanos()) {
          throw new IllegalArgumentException("--pulse-period: " + pulsePeriod + " (expected: at least the width " + pulseWidth + ")");
        }
        a = a.withPulses(Pulse.up(pulseVolts, w).withPeriodNanos(p), Pulse.down(pulseVolts, w).withPeriodNanos(p));
      }
    } else if (pulsePeriod != null) {
      throw new IllegalArgumentException("--pulse-period: " + pulsePeriod + " without --pulse-width (expected: both, with --pulse-volts)");
    }
    TrainingRun run = new TrainingRun(sizes, dataset, settings, seed, board, board == null ? null : a, initScale == null ? 1.0 : initScale,
        board == null ? null : zs ? ReferenceScheme.ZERO_SHIFTED : ReferenceScheme.CONVENTIONAL, calibration, refErrorStd, boardEnvelope(), recheck, tt);
    run.run(resume, noProgress ? new LineListener(outLine) : new BarListener(outLine), outLine);
    return 0;
  }

  /** The Tiki-Taka settings for {@code --algorithm tiki-taka}, null for SGD; its options refused with SGD. */
  private TikiTakaSettings tikiTaka() {
    String alg = algorithm == null ? "sgd" : algorithm.trim().toLowerCase(Locale.ROOT);
    if (alg.equals("sgd")) {
      if (tikiTakaOptions.given()) {
        throw new IllegalArgumentException("--transfer-every/--columns-per-transfer/--lr-a/--lr-c/--gamma: given with --algorithm sgd (expected: --algorithm tiki-taka)");
      }
      return null;
    }
    if (!alg.equals("tiki-taka")) throw new IllegalArgumentException("--algorithm: '" + algorithm + "' (expected: sgd or tiki-taka)");
    return tikiTakaOptions.settings();
  }

  private org.rramctl.driver.SafetyEnvelope boardEnvelope() throws IOException {
    if (envelope == null) return null;
    if (board == null) throw new IllegalArgumentException("--envelope: " + envelope + " without --board (expected: a board; the floating-point baseline sends nothing)");
    return org.rramctl.driver.SafetyEnvelope.load(envelope);
  }

  /** The data set with only its first {@code n} training digits (all when {@code n} is null). */
  public static MnistDataset limit(MnistDataset d, Integer n) {
    if (n == null) return d;
    if (n < 1 || n > d.train().count()) {
      throw new IllegalArgumentException("--train-limit: " + n + " (expected: 1.." + d.train().count() + ", the training digits available)");
    }
    return new MnistDataset(d.train().range(d.train().name() + " first " + n, 0, n), d.test());
  }

  /** The data set with only its first {@code n} test digits (all when {@code n} is null). */
  static MnistDataset limitTest(MnistDataset d, Integer n) {
    if (n == null) return d;
    if (n < 1 || n > d.test().count()) {
      throw new IllegalArgumentException("--test-limit: " + n + " (expected: 1.." + d.test().count() + ", the test digits available)");
    }
    return new MnistDataset(d.train(), d.test().range(d.test().name() + " first " + n, 0, n));
  }

  /** Prints one line per epoch. */
  static class LineListener implements Trainer.Listener {
    final PrintWriter out;

    LineListener(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void epochFinished(EpochMetrics m) {
      out.printf(Locale.ROOT, "epoch %3d  lr %.5f  loss %.4f  train %.2f %%  test %.2f %%  %.1f s  %.0f samples/s  %d pulses%n",
          m.epoch(), m.learningRate(), m.trainLoss(), 100 * m.trainAccuracy(), 100 * m.testAccuracy(), m.seconds(), m.samplesPerSecond(), m.pulses());
      out.flush();
    }
  }

  /** Epoch lines plus a progress bar on standard error. */
  static final class BarListener extends LineListener {
    private ProgressBar bar;

    BarListener(PrintWriter out) {
      super(out);
    }

    @Override
    public void epochStarted(int epoch, int samples) {
      bar = new ProgressBarBuilder().setTaskName("epoch " + epoch).setInitialMax(samples).setUpdateIntervalMillis(250)
          .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUnit(" samples", 1).build();
    }

    @Override
    public void progress(int done) {
      if (bar != null) bar.stepTo(done);
    }

    @Override
    public void epochFinished(EpochMetrics m) {
      if (bar != null) bar.close();
      bar = null;
      super.epochFinished(m);
    }
  }

  /** Runs the command on its own (the application's Main registers it as a subcommand). */
  public static void main(String[] args) {
    System.exit(new CommandLine(new TrainCommand()).execute(args));
  }
}
