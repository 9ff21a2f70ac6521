package org.rramctl.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Cell;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.sim.EmulatorDriver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code rramctl demo}, in two parts. First, a small imbalanced array: every device driven with array-parallel
 * alternating pulses, settling at its symmetry point against the closed form. Second, a short version of
 * {@code rramctl experiment zero-shift} (a 49-16-10 network on 7x7 digits, up/down ratios 1 and 3,
 * conventional and zero-shifted references plus floating point, 10 epochs), ending in its table. The
 * small network reads each device at a quarter of the usual conductance unit (weights up to about +-4) with
 * the nominal step scaled alike: with one device range it barely leaves chance in a few epochs.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Emulate a small imbalanced RRAM array: alternating pulses settle every device at its symmetry point;",
        "then a short zero-shifting experiment (conventional vs zero-shifted references, ratios 1 and 3, plus floating point) ending in its table."})
final class DemoCommand implements Callable<Integer> {
  /** Demo network regime: 7x7 inputs, 49-16-10, gUnit a quarter of (G_max - G_min)/2, dw_min 0.004, lr 0.05. */
  static final String LAYERS = "49-16-10";
  static final double G_UNIT_SIEMENS = (1.0e-4 - 1.0e-6) / 8;
  static final double DW_MIN = 0.004;
  static final double LR = 0.05;

  @Spec CommandSpec spec;

  @Option(names = "--settling-only", description = "Only the first part (devices settling at their symmetry points).")
  boolean settlingOnly;

  @Option(names = "--epochs", defaultValue = "10", description = "Epochs of the short experiment (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--train-limit", paramLabel = "N", description = "Training digits of the short experiment (default: all 8,000).")
  Integer trainLimit;

  @Option(names = "--jobs", paramLabel = "J", description = "Runs at once (default: the available processors).")
  Integer jobs;

  @Option(names = "--out", paramLabel = "DIR", description = "Folder for the short experiment's results (default: a new temporary folder).")
  java.nio.file.Path outDir;

  @Option(names = "--rows", defaultValue = "8", description = "Array rows (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--cols", defaultValue = "8", description = "Array columns (default: ${DEFAULT-VALUE}).")
  int cols;

  @Option(names = "--ratio", defaultValue = "2", description = "Nominal up/down step ratio (default: ${DEFAULT-VALUE}).")
  double ratio;

  @Option(names = "--pairs", defaultValue = "6000", description = "Alternating pulse pairs (default: ${DEFAULT-VALUE}).")
  int pairs;

