package org.rramctl.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.rramctl.calibration.Calibration;
import org.rramctl.calibration.CalibrationRecord;
import org.rramctl.calibration.CalibrationRecords;
import org.rramctl.calibration.CalibrationSettings;
import org.rramctl.calibration.Handoff;
import org.rramctl.calibration.Monitor;
import org.rramctl.calibration.ReferenceProgramming;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;

/**
 * Puts the reference devices of a network's tiles where a {@link ReferenceScheme} wants them, always with
 * the calibration module's write-verify ({@link ReferenceProgramming}), so the two schemes differ only in the
 * targets:
 *
 * <ul>
 *   <li>{@link ReferenceScheme#CONVENTIONAL}: every reference at mid-range, {@code (G_min + G_max) / 2}.
 *   <li>{@link ReferenceScheme#ZERO_SHIFTED}: every reference at its active device's symmetry point from a
 *       {@link CalibrationRecord} (checked against the board first). A device the record has no symmetry
 *       point for (outside the window, not measured; in records written before stuck devices were judged by their
 *       step at the symmetry point, also stuck) falls back to mid-range and is counted.
 * </ul>
 *
 * For studies of imperfect programming, each target can be moved by a seeded Gaussian error of
 * {@code refErrorStd} times the conductance window (clipped to the window) before it is programmed.
 * All conductances in siemens.
 */
public final class References {
  /** Alternating pairs of 8x-wide pulses, then of nominal pulses, that {@link #settleActive} applies. */
  static final int SETTLE_WIDE_PAIRS = 512;
  static final int SETTLE_NOMINAL_PAIRS = 512;
  static final int SETTLE_WIDTH_FACTOR = 8;

  private References() {}

  /**
   * What reference programming achieved, over all devices of the tiles.
   *
   * @param source where the targets came from ("mid-range", a record's file name, "calibrated first")
   * @param devices reference devices programmed
   * @param reached devices whose last verify read was within the programming tolerance
   * @param fallbacks zero-shifted devices without a symmetry point in the record, programmed to mid-range
   * @param rmsErrorFraction RMS of (last read - programmed target) over the window
   * @param maxErrorFraction largest |last read - programmed target| over the window
   * @param pulses programming pulses applied
   * @param refErrorStd the deliberate programming error's standard deviation, fraction of the window
   */
  public record Outcome(ReferenceScheme scheme, String source, long devices, long reached, long fallbacks, double rmsErrorFraction,
      double maxErrorFraction, long pulses, double refErrorStd) {
    public Outcome {
      if (scheme == null) throw new IllegalArgumentException("scheme: null");
      if (devices < 0 || reached < 0 || reached > devices) {
        throw new IllegalArgumentException("reached: " + reached + " of " + devices + " (expected: 0 <= reached <= devices)");
      }
    }

    /** One line for the terminal. */
    public String describe() {
      return String.format(Locale.ROOT, "references %s (%s): %d devices, %d within tolerance, %d fell back to mid-range, RMS error %.3f %% and max %.3f %% of the window, %d pulses%s",
          scheme.label(), source, devices, reached, fallbacks, 100 * rmsErrorFraction, 100 * maxErrorFraction, pulses,
          refErrorStd > 0 ? String.format(Locale.ROOT, ", deliberate error std %.2f %%", 100 * refErrorStd) : "");
    }
  }

  /** The tiles of every layer of a plan, in layer order. */
  public static List<Tile> tiles(TileLayout layout) {
    List<Tile> tiles = new ArrayList<>();
    for (int k = 0; k < layout.layerCount(); k++) for (TileLayout.Block b : layout.blocks(k)) tiles.add(b.tile());
    return tiles;
  }

  /**
   * Calibration settings for training: the board's defaults with the training's programming pulse (a symmetry
   * point belongs to a pulse shape) and without the model fit, which training does not use.
   */
  public static CalibrationSettings calibrationSettings(BoardInfo info, Pulse up) {
    CalibrationSettings s = CalibrationSettings.defaults(info).withPulse(up.amplitudeVolts(), up.widthNanos()).withFit(0, 2, 0);
    return s.withMinPeriodNanos(Math.max(s.minPeriodNanos(), up.periodNanos()));
  }

  /**
   * Runs the calibration of the calibration module on the tiles (symmetry-point search, then the references
   * written to the symmetry points), leaving the active devices at their symmetry points: array-parallel where the
   * board updates in parallel natively, device by device where it does not (an ArC ONE, a source-measure unit). The
   * parallel search's slow-tail handoff is decided as {@code calibrate --handoff auto} decides it ({@link Handoff#decided}).
   */
  public static CalibrationRecord calibrate(CrossbarDriver driver, List<Tile> tiles, CalibrationSettings s, Monitor monitor) throws IOException {
    Calibration.Mode mode = driver.info().supportsNatively(org.rramctl.driver.Capability.PARALLEL_UPDATE) ? Calibration.Mode.PARALLEL : Calibration.Mode.PER_DEVICE;
    return Calibration.run(driver, tiles, Handoff.decided(driver, tiles, s, mode), mode, monitor);
  }

  /**
   * Drives every active device of the tiles to its symmetry point with array-parallel alternating pulses
   * (wide pulses first, then nominal ones: steps scale with the width, the symmetry point does not), so that a
   * run whose references come from an earlier calibration record starts from {@code W = G - G_ref} near zero,
   * as right after a calibration. No reads; the devices are left in their limit cycle.
   */
  public static void settleActive(CrossbarDriver driver, List<Tile> tiles, Pulse up, Pulse down) throws IOException {
    Pulse wideUp = up.withWidthNanos(up.widthNanos() * SETTLE_WIDTH_FACTOR);
    Pulse wideDown = down.withWidthNanos(down.widthNanos() * SETTLE_WIDTH_FACTOR);
    for (Tile t : tiles) {
      alternate(driver, t, wideUp, wideDown, SETTLE_WIDE_PAIRS);
      alternate(driver, t, up, down, SETTLE_NOMINAL_PAIRS);
    }
  }

