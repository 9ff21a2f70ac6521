package org.rramctl.calibration;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Tile;

/**
 * How long a calibration will take on this board, from a short timing probe of its pulse and read rates, before the
 * run starts. The probe applies {@value #PROBE_PAIRS} alternating pulse pairs (up, down: the device ends about where
 * it started, and the search that follows moves it anyway) and as many reads, on the first device (and, in the
 * array-parallel mode, on the first tile), and times them on the wall clock.
 *
 * <p>The count of operations follows the search ({@link SymmetryPointSearch}): per pair two pulses, and every
 * {@code sampleEveryPairs} pairs both pulses are followed by a read; per device (per-device mode) or per tile
 * (array-parallel mode) up to {@code budgetPulses} pulses. A device that converges at the first check spends
 * {@code 2 minPairs} pulses of alternation plus the probe and approach; {@link #fastSeconds} counts that, {@link #budgetSeconds}
 * the whole budget. Reference programming (about 5 write-verify reads and a few pulse commands per device, measured on
 * the emulator) and the model fit are added to both.
 *
 * @param pulseSeconds one pulse command (one device, or the whole tile in the parallel mode)
 * @param readSeconds one read (one device, or the whole array in the parallel mode)
 * @param singlePulseSeconds one single-device pulse command (reference programming)
 * @param singleReadSeconds one single-device read (reference programming)
 * @param fastSeconds the whole run if every device converged at the first check
 * @param budgetSeconds the whole run if every device ran to the budget
 */
