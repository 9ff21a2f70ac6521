package org.rramctl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.rramctl.calibration.Calibration;
import org.rramctl.calibration.CalibrationRecord;
import org.rramctl.calibration.CalibrationRecords;
import org.rramctl.calibration.CalibrationSettings;
import org.rramctl.calibration.DeviceFit;
import org.rramctl.calibration.Failure;
import org.rramctl.calibration.Handoff;
import org.rramctl.calibration.Monitor;
import org.rramctl.calibration.SearchStatus;
import org.rramctl.calibration.SoftBoundFit;
import org.rramctl.calibration.TimeEstimate;
import org.rramctl.calibration.Trace;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Capability;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Tile;
import org.rramctl.plot.Charts;
import org.rramctl.procedure.BoardDefaults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rramctl calibrate}: finds every device's symmetry point, programs the reference devices, fits
 * the device model, and writes one calibration record; or, with {@code --check}, re-reads the references
 * of a record and reports their drift. Exit codes: 0 done, 1 I/O or board failure, 2 bad input,
 * 130 stopped by Ctrl-C (what was measured is saved, marked incomplete).
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
    description = {"Find each device's symmetry point with alternating pulses, program its reference device to it (zero-shifting),",
        "fit the soft-bound model, and write a calibration record (JSON). With --check, re-read a record's references and report drift."})