  private static void alternate(CrossbarDriver driver, Tile t, Pulse up, Pulse down, int pairs) throws IOException {
    StochasticUpdate u = StochasticUpdate.uniform(t.rows(), t.cols(), Polarity.UP, up, down);
    StochasticUpdate d = StochasticUpdate.uniform(t.rows(), t.cols(), Polarity.DOWN, up, down);
    for (int p = 0; p < pairs; p++) {
      driver.parallelUpdate(t, Plane.ACTIVE, u);
      driver.parallelUpdate(t, Plane.ACTIVE, d);
    }
  }

  /**
   * Programs the references of {@code tiles} for {@code scheme}.
   *
   * @param record the calibration record (ZERO_SHIFTED only; ignored for CONVENTIONAL)
   * @param source where the targets come from, for messages and the outcome
   * @param refErrorStd deliberate programming error, standard deviation as a fraction of the window, 0..0.5
   * @param rng draws the deliberate error (unused when it is 0)
   * @param typicalStepSiemens a typical single-pulse step of the devices, siemens, for the first write-verify move
   * @throws IllegalArgumentException when the record belongs to another board or geometry, or does not cover a tile
   */
  public static Outcome program(CrossbarDriver driver, List<Tile> tiles, ReferenceScheme scheme, CalibrationRecord record, String source,
      double refErrorStd, Rng rng, CalibrationSettings s, double typicalStepSiemens) throws IOException {
    if (!(refErrorStd >= 0 && refErrorStd <= 0.5)) {
      throw new IllegalArgumentException("refErrorStd: " + refErrorStd + " (expected: 0 .. 0.5, a fraction of the conductance window)");
    }
    BoardInfo info = driver.info();
    if (scheme == ReferenceScheme.ZERO_SHIFTED) {
      if (record == null) throw new IllegalArgumentException("record: null (expected: a calibration record for the zero-shifted scheme)");
      CalibrationRecords.checkMatches(record, info, source);
    }
    double gMin = info.gMinSiemens();
    double gMax = info.gMaxSiemens();
    double window = gMax - gMin;
    double mid = (gMin + gMax) / 2;
    long devices = 0;
    long reached = 0;
    long fallbacks = 0;
    long pulses = 0;
    double sumSq = 0;
    double max = 0;
    for (Tile t : tiles) {
      double[] targets = new double[t.devices()];
      for (int k = 0; k < targets.length; k++) targets[k] = mid;
      if (scheme == ReferenceScheme.ZERO_SHIFTED) {
        double[] sp = symmetryPoints(record, t, source);
        for (int k = 0; k < targets.length; k++) {
          if (Double.isNaN(sp[k])) fallbacks++;
          else targets[k] = sp[k];
        }
      }
      if (refErrorStd > 0) {
        for (int k = 0; k < targets.length; k++) targets[k] = Math.max(gMin, Math.min(gMax, targets[k] + refErrorStd * window * gaussian(rng)));
      }
      ReferenceProgramming.Result r = ReferenceProgramming.program(driver, t, targets, typicalStepSiemens, s, Monitor.NONE);
      devices += t.devices();
      reached += r.reachedCount();
      for (int k = 0; k < targets.length; k++) {
        pulses += r.pulses()[k];
        double e = Math.abs(r.errorSiemens()[k]) / window;
        if (Double.isNaN(e)) e = Double.POSITIVE_INFINITY; // stopped before this device: never silently "perfect"
        sumSq += e * e;
        max = Math.max(max, e);
      }
    }
    return new Outcome(scheme, source, devices, reached, fallbacks, devices == 0 ? 0 : Math.sqrt(sumSq / devices), max, pulses, refErrorStd);
  }

  /**
   * The record's symmetry point of every device of {@code t}, row-major (NaN where the record has none).
   *
   * @throws IllegalArgumentException when a device of {@code t} lies in no tile of the record
   */
  static double[] symmetryPoints(CalibrationRecord record, Tile t, String source) {
    double[] sp = new double[t.devices()];
    for (int k = 0; k < sp.length; k++) {
      int row = t.row0() + k / t.cols();
      int col = t.col0() + k % t.cols();
      CalibrationRecord.TileRecord hit = null;
      for (CalibrationRecord.TileRecord tr : record.tiles()) {
        if (tr.array() == t.array() && row >= tr.row0() && row < tr.row0() + tr.rows() && col >= tr.col0() && col < tr.col0() + tr.cols()) {
          hit = tr;
          break;
        }
      }
      if (hit == null) {
        throw new IllegalArgumentException("calibration record " + source + ": no symmetry point for array " + t.array() + " row " + row + " col " + col
            + " (expected: a record covering " + t + ", the tiles this network uses)");
      }
      int i = (row - hit.row0()) * hit.cols() + (col - hit.col0());
      // Calibration leaves the reference of an out-of-window or unmeasured device unprogrammed (NaN): its
      // symmetry-point estimate is not to be trusted either. (A stuck device's is programmed: its weight is best held
      // at zero. Older records left it NaN too.)
      sp[k] = Float.isNaN(hit.refAchievedSiemens()[i]) ? Double.NaN : hit.spSiemens()[i];
    }
    return sp;
  }

  /** Standard normal from two uniforms (Box-Muller); seeded through {@code rng}. */
  static double gaussian(Rng rng) {
    double u1 = 1 - rng.nextDouble(); // (0, 1]: log is finite
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
