package org.rramctl.calibration;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Limits;
import org.rramctl.driver.Tile;

/**
 * A whole calibration run over some tiles: the pulse-response fit, the symmetry-point search, the
 * classification of implausible devices, and reference programming, collected into one
 * {@link CalibrationRecord}. When the monitor asks to stop (or the driver is aborted) the run ends at the
 * next safe point and the record holds what was measured, marked incomplete.
 */
public final class Calibration {
  /** How the symmetry-point search drives the devices. */
  public enum Mode {
    /** The whole tile at once with the parallel update; needs a board that does it natively. */
    PARALLEL,
    /** One device at a time with single-device calls. */
    PER_DEVICE
  }

  /**
   * The error a symmetry point may have, in tolerances (1 % of the window at the default tolerance, the accuracy
   * bar of CalibrationAccuracyTest): a device whose 95 % interval is wider than that is uncertain.
   */
  static final double LARGE_ERROR_TOLERANCES = 4;
  /** Half-width of a 95 % interval in standard errors. */
  public static final double Z95 = 1.959964;
  /** Fit and pulsed symmetry points disagree when apart by more than this many combined standard errors ... */
  static final double FIT_DISAGREE_SIGMAS = 4;
  /** ... and by more than this fraction of the window (the fit's covariance understates its error). */
  static final double FIT_DISAGREE_FRACTION = 0.03;
  /** A device whose step at its symmetry point is less than this fraction of the tile's median step there is stuck. */
  static final double STUCK_FRACTION = 0.1;
  /** Measured pulse responses kept in the record per tile, for plots. */
  static final int KEPT_RESPONSES = 4;

  private Calibration() {}

  public static CalibrationRecord run(CrossbarDriver driver, List<Tile> tiles, CalibrationSettings s, Mode mode, Monitor monitor) throws IOException {
    BoardInfo info = driver.info();
    for (Tile t : tiles) info.checkTile(t);
    // Refused before the first pulse: the search would otherwise find out after the model fit had pulsed the tile.
    if (mode == Mode.PARALLEL && !info.supportsNatively(org.rramctl.driver.Capability.PARALLEL_UPDATE)) {
      throw new IllegalArgumentException("mode parallel: board " + info.boardId()
          + " has no native parallel update (expected: --mode per-device on this board)");
    }
    String started = Instant.now().toString();
    List<CalibrationRecord.TileRecord> tileRecords = new ArrayList<>();
    List<DeviceFit> fits = new ArrayList<>();
    List<Failure> failures = new ArrayList<>();
    List<Trace> traces = new ArrayList<>();
    List<SoftBoundFit.Response> responses = new ArrayList<>();
    boolean complete = true;
    for (Tile tile : tiles) {
      // A stop before the first tile still measures it as far as the search allows (its devices NOT_MEASURED), so that
      // the record has a tile: a record without one is not a valid record (CalibrationRecords refuses it on load).
      if (monitor.stopRequested() && !tileRecords.isEmpty()) {
        complete = false;
        break;
      }
      // The response first: it moves the devices, and the search afterwards brings them back to their symmetry points.
      List<DeviceFit> tileFits = new ArrayList<>();
      if (s.fitPulses() > 0 && !monitor.stopRequested()) {
        List<SoftBoundFit.Response> measured = SoftBoundFit.measure(driver, tile, s, mode == Mode.PARALLEL, monitor);
        for (SoftBoundFit.Response r : measured) tileFits.add(SoftBoundFit.fit(r, info.gMinSiemens(), info.gMaxSiemens()));
        responses.addAll(measured.subList(0, Math.min(KEPT_RESPONSES, measured.size())));
      }
      TileSearch search = mode == Mode.PARALLEL
          ? SymmetryPointSearch.parallel(driver, tile, s, monitor)
          : SymmetryPointSearch.perDevice(driver, tile, s, monitor);
      traces.addAll(search.traces());
      boolean[] skipRef = new boolean[tile.devices()];
      failures.addAll(classify(search, info, s, skipRef));
      double[] targets = search.estimateSiemens().clone();
      for (int k = 0; k < targets.length; k++) if (skipRef[k]) targets[k] = Double.NaN;
      // An instrument without reference devices (a one-channel SMU) gets the symmetry points only.
      ReferenceProgramming.Result ref = info.array(tile.array()).hasReference()
          ? ReferenceProgramming.program(driver, tile, targets, typicalStep(search, info), s, monitor)
          : ReferenceProgramming.none(tile, targets);
      for (int k = 0; k < tile.devices(); k++) {
        if (!Double.isNaN(targets[k]) && !Double.isNaN(ref.achievedSiemens()[k]) && !ref.reached()[k]) {
          failures.add(new Failure(tile.array(), tile.row0() + k / tile.cols(), tile.col0() + k % tile.cols(), Failure.Reason.REFERENCE_NOT_REACHED,
              String.format(Locale.ROOT, "reference %.4g S, target %.4g S, error %.3g S after %d pulses and %d reads (tolerance %.3g S)",
                  ref.achievedSiemens()[k], targets[k], ref.errorSiemens()[k], ref.pulses()[k], ref.reads()[k], s.refToleranceSiemens())));
        }
      }
      for (DeviceFit f : tileFits) failures.addAll(crossCheck(f, search, info));
      fits.addAll(tileFits);
      tileRecords.add(toRecord(search, ref));
      for (SearchStatus st : search.status()) if (st == SearchStatus.INTERRUPTED || st == SearchStatus.NOT_MEASURED) complete = false;
      if (monitor.stopRequested()) complete = false;
    }
    Limits envelope = driver instanceof EnvelopedDriver e ? e.envelope().limits() : info.hardwareLimits();
    return new CalibrationRecord(CalibrationRecord.SCHEMA, CalibrationRecord.Board.of(info), envelope, s,
        mode.name().toLowerCase(Locale.ROOT).replace('_', '-'), started, Instant.now().toString(), complete, tileRecords, fits, failures, traces, responses);
  }