public final class CalibrateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--board", required = true, paramLabel = "URI", description = "Board URI, e.g. sim:rram-imbalanced?rows=32&cols=32&seed=7")
  String board;

  @Option(names = "--array", paramLabel = "N", description = "Calibrate only array N (default: all arrays)")
  Integer array;

  @Option(names = "--mode", paramLabel = "MODE",
      description = "parallel (whole tile by the parallel update) or per-device (default: parallel on a board with a native parallel update, else per-device)")
  String mode;

  @Option(names = "--cells", paramLabel = "RANGE", description = "A rectangle ARRAY:R0-R1,C0-C1, e.g. 0:0-31,0-31 (inclusive)")
  String cells;

  @Option(names = "--tolerance", paramLabel = "TOL", description = "Target standard error of a symmetry point: a percentage of the conductance window (0.25%%) or siemens (2.5e-7, 0.25uS)")
  String tolerance;

  @Option(names = "--ref-tolerance", paramLabel = "TOL", description = "Write-verify tolerance of a reference device, same forms as --tolerance")
  String refTolerance;

  @Option(names = "--target-error", paramLabel = "ERR",
      description = "Stop each device once the half-width of its 95 %% interval is this, same forms as --tolerance: the interval comes from the tile's pooled noise model (per device: once the first devices have pooled it)")
  String targetError;

  @Option(names = "--max-time", paramLabel = "TIME",
      description = "Stop the whole run after this long, e.g. 30min or 2h; what was measured is saved, marked incomplete")
  String maxTime;

  @Option(names = "--budget", paramLabel = "PULSES", description = "Most pulses per device in the symmetry-point search, up and down pulses counted singly (default 16384)")
  Integer budget;

  @Option(names = "--handoff", paramLabel = "WHEN", defaultValue = "auto",
      description = "Parallel mode: when to finish the devices still searching one device at a time instead of pulsing the whole tile for them."
          + " auto: once at most 10 %% of a tile's devices is left, if the timing probe says those devices cost less time per pulse pair"
          + " through single-device commands than one parallel pulse pair of the tile (always on the in-process emulator; never on the"
          + " serial board, where each single-device pulse is its own command round trip); always: at 10 %% left; never."
          + " The decision is printed at start and written into the record's settings (handoffFraction). Default: ${DEFAULT-VALUE}.")
  String handoff;

  @Option(names = "--fit-devices", paramLabel = "N", description = "Devices per tile that get the model fit, -1 for all (default 64)")
  Integer fitDevices;

  @Option(names = "--amplitude", paramLabel = "VOLTS",
      description = "Pulse amplitude for the search and reference programming, volts (default: the board's nominal pulse, else 1.0 within its limits; printed at start)")
  Double amplitude;

  @Option(names = "--width", paramLabel = "DURATION",
      description = "Pulse width, e.g. 100ns or 1ms (default: the board's nominal pulse, else 100ns or the nearest width its limits allow; printed at start)")
  String width;

  @Option(names = "--vread", paramLabel = "VOLTS", description = "Read voltage, volts (default: the board's nominal, else 0.2 within its limits)")
  Double vread;

  @Option(names = "--envelope", paramLabel = "FILE",
      description = "Board profile JSON with the safety envelope (never wider than the board's limits). Default: the board's default envelope.")
  Path envelope;

  @Option(names = "--out", paramLabel = "FILE", description = "Calibration record to write (atomically)")
  Path out;

  @Option(names = "--plot", paramLabel = "DIR", description = "Write PNG figures into DIR")
  Path plotDir;

  @Option(names = "--check", paramLabel = "FILE", description = "Re-read the references of this record and report drift")
  Path check;

  @Option(names = "--check-sample", defaultValue = "0", paramLabel = "N",
      description = "With --check: also re-measure the symmetry points of N randomly chosen devices of the record (the per-device search with the record's settings; those devices' states are lost) and report how far they moved. Default: ${DEFAULT-VALUE}.")
  int checkSample;

  @Option(names = "--check-seed", defaultValue = "1", paramLabel = "S", description = "With --check-sample: seed of the devices chosen. Default: ${DEFAULT-VALUE}.")
  long checkSeed;


  /** Errors propagate to {@link Main}'s handler: one line, exit 2 for bad input, 1 for failures. */
  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (checkSample < 0) throw new IllegalArgumentException("--check-sample: " + checkSample + " (expected: >= 0 devices)");
    if (checkSample > 0 && check == null) throw new IllegalArgumentException("--check-sample: " + checkSample + " without --check (expected: --check FILE, the record to compare with)");
    if (check != null) return check(err);
    if (out == null) throw new IllegalArgumentException("--out: missing (expected: a file for the calibration record, e.g. --out cal.json)");
    // Before the first pulse: a record measured for an hour must not be lost to a path that cannot be written.
    OutputPaths.file("--out", out);
    if (plotDir != null) OutputPaths.folder("--plot", plotDir);
    return calibrate(err);
  }

  private int calibrate(PrintWriter err) throws IOException {
    Handoff when = Handoff.parse("--handoff", handoff);
    Calibration.Mode given = mode == null ? null : switch (mode.toLowerCase(Locale.ROOT)) {
      case "parallel" -> Calibration.Mode.PARALLEL;
      case "per-device" -> Calibration.Mode.PER_DEVICE;
      default -> throw new IllegalArgumentException("--mode: '" + mode + "' (expected: parallel or per-device)");
    };
    if (plotDir != null && java.nio.file.Files.exists(plotDir) && !java.nio.file.Files.isDirectory(plotDir)) {
      throw new IllegalArgumentException("--plot: " + plotDir + " is not a directory (expected: a directory for PNG figures)");
    }
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch saved = new CountDownLatch(1);
    // Serial ports stay usable at JVM shutdown until the Ctrl-C hook's ABORT is out (ShutdownHold).
    try (org.rramctl.driver.transport.ShutdownHold hold = org.rramctl.driver.transport.ShutdownHold.take();
         CrossbarDriver driver = Boards.open(board, envelope == null ? null : SafetyEnvelope.load(envelope))) {
      BoardInfo info = driver.info();
      List<Tile> tiles = tiles(info);
      BoardDefaults defaults = BoardDefaults.of(driver);
      CalibrationSettings s = settings(info, defaults);
      Calibration.Mode m = given != null ? given
          : info.supportsNatively(Capability.PARALLEL_UPDATE) ? Calibration.Mode.PARALLEL : Calibration.Mode.PER_DEVICE;
      long deadline = maxTime == null ? Long.MAX_VALUE : System.nanoTime() + positiveNanos("--max-time", maxTime);
      PrintWriter start = spec.commandLine().getOut();
      start.printf(Locale.ROOT, "calibrating %d devices of board %s, mode %s; %s%n", tiles.stream().mapToLong(Tile::devices).sum(), info.boardId(),
          m.name().toLowerCase(Locale.ROOT).replace('_', '-'), BoardDefaults.describe(s.pulseVolts(), s.pulseWidthNanos(), s.readVolts(),
              amplitude == null || width == null || vread == null ? defaults.origin() : "as given"));
      // Before the first pulse of the run: what this board's pulse and read rates make of the budget.
      TimeEstimate probe = TimeEstimate.probe(driver, tiles, s, m);
      start.println(probe.describe(s, info.gMaxSiemens() - info.gMinSiemens()));
      // Decided here, once, from the probe (or the driver's being in-process) and kept in the record's settings: the
      // search never looks at a clock, and --handoff always/never repeats the decision.
      int probed = tiles.get(0).devices();
      s = s.withHandoffFraction(when.fraction(driver.inProcess(), probe, probed, s.sampleEveryPairs()));
      if (m == Calibration.Mode.PARALLEL) start.println(when.describe(s.handoffFraction(), driver.inProcess(), probe, probed, s.sampleEveryPairs()));
      start.flush();
      // Ctrl-C: ask the run to stop, idle the outputs, and wait until what was measured is saved.
      Thread hook = new Thread(() -> {
        stop.set(true);
        driver.abort();
        try {
          saved.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "rramctl-calibrate-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      long t0 = System.nanoTime();
      CalibrationRecord rec;
      try (BarMonitor monitor = new BarMonitor(stop, deadline)) {
        rec = Calibration.run(driver, tiles, s, m, monitor);
      } catch (IOException | RuntimeException e) {
        saved.countDown();
        throw e;
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      try {
        CalibrationRecords.write(rec, out);
        if (plotDir != null) plots(rec, plotDir);
      } finally {
        saved.countDown();
      }
      if (!stop.get()) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // shutting down already
        }
      }
      PrintWriter o = spec.commandLine().getOut();
      summary(o, rec, seconds);
      o.flush();
      if (!stop.get() && !rec.complete() && System.nanoTime() >= deadline) {
        err.println("rramctl: --max-time " + maxTime + " reached; what was measured is saved in " + out + " (marked incomplete)");
        err.flush();
      }
      if (stop.get()) {
        err.println("rramctl: stopped; what was measured is saved in " + out + " (marked incomplete)");
        err.flush();
        return 130;
      }
      return 0;
    }
  }

  private List<Tile> tiles(BoardInfo info) {
    if (cells != null) {
      Matcher mt = Pattern.compile("\\s*(\\d+):(\\d+)-(\\d+),(\\d+)-(\\d+)\\s*").matcher(cells);
      if (!mt.matches()) throw new IllegalArgumentException("--cells: '" + cells + "' (expected: ARRAY:R0-R1,C0-C1, e.g. 0:0-31,0-31)");
      int a = Integer.parseInt(mt.group(1));
      int r0 = Integer.parseInt(mt.group(2));
      int r1 = Integer.parseInt(mt.group(3));
      int c0 = Integer.parseInt(mt.group(4));
      int c1 = Integer.parseInt(mt.group(5));
      if (r1 < r0 || c1 < c0) throw new IllegalArgumentException("--cells: '" + cells + "' (expected: R0 <= R1 and C0 <= C1)");
      if (array != null && array != a) throw new IllegalArgumentException("--cells: array " + a + " (expected: the --array " + array + ", or drop one of them)");
      Tile t = new Tile(a, r0, c0, r1 - r0 + 1, c1 - c0 + 1);
      info.checkTile(t);
      return List.of(t);
    }
    if (array != null) return List.of(Tile.whole(info.array(array)));
    List<Tile> all = new ArrayList<>();
    for (var g : info.arrays()) all.add(Tile.whole(g));
    return all;
  }

  private CalibrationSettings settings(BoardInfo info, BoardDefaults d) {
    CalibrationSettings s = CalibrationSettings.defaults(info).withPulse(d.pulseVolts(), d.pulseWidthNanos()).withReadVolts(d.readVolts());
    double window = info.gMaxSiemens() - info.gMinSiemens();
    if (tolerance != null && targetError != null) {
      throw new IllegalArgumentException("--target-error: given with --tolerance (expected: one of them; the tolerance is the target error / 1.96)");
    }
    if (tolerance != null) s = s.withTolerance(siemens("--tolerance", tolerance, window));
    if (targetError != null) s = s.withTargetError(siemens("--target-error", targetError, window));
    if (refTolerance != null) s = s.withRefTolerance(siemens("--ref-tolerance", refTolerance, window));
    if (budget != null) s = s.withBudget(budget);
    if (amplitude != null || width != null) {
      s = s.withPulse(amplitude != null ? amplitude : s.pulseVolts(), width != null ? org.rramctl.driver.Durations.parseNanos(width) : s.pulseWidthNanos());
    }
    if (vread != null) s = s.withReadVolts(vread);
    if (fitDevices != null) s = s.withFit(s.fitPulses(), s.fitReadEvery(), fitDevices);
    return s;
  }

  private static long positiveNanos(String option, String text) {
    long n = org.rramctl.procedure.Retention.nanos(option, text);
    if (n <= 0) throw new IllegalArgumentException(option + ": '" + text + "' (expected: a duration > 0 such as 30min or 2h)");
    return n;
  }

  /** "0.25%" of the window, "2.5e-7" siemens, or with a unit S, mS, uS, nS. */
  static double siemens(String option, String text, double window) {
    Matcher mt = Pattern.compile("\\s*([0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\\s*(%|S|mS|uS|\u00b5S|nS)?\\s*").matcher(text);
    if (!mt.matches()) throw new IllegalArgumentException(option + ": '" + text + "' (expected: a percentage of the window such as 0.25% or siemens such as 2.5e-7 or 0.25uS)");
    double v = Double.parseDouble(mt.group(1));
    String unit = mt.group(2) == null ? "S" : mt.group(2);
    double s = switch (unit) {
      case "%" -> v / 100 * window;
      case "mS" -> v * 1e-3;
      case "uS", "\u00b5S" -> v * 1e-6;
      case "nS" -> v * 1e-9;
      default -> v;
    };
    if (!(s > 0) || s > window) throw new IllegalArgumentException(option + ": '" + text + "' (expected: > 0 and at most the conductance window " + window + " S)");
    return s;
  }

  private int check(PrintWriter err) throws IOException {
    CalibrationRecords.Loaded loaded = CalibrationRecords.readChecked(check);
    CalibrationRecord rec = loaded.record();
    try (CrossbarDriver driver = Boards.open(board, envelope == null ? null : SafetyEnvelope.load(envelope))) {
      // The same checks as 'train --calibration': a record that passes here is one training would use.
      CalibrationRecords.checkUsable(rec, driver.info(), check.toString());
      spec.commandLine().getOut().println("record " + check + ": " + (loaded.checksumVerified() ? "checksum verified"
          : "no checksum (written before rramctl sealed its records; read unverified)") + ", complete, fits board " + driver.info().boardId());
      double window = driver.info().gMaxSiemens() - driver.info().gMinSiemens();
      List<Double> drift = new ArrayList<>();
      for (CalibrationRecord.TileRecord t : rec.tiles()) {
        ConductanceMap now = driver.readArray(t.array(), Plane.REFERENCE, rec.settings().readVolts());
        for (int k = 0; k < t.devices(); k++) {
          double was = t.refAchievedSiemens()[k];
          if (Float.isNaN((float) was)) continue;
          drift.add(now.get(t.row0() + k / t.cols(), t.col0() + k % t.cols()) - was);
        }
      }
      PrintWriter o = spec.commandLine().getOut();
      double[] d = drift.stream().mapToDouble(Double::doubleValue).toArray();
      double[] abs = Arrays.stream(d).map(Math::abs).sorted().toArray();
      o.printf(Locale.ROOT, "references re-read: %d of board %s (record %s, written %s)%n", d.length, rec.board().id(), check, rec.finished());
      if (d.length > 0) {
        o.printf(Locale.ROOT, "drift |G_now - G_recorded|: median %.3g S (%.3f %% of window), 95th percentile %.3g S (%.3f %%), max %.3g S (%.3f %%); mean signed %.3g S%n",
            pct(abs, 0.5), 100 * pct(abs, 0.5) / window, pct(abs, 0.95), 100 * pct(abs, 0.95) / window, abs[abs.length - 1], 100 * abs[abs.length - 1] / window,
            Arrays.stream(d).average().orElse(0));
      }
      if (checkSample > 0) checkSymmetryPoints(driver, rec, window, o);
      o.flush();
      return 0;
    }
  }

  /**
   * Re-measures the symmetry points of a random sample of the record's measured devices with the record's own search
   * settings (per device, one at a time: the sample is scattered) and reports how far they moved. A device counts as
   * moved when the shift exceeds the calibration's error limit (4 tolerances, 1 % of the window by default).
   */
  private void checkSymmetryPoints(CrossbarDriver driver, CalibrationRecord rec, double window, PrintWriter o) throws IOException {
    List<int[]> measured = new ArrayList<>(); // tile index, device index
    for (int i = 0; i < rec.tiles().size(); i++) {
      CalibrationRecord.TileRecord t = rec.tiles().get(i);
      for (int k = 0; k < t.devices(); k++) {
        SearchStatus st = t.status(k);
        if ((st == SearchStatus.CONVERGED || st == SearchStatus.BUDGET) && !Float.isNaN(t.spSiemens()[k])) measured.add(new int[] {i, k});
      }
    }
    int n = Math.min(checkSample, measured.size());
    java.util.SplittableRandom r = new java.util.SplittableRandom(checkSeed);
    for (int k = 0; k < n; k++) java.util.Collections.swap(measured, k, k + r.nextInt(measured.size() - k));
    CalibrationSettings s = rec.settings();
    double limit = Calibration.errorLimitSiemens(s);
    double[] shift = new double[n];
    int moved = 0;
    int beyondError = 0;
    for (int j = 0; j < n; j++) {
      CalibrationRecord.TileRecord t = rec.tiles().get(measured.get(j)[0]);
      int k = measured.get(j)[1];
      Tile one = new Tile(t.array(), t.row0() + k / t.cols(), t.col0() + k % t.cols(), 1, 1);
      org.rramctl.calibration.TileSearch now = org.rramctl.calibration.SymmetryPointSearch.perDevice(driver, one, s, Monitor.NONE);
      shift[j] = now.estimateSiemens()[0] - t.spSiemens()[k];
      if (Math.abs(shift[j]) > limit) moved++;
      double se = Math.hypot(now.stdErrorSiemens()[0], t.spStdErrorSiemens()[k]);
      if (Math.abs(shift[j]) > Calibration.Z95 * se) beyondError++;
    }
    double[] abs = Arrays.stream(shift).map(Math::abs).filter(v -> !Double.isNaN(v)).sorted().toArray();
    o.printf(Locale.ROOT, "symmetry points re-measured: %d devices chosen at random (seed %d; their states are lost), per device with the record's settings%n", n, checkSeed);
    if (abs.length > 0) {
      o.printf(Locale.ROOT, "symmetry-point drift |SP_now - SP_recorded|: median %.3g S (%.3f %% of window), 95th percentile %.3g S (%.3f %%), max %.3g S (%.3f %%);"
          + " mean signed %.3g S (%+.3f %%)%n", pct(abs, 0.5), 100 * pct(abs, 0.5) / window, pct(abs, 0.95), 100 * pct(abs, 0.95) / window,
          abs[abs.length - 1], 100 * abs[abs.length - 1] / window, Arrays.stream(shift).average().orElse(0), 100 * Arrays.stream(shift).average().orElse(0) / window);
      o.printf(Locale.ROOT, "moved beyond %.2f %% of the window: %d of %d (outside both estimates' 95 %% interval: %d)%s%n", 100 * limit / window, moved, n,
          beyondError, moved > 0 ? "; re-calibrate (or train with --recheck-every) before zero-shifted training" : "");
    }
  }

  static double pct(double[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }

  private static void summary(PrintWriter o, CalibrationRecord rec, double seconds) {
    double window = rec.board().gMaxSiemens() - rec.board().gMinSiemens();
    long devices = 0, converged = 0, budget = 0, pulses = 0, refPulses = 0, refReads = 0;
    List<Double> sp = new ArrayList<>();
    List<Double> refErr = new ArrayList<>();
    for (CalibrationRecord.TileRecord t : rec.tiles()) {
      for (int k = 0; k < t.devices(); k++) {
        SearchStatus st = t.status(k);
        if (st == SearchStatus.NOT_MEASURED) continue;
        devices++;
        if (st == SearchStatus.CONVERGED) converged++;
        if (st == SearchStatus.BUDGET) budget++;
        pulses += t.pulses()[k];
        refPulses += t.refPulses()[k];
        refReads += t.refReads()[k];
        if (Float.isFinite(t.spSiemens()[k])) sp.add((double) t.spSiemens()[k]);
        if (Float.isFinite(t.refErrorSiemens()[k])) refErr.add(Math.abs((double) t.refErrorSiemens()[k]));
      }
    }
    Map<Failure.Reason, Integer> reasons = new TreeMap<>();
    java.util.Set<String> failed = new java.util.HashSet<>();
    java.util.Set<String> unfinished = new java.util.HashSet<>();
    java.util.Set<String> stuck = new java.util.HashSet<>();
    int fitFailed = 0;
    for (Failure f : rec.failures()) {
      String cell = f.array() + ":" + f.row() + "," + f.col();
      // Records from before issue 19 list these two; neither says a device is off (see Failure.Reason).
      if (f.reason() == Failure.Reason.NOT_CONVERGED || f.reason() == Failure.Reason.LARGE_ERROR) continue;
      // A model fit that did not converge says nothing about the pulsed symmetry point, which stands.
      if (f.reason() == Failure.Reason.FIT_FAILED) {
        fitFailed++;
        continue;
      }
      if (f.reason() == Failure.Reason.INTERRUPTED) {
        unfinished.add(cell);
        continue;
      }
      // Stuck devices are calibrated (symmetry point found, reference programmed); what they lack is a step to train.
      if (f.reason() == Failure.Reason.STUCK) {
        stuck.add(cell);
        continue;
      }
      reasons.merge(f.reason(), 1, Integer::sum);
      failed.add(cell);
    }
    stuck.removeAll(failed);
    long uncertain = 0;
    for (CalibrationRecord.TileRecord t : rec.tiles()) {
      for (int k = 0; k < t.devices(); k++) {
        SearchStatus st = t.status(k);
        if (st == SearchStatus.NOT_MEASURED) continue;
        String cell = t.array() + ":" + (t.row0() + k / t.cols()) + "," + (t.col0() + k % t.cols());
        if (failed.contains(cell) || unfinished.contains(cell) || stuck.contains(cell)) continue;
        if (Calibration.uncertain(t.spStdErrorSiemens()[k], rec.settings())) uncertain++;
      }
    }
    double limit = Calibration.errorLimitSiemens(rec.settings());
    o.printf(Locale.ROOT, "board %s, mode %s, %s%n", rec.board().id(), rec.mode(), rec.complete() ? "complete" : "INCOMPLETE (stopped)");
    o.printf(Locale.ROOT, "devices calibrated %d (converged %d, budget hit %d): fine %d, uncertain %d, stuck %d, failed %d%s%s%n", devices, converged, budget,
        devices - uncertain - stuck.size() - failed.size() - unfinished.size(), uncertain, stuck.size(), failed.size(), reasons.isEmpty() ? "" : " " + reasons,
        unfinished.isEmpty() ? "" : ", unfinished " + unfinished.size());
    o.printf(Locale.ROOT, "  fine: symmetry point known to +-%.3g S (%.2f %% of window) at 95 %%; uncertain: the 95 %% interval is wider,"
        + " not known to be off (re-run them with --cells and a larger --budget)%s%n", limit, 100 * limit / window,
        failed.isEmpty() ? "" : "; failed: the measurement says the device is off or unusable (the record's failures give the numbers)");
    if (!stuck.isEmpty()) {
      o.printf(Locale.ROOT, "  stuck: at its symmetry point a pulse moves the device less than a tenth of the tile's median step (dead, or pinned near a"
          + " bound): calibrated and its reference programmed, but zero-shifted training barely moves its weight (listed STUCK in the record's failures)%n");
    }
    if (fitFailed > 0) o.printf(Locale.ROOT, "  model fit did not converge on %d devices (listed FIT_FAILED; their pulsed symmetry points stand)%n", fitFailed);
    o.printf(Locale.ROOT, "pulses used: %d in the search (%.0f per device), %d on references (%d verify reads); time %.1f s%n",
        pulses, devices == 0 ? 0 : pulses / (double) devices, refPulses, refReads, seconds);
    if (!sp.isEmpty()) {
      double[] v = sp.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      o.printf(Locale.ROOT, "symmetry points: 5%% %.4g S, median %.4g S, 95%% %.4g S (%.1f / %.1f / %.1f %% of window)%n",
          pct(v, 0.05), pct(v, 0.5), pct(v, 0.95),
          100 * (pct(v, 0.05) - rec.board().gMinSiemens()) / window, 100 * (pct(v, 0.5) - rec.board().gMinSiemens()) / window,
          100 * (pct(v, 0.95) - rec.board().gMinSiemens()) / window);
    }
    if (!refErr.isEmpty()) {
      double[] v = refErr.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      o.printf(Locale.ROOT, "reference programming |read - target|: median %.3g S, 99%% %.3g S, max %.3g S (%.3f / %.3f / %.3f %% of window)%n",
          pct(v, 0.5), pct(v, 0.99), v[v.length - 1], 100 * pct(v, 0.5) / window, 100 * pct(v, 0.99) / window, 100 * v[v.length - 1] / window);
    }
    if (!rec.fits().isEmpty()) {
      double[] diff = new double[rec.fits().size()];
      int i = 0;
      for (DeviceFit f : rec.fits()) {
        CalibrationRecord.TileRecord t = tileOf(rec, f.array(), f.row(), f.col());
        diff[i++] = t == null ? Double.NaN : Math.abs(f.spSiemens() - t.spSiemens()[(f.row() - t.row0()) * t.cols() + f.col() - t.col0()]);
      }
      double[] v = Arrays.stream(diff).filter(Double::isFinite).sorted().toArray();
      if (v.length > 0) {
        o.printf(Locale.ROOT, "model fit on %d devices: |fitted - pulsed symmetry point| median %.3g S (%.2f %% of window), 95%% %.3g S%n",
            v.length, pct(v, 0.5), 100 * pct(v, 0.5) / window, pct(v, 0.95));
      }
    }
  }

  private static CalibrationRecord.TileRecord tileOf(CalibrationRecord rec, int array, int row, int col) {
    for (CalibrationRecord.TileRecord t : rec.tiles()) {
      if (t.array() == array && row >= t.row0() && row < t.row0() + t.rows() && col >= t.col0() && col < t.col0() + t.cols()) return t;
    }
    return null;
  }

  private static void plots(CalibrationRecord rec, Path dir) throws IOException {
    List<Double> sp = new ArrayList<>();
    for (CalibrationRecord.TileRecord t : rec.tiles()) for (float v : t.spSiemens()) if (Float.isFinite(v)) sp.add(v * 1e6);
    Charts.histogram(dir.resolve("symmetry-points.png"), "Symmetry points (" + sp.size() + " devices)", "conductance (uS)",
        sp.stream().mapToDouble(Double::doubleValue).toArray(), 40);
    for (CalibrationRecord.TileRecord t : rec.tiles()) {
      double[][] z = new double[t.rows()][t.cols()];
      for (int r = 0; r < t.rows(); r++) for (int c = 0; c < t.cols(); c++) z[r][c] = t.spSiemens()[r * t.cols() + c] * 1e6;
      Charts.heatMap(dir.resolve("map-array" + t.array() + ".png"), "Symmetry point (uS), array " + t.array() + " rows " + t.row0() + "+, cols " + t.col0() + "+",
          "column", "row", z);
    }
    List<Charts.Series> traces = new ArrayList<>();
    for (Trace tr : rec.traces()) {
      double[] x = new double[tr.pairs().length];
      double[] y = new double[x.length];
      double[] e = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = tr.pairs()[i];
        y[i] = tr.midpointSiemens()[i] * 1e6;
        e[i] = tr.estimateSiemens()[i] * 1e6;
      }
      if (traces.size() >= 8) break;
      traces.add(new Charts.Series(tr.array() + ":" + tr.row() + "," + tr.col() + " midpoint", x, y));
      traces.add(new Charts.Series(tr.array() + ":" + tr.row() + "," + tr.col() + " estimate", x, e));
    }
    if (!traces.isEmpty()) Charts.lines(dir.resolve("convergence.png"), "Convergence: read midpoints and running estimates", "alternating pairs (measured phase)", "conductance (uS)", traces);
    List<Charts.Series> points = new ArrayList<>();
    List<Charts.Series> curves = new ArrayList<>();
    for (SoftBoundFit.Response r : rec.responses()) {
      DeviceFit fit = rec.fits().stream().filter(f -> f.array() == r.array() && f.row() == r.row() && f.col() == r.col()).findFirst().orElse(null);
      int nu = r.upSiemens().length;
      int nd = r.downSiemens().length;
      double[] x = new double[nu + nd];
      double[] y = new double[nu + nd];
      for (int i = 0; i < nu; i++) {
        x[i] = i * r.readEvery();
        y[i] = r.upSiemens()[i] * 1e6;
      }
      for (int i = 0; i < nd; i++) {
        x[nu + i] = r.pulsesPerBranch() + (i + 1) * r.readEvery();
        y[nu + i] = r.downSiemens()[i] * 1e6;
      }
      String name = r.array() + ":" + r.row() + "," + r.col();
      points.add(new Charts.Series(name + " measured", x, y));
      if (fit != null) {
        double[] g = SoftBoundFit.curve(fit, fit.converged() ? r.upSiemens()[0] : r.upSiemens()[0], r.pulsesPerBranch(), r.readEvery());
        double[] gu = new double[g.length];
        for (int i = 0; i < g.length; i++) gu[i] = g[i] * 1e6;
        curves.add(new Charts.Series(name + " fit", x, gu));
      }
      if (points.size() >= 4) break;
    }
    if (!points.isEmpty()) Charts.scatterWithLines(dir.resolve("pulse-response.png"), "Pulse response: measured and fitted", "pulse number (up, then down)", "conductance (uS)", points, curves);
  }

  /** Progress bars on stderr, one per stage; asks to stop when the Ctrl-C hook flips the flag. */
  private static final class BarMonitor implements Monitor, AutoCloseable {
    private final AtomicBoolean stop;
    private final long deadlineNanos;
    private ProgressBar bar;

    BarMonitor(AtomicBoolean stop, long deadlineNanos) {
      this.stop = stop;
      this.deadlineNanos = deadlineNanos;
    }

    @Override
    public void stage(String name, long total, String unit) {
      close();
      bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
          .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUnit(" " + unit, 1).build();
    }

    @Override
    public void advance(long n) {
      if (bar != null) bar.stepBy(n);
    }

    @Override
    public boolean stopRequested() {
      return stop.get() || (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0);
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
        bar = null;
      }
    }
  }
}