public record TimeEstimate(double pulseSeconds, double readSeconds, double singlePulseSeconds, double singleReadSeconds,
    double fastSeconds, double budgetSeconds) {
  /** Pulse pairs and reads the probe times. */
  public static final int PROBE_PAIRS = 8;
  /** Write-verify reads per reference device, median on the emulator (64 x 64: 18,218 reads for 4,096 devices). */
  static final double REF_READS_PER_DEVICE = 4.5;

  /**
   * Seconds of one alternating pair of the array-parallel search on the probed tile: two parallel pulse commands, and
   * the two array reads of a sampled pair spread over the {@code sampleEveryPairs} pairs between samples.
   */
  public double tilePairSeconds(int sampleEveryPairs) {
    return 2 * pulseSeconds + 2 * readSeconds / sampleEveryPairs;
  }

  /**
   * Seconds of one alternating pair of one device through single-device calls (the slow tail, {@link Handoff}): two
   * pulse commands, and the reads of a sampled pair (a pulse-then-read each, counted as a pulse and a read) spread as above.
   */
  public double devicePairSeconds(int sampleEveryPairs) {
    return 2 * singlePulseSeconds + 2 * singleReadSeconds / sampleEveryPairs;
  }

  /** Times the board and counts the run's operations. */
  public static TimeEstimate probe(CrossbarDriver driver, List<Tile> tiles, CalibrationSettings s, Calibration.Mode mode) throws IOException {
    return probe(driver, tiles, s, mode, System::nanoTime);
  }

  /** As above, timed on {@code nanoClock} (tests pass a modelled clock). */
  static TimeEstimate probe(CrossbarDriver driver, List<Tile> tiles, CalibrationSettings s, Calibration.Mode mode, LongSupplier nanoClock) throws IOException {
    Tile first = tiles.get(0);
    // The parallel actuator first: a board without a native parallel update is refused before any pulse.
    Actuator tile = mode == Calibration.Mode.PARALLEL ? Actuators.parallel(driver, first, Plane.ACTIVE, s) : null;
    Cell cell = Cell.active(first.array(), first.row0(), first.col0());
    Actuator single = Actuators.single(driver, cell, s.upPulse(), s.downPulse(), s.readVolts());
    double[] one = new double[1];
    double sPulse = medianPulseSeconds(single, nanoClock);
    double sRead = medianReadSeconds(single, one, nanoClock);
    double pulse = sPulse;
    double read = sRead;
    if (tile != null) {
      pulse = medianPulseSeconds(tile, nanoClock);
      read = medianReadSeconds(tile, new double[first.devices()], nanoClock);
    }
    return count(tiles, s, mode, pulse, read, sPulse, sRead);
  }

  /**
   * The median time of one pulse command over {@value #PROBE_PAIRS} alternating pairs, each timed on its own: the first
   * calls of a fresh JVM (or a board's first command) take many times longer than the rest (a 64 x 64 emulator: 4.6 ms
   * on average against 0.9 ms in the run), and the median keeps them out.
   */
  private static double medianPulseSeconds(Actuator a, LongSupplier clock) throws IOException {
    double[] t = new double[2 * PROBE_PAIRS];
    for (int i = 0; i < PROBE_PAIRS; i++) {
      long t0 = clock.getAsLong();
      a.pulse(Polarity.UP);
      long t1 = clock.getAsLong();
      a.pulse(Polarity.DOWN);
      long t2 = clock.getAsLong();
      t[2 * i] = (t1 - t0) / 1e9;
      t[2 * i + 1] = (t2 - t1) / 1e9;
    }
    return SymmetryPointSearch.median(t);
  }

  private static double medianReadSeconds(Actuator a, double[] out, LongSupplier clock) throws IOException {
    double[] t = new double[2 * PROBE_PAIRS];
    for (int i = 0; i < t.length; i++) {
      long t0 = clock.getAsLong();
      a.read(out);
      t[i] = (clock.getAsLong() - t0) / 1e9;
    }
    return SymmetryPointSearch.median(t);
  }

  /** The estimate for measured operation times (see the type's description). */
  static TimeEstimate count(List<Tile> tiles, CalibrationSettings s, Calibration.Mode mode, double pulse, double read, double sPulse, double sRead) {
    long devices = 0;
    for (Tile t : tiles) devices += t.devices();
    long units = mode == Calibration.Mode.PARALLEL ? tiles.size() : devices;
    double fast = units * search(s, 2L * s.minPairs(), pulse, read);
    double budget = units * search(s, s.budgetPulses() - overhead(s), pulse, read);
    // Model fit: fitPulses up then down, a read every fitReadEvery; on fitDevicesPerArray devices (per-device) or the tile.
    double fit = s.fitPulses() == 0 ? 0 : (mode == Calibration.Mode.PARALLEL ? tiles.size()
        : Math.min(devices, s.fitDevicesPerArray() < 0 ? devices : (long) s.fitDevicesPerArray() * tiles.size()))
        * (2.0 * s.fitPulses() / s.fitReadEvery()) * (read + pulse);
    double ref = devices * REF_READS_PER_DEVICE * (sRead + sPulse);
    return new TimeEstimate(pulse, read, sPulse, sRead, fast + fit + ref, budget + fit + ref);
  }

  /** Pulses of the search outside the alternation: the response probe and the approach pairs. */
  private static long overhead(CalibrationSettings s) {
    return 2L * SymmetryPointSearch.PROBE_PULSES + 2L * s.approachPairs();
  }

  /** Seconds of one search (one device, or one tile in parallel) with {@code alternation} alternating pulses. */
  private static double search(CalibrationSettings s, long alternation, double pulse, double read) {
    long pairs = alternation / 2;
    long commands = 2 * SymmetryPointSearch.PROBE_PULSES / 64 + 2 + 2L * s.approachPairs() + 2 * pairs;
    long reads = 3 + 2 * (pairs / s.sampleEveryPairs());
    return commands * pulse + reads * read;
  }

  /**
   * The SP error the budget buys, from the emulator's measured curve (CALIBRATION-NOTES.md, rram-imbalanced, every device
   * run to the budget): 95th percentile in per cent of the window, interpolated in log-log.
   */
  public static double emulatorP95PercentAt(int budgetPulses) {
    int[] b = {2048, 4096, 8192, 16384, 32768};
    double[] p95 = {6.31, 1.32, 0.42, 0.28, 0.19};
    if (budgetPulses <= b[0]) return p95[0];
    for (int i = 1; i < b.length; i++) {
      if (budgetPulses <= b[i]) {
        double f = Math.log((double) budgetPulses / b[i - 1]) / Math.log((double) b[i] / b[i - 1]);
        return Math.exp(Math.log(p95[i - 1]) + f * (Math.log(p95[i]) - Math.log(p95[i - 1])));
      }
    }
    return p95[p95.length - 1] * Math.sqrt((double) b[b.length - 1] / budgetPulses);
  }

  /** Two lines for the start of a run. */
  public String describe(CalibrationSettings s, double windowSiemens) {
    return String.format(Locale.ROOT, "timing probe: %s per pulse command, %s per read; estimated time %s (every device converging at the first check)"
        + " to %s (every device running to the budget of %d pulses)%n"
        + "expected symmetry-point error: devices stop when their standard error is %.2f %% of the window; at the budget, 95 %% of devices within"
        + " about %.2f %% (the emulator's rram-imbalanced preset)", duration(pulseSeconds), duration(readSeconds), duration(fastSeconds),
        duration(budgetSeconds), s.budgetPulses(), 100 * s.toleranceSiemens() / windowSiemens, emulatorP95PercentAt(s.budgetPulses()));
  }

  static String duration(double seconds) {
    if (seconds < 1e-3) return String.format(Locale.ROOT, "%.0f us", seconds * 1e6);
    if (seconds < 1) return String.format(Locale.ROOT, "%.1f ms", seconds * 1e3);
    if (seconds < 120) return String.format(Locale.ROOT, "%.1f s", seconds);
    if (seconds < 7200) return String.format(Locale.ROOT, "%.0f min", seconds / 60);
    return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
  }
}