  /** The error a symmetry point may have before its device counts as uncertain, siemens ({@link #LARGE_ERROR_TOLERANCES} tolerances). */
  public static double errorLimitSiemens(CalibrationSettings s) {
    return LARGE_ERROR_TOLERANCES * s.toleranceSiemens();
  }

  /**
   * True when a symmetry point's 95 % interval (+-{@link #Z95} standard errors) is wider than
   * {@link #errorLimitSiemens}: the device may be fine, but the measurement cannot tell (not a failure).
   */
  public static boolean uncertain(double stdErrorSiemens, CalibrationSettings s) {
    return !(Z95 * stdErrorSiemens <= errorLimitSiemens(s));
  }

  /** The median positive limit-cycle step of a tile, or 0.1 % of the window when there is none. */
  static double typicalStep(TileSearch search, BoardInfo info) {
    double[] st = Arrays.stream(search.upResponseSiemens()).filter(v -> v > 0).toArray();
    return st.length == 0 ? 1e-3 * (info.gMaxSiemens() - info.gMinSiemens()) : SymmetryPointSearch.median(st) / SymmetryPointSearch.PROBE_PULSES;
  }

  /** The median of the values that are not NaN, or 0 when there is none. */
  private static double typical(double[] v) {
    double[] st = Arrays.stream(v).filter(x -> !Double.isNaN(x)).toArray();
    return st.length == 0 ? 0 : SymmetryPointSearch.median(st);
  }

  /**
   * Each device's conductance step of one pulse at its symmetry point, siemens
   * ({@code SymmetryPointSearch.Errors.stepAtSymmetryPoint}); NaN where the device was not measured.
   */
  static double[] stepsAtSymmetryPoint(TileSearch search, BoardInfo info) {
    double[] a = new double[search.devices()];
    for (int k = 0; k < a.length; k++) {
      a[k] = search.status()[k] == SearchStatus.NOT_MEASURED ? Double.NaN
          : SymmetryPointSearch.Errors.stepAtSymmetryPoint(search.upResponseSiemens()[k], search.downResponseSiemens()[k], search.probeEndSiemens()[k],
              search.estimateSiemens()[k], info.gMinSiemens(), info.gMaxSiemens(), SymmetryPointSearch.PROBE_PULSES);
    }
    return a;
  }