  @Option(names = "--seed", defaultValue = "7", description = "Emulator seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    if (rows < 1 || cols < 1 || rows * (long) cols > 1_000_000) {
      throw new IllegalArgumentException("--rows/--cols: " + rows + " x " + cols + " (expected: 1 .. 1,000,000 devices)");
    }
    if (pairs < 200) throw new IllegalArgumentException("--pairs: " + pairs + " (expected: >= 200; the estimate averages the last 200 pairs)");
    if (epochs < 1) throw new IllegalArgumentException("--epochs: " + epochs + " (expected: >= 1)");
    PrintWriter out = spec.commandLine().getOut();
    settle(out);
    if (settlingOnly) return 0;
    java.nio.file.Path dir = outDir != null ? outDir : java.nio.file.Files.createTempDirectory("rramctl-demo-");
    out.printf(Locale.ROOT, "%nPart 2: a short zero-shifting experiment (rramctl experiment zero-shift, small): network %s on 7x7 digits, %d epoch(s),%n", LAYERS, epochs);
    out.printf(Locale.ROOT, "up/down ratios 1 and 3, each with conventional (mid-range) and zero-shifted (symmetry-point) references, plus floating point.%n%n");
    out.flush();
    var c = ExperimentCommand.config(java.util.List.of(1.0, 3.0), epochs, 1, jobs, trainLimit, 7, LAYERS, null, "rram-imbalanced", LR, 10, 3.0,
        G_UNIT_SIEMENS, DW_MIN, dir);
    var r = org.rramctl.experiment.ZeroShiftExperiment.run(c, false, out);
    out.printf(Locale.ROOT, "%nFiles: %s (results.json, results.md, plots). The full experiment: rramctl experiment zero-shift --out DIR%n", dir);
    long failed = r.cells().stream().filter(x -> !x.ok()).count();
    return failed == 0 ? 0 : Main.EXIT_FAILURE;
  }

  /** Part 1: alternating pulses settle every device of a small array at its symmetry point. */
  private void settle(PrintWriter out) throws Exception {
    String uri = String.format(Locale.ROOT, "sim:rram-imbalanced?arrays=1&rows=%d&cols=%d&seed=%d&ratio=%s", rows, cols, seed, ratio);
    try (EnvelopedDriver d = Boards.open(uri, null)) {
      EmulatorDriver emu = (EmulatorDriver) d.inner();
      EmulatorDriver.Truth truth = emu.truth();
      double vread = 0.2;
      Pulse up = Pulse.up(1.0, Duration.ofNanos(100));
      Pulse down = Pulse.down(1.0, Duration.ofNanos(100));
      Tile tile = new Tile(0, 0, 0, rows, cols);
      StochasticUpdate allUp = StochasticUpdate.uniform(rows, cols, Polarity.UP, up, down);
      StochasticUpdate allDown = StochasticUpdate.uniform(rows, cols, Polarity.DOWN, up, down);
      int n = rows * cols;
      double[] gStar = new double[n];
      double range = d.info().gMaxSiemens() - d.info().gMinSiemens();
      for (int k = 0; k < n; k++) gStar[k] = truth.symmetryPointSiemens(Cell.active(0, k / cols, k % cols));

      out.printf(Locale.ROOT, "rramctl demo, part 1: %d x %d emulated RRAM devices, preset rram-imbalanced, nominal up/down step ratio %s%n", rows, cols, ratio);
      out.printf(Locale.ROOT, "board %s%n", uri);
      out.printf(Locale.ROOT, "Every device gets UP, DOWN, UP, DOWN ... at once (array-parallel update); the array is read in between.%n");
      out.printf(Locale.ROOT, "G* is each device's symmetry point from the closed form w* = (a_up - a_down) / (a_up/b_max - a_down/b_min).%n%n");
      out.printf(Locale.ROOT, "%8s  %22s  %18s%n", "pairs", "mean |G - G*| / range", "max |G - G*| / range");
      int window = 200;
      double[] sum = new double[n];
      int[] checkpoints = {0, pairs / 16, pairs / 8, pairs / 4, pairs / 2, 3 * pairs / 4, pairs};
      int next = 0;
      for (int p = 0; p <= pairs; p++) {
        if (next < checkpoints.length && p == checkpoints[next]) {
          ConductanceMap m = d.readArray(0, Plane.ACTIVE, vread);
          double mean = 0;
          double max = 0;
          for (int k = 0; k < n; k++) {
            double e = Math.abs(m.siemens()[k] - gStar[k]) / range;
            mean += e / n;
            max = Math.max(max, e);
          }
          out.printf(Locale.ROOT, "%8d  %21.2f%%  %17.2f%%%n", p, 100 * mean, 100 * max);
          while (next < checkpoints.length && checkpoints[next] == p) next++;
        }
        if (p == pairs) break;
        d.parallelUpdate(tile, Plane.ACTIVE, allUp);
        boolean inWindow = p >= pairs - window;
        if (inWindow) accumulate(sum, d.readArray(0, Plane.ACTIVE, vread));
        d.parallelUpdate(tile, Plane.ACTIVE, allDown);
        if (inWindow) accumulate(sum, d.readArray(0, Plane.ACTIVE, vread));
      }
      out.printf(Locale.ROOT, "%nEstimate = mean of the reads after each UP and each DOWN pulse over the last %d pairs:%n", window);
      out.printf(Locale.ROOT, "%10s  %14s  %14s  %12s%n", "device", "estimate (uS)", "closed G* (uS)", "error/range");
      double worst = 0;
      double meanErr = 0;
      for (int k = 0; k < n; k++) {
        double est = sum[k] / (2 * window);
        double err = Math.abs(est - gStar[k]) / range;
        worst = Math.max(worst, err);
        meanErr += err / n;
        if (k < 6) out.printf(Locale.ROOT, "%10s  %14.3f  %14.3f  %11.2f%%%n", (k / cols) + "," + (k % cols), est * 1e6, gStar[k] * 1e6, 100 * err);
      }
      double midRange = (d.info().gMinSiemens() + d.info().gMaxSiemens()) / 2;
      double spMean = 0;
      for (double g : gStar) spMean += g / n;
      out.printf(Locale.ROOT, "%nAll %d devices: mean error %.2f%%, worst %.2f%% of the conductance range.%n", n, 100 * meanErr, 100 * worst);
      out.printf(Locale.ROOT, "The symmetry points sit on average %.1f uS above mid-range (%.1f uS): without zero-shifting SGD drags every weight there.%n",
          (spMean - midRange) * 1e6, midRange * 1e6);
      out.printf(Locale.ROOT, "%d pulses applied in %d parallel updates.%n", d.status().pulsesApplied(), 2 * pairs);
    }
    out.flush();
  }

  private static void accumulate(double[] sum, ConductanceMap m) {
    for (int k = 0; k < sum.length; k++) sum[k] += m.siemens()[k];
  }
}