  /**
   * Lists implausible devices; marks in {@code skipRef} those whose reference must not be programmed.
   *
   * <p>A device is judged by what does not depend on where its probe started: its symmetry point, and its step at
   * the symmetry point. The probe's responses themselves do: a lopsided device (its symmetry point a few per cent of
   * the window from G_max, s_up / s_down of 6-460) moves a lot when the probe finds it mid-window, as on a first
   * calibration, and hardly at all when it starts at its symmetry point, where a calibration leaves it; judged by its
   * responses it was listed STUCK on every calibration but the first (CALIBRATION-NOTES.md).
   */
  static List<Failure> classify(TileSearch search, BoardInfo info, CalibrationSettings s, boolean[] skipRef) {
    List<Failure> out = new ArrayList<>();
    Tile t = search.tile();
    double[] step = stepsAtSymmetryPoint(search, info);
    double stepTypical = typical(step);
    for (int k = 0; k < t.devices(); k++) {
      int row = t.row0() + k / t.cols();
      int col = t.col0() + k % t.cols();
      double est = search.estimateSiemens()[k];
      SearchStatus st = search.status()[k];
      if (st == SearchStatus.NOT_MEASURED || st == SearchStatus.INTERRUPTED) {
        out.add(new Failure(t.array(), row, col, Failure.Reason.INTERRUPTED, "search stopped after " + search.pulses()[k] + " pulses"));
        skipRef[k] = st == SearchStatus.NOT_MEASURED;
        continue;
      }
      if (est < info.gMinSiemens() || est > info.gMaxSiemens()) {
        out.add(new Failure(t.array(), row, col, Failure.Reason.OUTSIDE_WINDOW,
            String.format(Locale.ROOT, "symmetry point %.4g S (expected: %.4g .. %.4g S)", est, info.gMinSiemens(), info.gMaxSiemens())));
        skipRef[k] = true;
        continue;
      }
      // Stuck: at its symmetry point a pulse moves the device less than a tenth of what it moves the tile's median
      // device there. A dead device (no response at all) is the extreme case; a lopsided one is pinned near its bound.
      // Either way zero-shifted training barely moves the weight, and its reference is still programmed to where the
      // device sits (its symmetry point, measured like any other's): a weight that does not move is best left at zero,
      // not at the mid-range fallback, which would make it a constant of up to half the window.
      if (!(step[k] > STUCK_FRACTION * stepTypical)) {
        out.add(new Failure(t.array(), row, col, Failure.Reason.STUCK,
            String.format(Locale.ROOT, "a pulse moves it %.3g S at its symmetry point %.4g S (%.1f %% of the window), %.2g of the tile's median %.3g S"
                    + " (soft-bound model; %d up pulses moved it %.3g S, %d down %.3g S): zero-shifted training barely moves this weight;"
                    + " its reference is programmed to its symmetry point",
                step[k], est, 100 * (est - info.gMinSiemens()) / (info.gMaxSiemens() - info.gMinSiemens()), step[k] / stepTypical, stepTypical,
                SymmetryPointSearch.PROBE_PULSES, search.upResponseSiemens()[k], SymmetryPointSearch.PROBE_PULSES, search.downResponseSiemens()[k])));
      }
      // A device that ran to the budget, or whose interval is wide, is not listed: nothing says it is off. Its
      // standard error is in the record, and the summary counts it as uncertain when the interval is wider than the
      // error limit (issue 19: 12 % of 235k devices used to be listed as failed on a standard error that was 3.9 times
      // the real error).
    }
    return out;
  }

  static List<Failure> crossCheck(DeviceFit f, TileSearch search, BoardInfo info) {
    Tile t = search.tile();
    int k = (f.row() - t.row0()) * t.cols() + (f.col() - t.col0());
    double est = search.estimateSiemens()[k];
    if (Double.isNaN(est)) return List.of();
    if (!f.converged()) {
      return List.of(new Failure(f.array(), f.row(), f.col(), Failure.Reason.FIT_FAILED, "Levenberg-Marquardt did not converge"));
    }
    double diff = Math.abs(f.spSiemens() - est);
    double sigma = Math.hypot(search.stdErrorSiemens()[k], f.spStdErrorSiemens());
    double window = info.gMaxSiemens() - info.gMinSiemens();
    if (diff > FIT_DISAGREE_SIGMAS * sigma && diff > FIT_DISAGREE_FRACTION * window) {
      return List.of(new Failure(f.array(), f.row(), f.col(), Failure.Reason.FIT_DISAGREES,
          String.format(Locale.ROOT, "fitted symmetry point %.4g S vs pulsed %.4g S (apart %.3g S, combined standard error %.3g S)", f.spSiemens(), est, diff, sigma)));
    }
    return List.of();
  }

  static CalibrationRecord.TileRecord toRecord(TileSearch s, ReferenceProgramming.Result ref) {
    Tile t = s.tile();
    StringBuilder status = new StringBuilder(t.devices());
    for (SearchStatus st : s.status()) status.append(st.code());
    return new CalibrationRecord.TileRecord(t.array(), t.row0(), t.col0(), t.rows(), t.cols(), s.blockPulses(),
        floats(s.estimateSiemens()), floats(s.stdErrorSiemens()), s.pulses().clone(), status.toString(), floats(s.upResponseSiemens()), floats(s.downResponseSiemens()),
        floats(ref.achievedSiemens()), floats(ref.errorSiemens()), ref.pulses().clone(), ref.reads().clone());
  }

  static float[] floats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
    return f;
  }
}
