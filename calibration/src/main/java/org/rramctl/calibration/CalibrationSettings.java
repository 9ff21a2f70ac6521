package org.rramctl.calibration;

import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Pulse;

/**
 * Everything a calibration run is told: the pulse it calibrates for, the read voltage, when a symmetry
 * point counts as found, the budgets, and how the reference devices and the model fit are done.
 * Conductances are in siemens; budgets count single pulses per device (an up and a down pulse are two).
 *
 * @param pulseVolts amplitude of the up and down pulses, volts; calibrate with the pulse training uses,
 *     because a device's symmetry point belongs to a pulse shape
 * @param pulseWidthNanos width of those pulses, ns
 * @param readVolts read voltage, volts
 * @param toleranceSiemens the symmetry-point search stops for a device when the standard error of its
 *     estimate is at most this and the estimate moved by at most twice this over the last half-window
 * @param budgetPulses most pulses one device receives in the search (same-sign block included)
 * @param sampleEveryPairs the array is read after an up and after a down pulse once every this many
 *     pairs; consecutive pairs are strongly correlated (tau of hundreds of pairs), so sparse reads lose
 *     almost nothing and save most of the read cost
 * @param checkEveryPairs convergence is checked every this many pairs
 * @param minPairs no device is declared converged before this many pairs
 * @param blockBudgetPulses most pulses of the initial same-sign block (0 disables it)
 * @param approachPairs alternating pairs of wider pulses before the measured alternation (0 disables):
 *     steps scale with the width, the symmetry point does not depend on a common scale of both steps, and
 *     the approach is that many times faster; the measured alternation then uses the calibrated pulse, so
 *     a device whose symmetry point does depend on the width still ends at the right one, only later
 * @param approachWidthFactor width of the approach pulses over the calibrated width
 * @param refToleranceSiemens write-verify of a reference device stops when a read is this close to the target
 * @param refBudgetPulses most pulses per reference device
 * @param refMaxReads most verify reads per reference device
 * @param fitPulses N of the pulse-response measurement (N up, then N down); 0 skips the model fit
 * @param fitReadEvery the fitted devices are read after every this many pulses of the response
 * @param fitDevicesPerArray how many devices per array (spread evenly) get the model fit; -1 for all
 * @param minPeriodNanos the shortest pulse period the board's (or envelope's) pulse-rate limit allows, ns; every
 *     pulse's period is twice its width, or this when longer ({@link Pulse#defaultPeriodNanos}); 0 for no floor
 * @param stopRule what stops a device's search ({@link StopRule}); a record written before this setting existed reads as
 *     {@link StopRule#WINDOW}, the only rule there was
 * @param handoffFraction the array-parallel search hands the devices still searching to single-device calls once at most
 *     this fraction of the tile is left (0: never); {@link #DEFAULT_HANDOFF_FRACTION} where that pays, which depends on
 *     the board's command costs ({@link Handoff}); a record written before this setting existed reads as
 *     {@link #DEFAULT_HANDOFF_FRACTION}, the only value there was
 */
public record CalibrationSettings(
    double pulseVolts,
    long pulseWidthNanos,
    double readVolts,
    double toleranceSiemens,
    int budgetPulses,
    int sampleEveryPairs,
    int checkEveryPairs,
    int minPairs,
    int blockBudgetPulses,
    int approachPairs,
    int approachWidthFactor,
    double refToleranceSiemens,
    int refBudgetPulses,
    int refMaxReads,
    int fitPulses,
    int fitReadEvery,
    int fitDevicesPerArray,
    long minPeriodNanos,
    StopRule stopRule,
    double handoffFraction) {

  /** What decides that a device's symmetry point is known well enough to stop its search. */
  public enum StopRule {
    /**
     * The device's own window: its AR(1) standard error and the difference of its window's halves, both at most the
     * tolerance, from {@code minPairs} on. The own standard error of a window of one to three time constants comes out
     * 2-3 times too small (CALIBRATION-NOTES.md), so this rule stops at about the same pulses whatever the tolerance.
     */
    WINDOW,
    /**
     * The tile's pooled noise model (the array-parallel mode with at least {@value SymmetryPointSearch#POOL_MIN_DEVICES}
     * devices): at the first check, before any device has stopped, the cycle-to-cycle noise is pooled over every
     * device's window ({@code SymmetryPointSearch.Errors.noiseLevel}); from then on a device stops once the standard
     * error that model gives its window is at most the tolerance and its window's halves differ by at most the
     * tolerance. {@code --target-error} uses it. In the per-device mode the first devices of a tile stop on their own
     * windows until the noise samples taken after them pool the level (60 degrees of freedom); the devices after them
     * stop on that level with their own probes' steps.
     */
    POOLED
  }


  /** Default tolerance, as a fraction of the board's conductance window. */
  public static final double DEFAULT_TOLERANCE_FRACTION = 0.0025;
  /** Default reference tolerance, as a fraction of the board's conductance window. */
  public static final double DEFAULT_REF_TOLERANCE_FRACTION = 0.0025;
  /**
   * The tail handoff of the array-parallel search where it pays: once at most this fraction of the tile is still
   * searching. On the emulator a parallel pair costs about 12 ns per device of the tile and a single-device pair about 8
   * times that per device pulsed (CALIBRATION-NOTES.md), so finishing the slow tail one device at a time is cheaper from
   * about an eighth left; a tenth keeps a margin for the single-device reads. (The tail is long: the slowest 1-2 % of
   * devices would otherwise keep the whole tile pulsing to the budget.) On a board a parallel pair is one command for
   * the whole tile and each single-device pulse its own command: there the handoff costs more than it saves
   * ({@link Handoff#AUTO} turns it off).
   */
  public static final double DEFAULT_HANDOFF_FRACTION = 0.1;

  public CalibrationSettings {
    if (!(pulseVolts > 0) || Double.isInfinite(pulseVolts)) throw new IllegalArgumentException("pulseVolts: " + pulseVolts + " (expected: finite and > 0)");
    if (pulseWidthNanos < 1) throw new IllegalArgumentException("pulseWidthNanos: " + pulseWidthNanos + " (expected: >= 1)");
    if (!(readVolts > 0) || Double.isInfinite(readVolts)) throw new IllegalArgumentException("readVolts: " + readVolts + " (expected: finite and > 0)");
    if (!(toleranceSiemens > 0) || Double.isInfinite(toleranceSiemens)) {
      throw new IllegalArgumentException("tolerance: " + toleranceSiemens + " S (expected: finite and > 0)");
    }
    if (sampleEveryPairs < 1) throw new IllegalArgumentException("sampleEveryPairs: " + sampleEveryPairs + " (expected: >= 1)");
    if (checkEveryPairs < sampleEveryPairs) {
      throw new IllegalArgumentException("checkEveryPairs: " + checkEveryPairs + " (expected: >= sampleEveryPairs " + sampleEveryPairs + ")");
    }
    if (minPairs < 4 * sampleEveryPairs) {
      throw new IllegalArgumentException("minPairs: " + minPairs + " (expected: >= 4 x sampleEveryPairs = " + 4 * sampleEveryPairs + ")");
    }
    if (budgetPulses < 2 * minPairs) {
      throw new IllegalArgumentException("budget: " + budgetPulses + " pulses (expected: >= " + 2 * minPairs + ", two pulses for each of the " + minPairs + " pairs the search needs at least)");
    }
    if (blockBudgetPulses < 0) throw new IllegalArgumentException("blockBudgetPulses: " + blockBudgetPulses + " (expected: >= 0)");
    if (approachPairs < 0) throw new IllegalArgumentException("approachPairs: " + approachPairs + " (expected: >= 0)");
    if (approachWidthFactor < 1 || approachWidthFactor > 1000) {
      throw new IllegalArgumentException("approachWidthFactor: " + approachWidthFactor + " (expected: 1..1000)");
    }
    if (2L * approachPairs + 2L * minPairs > budgetPulses) {
      throw new IllegalArgumentException("budget: " + budgetPulses + " pulses (expected: >= " + (2L * approachPairs + 2L * minPairs) + " for " + approachPairs + " approach pairs and " + minPairs + " measured pairs)");
    }
    if (!(refToleranceSiemens > 0) || Double.isInfinite(refToleranceSiemens)) {
      throw new IllegalArgumentException("refTolerance: " + refToleranceSiemens + " S (expected: finite and > 0)");
    }
    if (refBudgetPulses < 1) throw new IllegalArgumentException("refBudgetPulses: " + refBudgetPulses + " (expected: >= 1)");
    if (refMaxReads < 1) throw new IllegalArgumentException("refMaxReads: " + refMaxReads + " (expected: >= 1)");
    if (fitPulses < 0) throw new IllegalArgumentException("fitPulses: " + fitPulses + " (expected: >= 0)");
    if (fitReadEvery < 1) throw new IllegalArgumentException("fitReadEvery: " + fitReadEvery + " (expected: >= 1)");
    if (minPeriodNanos < 0) throw new IllegalArgumentException("minPeriodNanos: " + minPeriodNanos + " (expected: >= 0)");
    if (fitPulses > 0 && fitPulses / fitReadEvery < 8) {
      throw new IllegalArgumentException("fitPulses: " + fitPulses + " with fitReadEvery " + fitReadEvery + " (expected: at least 8 reads per branch)");
    }
    if (fitDevicesPerArray < -1) throw new IllegalArgumentException("fitDevicesPerArray: " + fitDevicesPerArray + " (expected: -1 for all, or >= 0)");
    if (stopRule == null) throw new IllegalArgumentException("stopRule: null (expected: one of " + java.util.Arrays.toString(StopRule.values()) + ")");
    if (!(handoffFraction >= 0 && handoffFraction <= 1)) {
      throw new IllegalArgumentException("handoffFraction: " + handoffFraction + " (expected: 0 (never) .. 1, the fraction of a tile still searching)");
    }
  }

  /** Settings with the default tail handoff ({@link #DEFAULT_HANDOFF_FRACTION}), as before it was a setting. */
  public CalibrationSettings(double pulseVolts, long pulseWidthNanos, double readVolts, double toleranceSiemens, int budgetPulses, int sampleEveryPairs,
      int checkEveryPairs, int minPairs, int blockBudgetPulses, int approachPairs, int approachWidthFactor, double refToleranceSiemens, int refBudgetPulses,
      int refMaxReads, int fitPulses, int fitReadEvery, int fitDevicesPerArray, long minPeriodNanos, StopRule stopRule) {
    this(pulseVolts, pulseWidthNanos, readVolts, toleranceSiemens, budgetPulses, sampleEveryPairs, checkEveryPairs, minPairs, blockBudgetPulses,
        approachPairs, approachWidthFactor, refToleranceSiemens, refBudgetPulses, refMaxReads, fitPulses, fitReadEvery, fitDevicesPerArray, minPeriodNanos,
        stopRule, DEFAULT_HANDOFF_FRACTION);
  }

  /**
   * Defaults for a board: 1.0 V / 100 ns pulses, 0.2 V reads, tolerances of 0.25 % of the board's
   * conductance window, a budget of 16384 pulses (8192 pairs, about 16 tau at dw_min 0.001 and b = 1).
   */
  public static CalibrationSettings defaults(BoardInfo info) {
    double window = info.gMaxSiemens() - info.gMinSiemens();
    return new CalibrationSettings(1.0, 100, 0.2, DEFAULT_TOLERANCE_FRACTION * window, 16_384, 32, 256, 2048, 4096, 1024, 8,
        DEFAULT_REF_TOLERANCE_FRACTION * window, 32_768, 32, 500, 2, 64, info.hardwareLimits().minPeriodNanos(), StopRule.WINDOW, DEFAULT_HANDOFF_FRACTION);
  }

  public Pulse upPulse() {
    return pulse(org.rramctl.driver.Polarity.UP, pulseWidthNanos);
  }

  public Pulse downPulse() {
    return pulse(org.rramctl.driver.Polarity.DOWN, pulseWidthNanos);
  }

  /** The wider pulse of the approach phase. */
  public Pulse approachPulse(org.rramctl.driver.Polarity p) {
    return pulse(p, pulseWidthNanos * approachWidthFactor);
  }

  private Pulse pulse(org.rramctl.driver.Polarity p, long widthNanos) {
    return new Pulse(p, pulseVolts, widthNanos, Math.max(Math.multiplyExact(widthNanos, 2), minPeriodNanos));
  }

  /** The shortest pulse period to use (a narrower envelope's rate limit, or the training pulse's period), ns. */
  public CalibrationSettings withMinPeriodNanos(long nanos) {
    return new CalibrationSettings(pulseVolts, pulseWidthNanos, readVolts, toleranceSiemens, budgetPulses, sampleEveryPairs, checkEveryPairs, minPairs,
        blockBudgetPulses, approachPairs, approachWidthFactor, refToleranceSiemens, refBudgetPulses, refMaxReads, fitPulses, fitReadEvery, fitDevicesPerArray, nanos, stopRule, handoffFraction);
  }

  public CalibrationSettings withApproach(int pairs, int widthFactor) {
    return new CalibrationSettings(pulseVolts, pulseWidthNanos, readVolts, toleranceSiemens, budgetPulses, sampleEveryPairs, checkEveryPairs, minPairs,
        blockBudgetPulses, pairs, widthFactor, refToleranceSiemens, refBudgetPulses, refMaxReads, fitPulses, fitReadEvery, fitDevicesPerArray, minPeriodNanos, stopRule, handoffFraction);
  }

  public CalibrationSettings withTolerance(double siemens) {
    return new CalibrationSettings(pulseVolts, pulseWidthNanos, readVolts, siemens, budgetPulses, sampleEveryPairs, checkEveryPairs, minPairs,
        blockBudgetPulses, approachPairs, approachWidthFactor, refToleranceSiemens, refBudgetPulses, refMaxReads, fitPulses, fitReadEvery, fitDevicesPerArray, minPeriodNanos, stopRule, handoffFraction);
  }

  public CalibrationSettings withBudget(int pulses) {
    return new CalibrationSettings(pulseVolts, pulseWidthNanos, readVolts, toleranceSiemens, pulses, sampleEveryPairs, checkEveryPairs, minPairs,
        blockBudgetPulses, approachPairs, approachWidthFactor, refToleranceSiemens, refBudgetPulses, refMaxReads, fitPulses, fitReadEvery, fitDevicesPerArray, minPeriodNanos, stopRule, handoffFraction);
  }

  public CalibrationSettings withSampling(int sampleEvery, int checkEvery, int min) {
    return new CalibrationSettings(pulseVolts, pulseWidthNanos, readVolts, toleranceSiemens, budgetPulses, sampleEvery, checkEvery, min,
        blockBudgetPulses, approachPairs, approachWidthFactor, refToleranceSiemens, refBudgetPulses, refMaxReads, fitPulses, fitReadEvery, fitDevicesPerArray, minPeriodNanos, stopRule, handoffFraction);
  }

  public CalibrationSettings withRefTolerance(double siemens) {
    return new CalibrationSettings(pulseVolts, pulseWidthNanos, readVolts, toleranceSiemens, budgetPulses, sampleEveryPairs, checkEveryPairs, minPairs,
        blockBudgetPulses, approachPairs, approachWidthFactor, siemens, refBudgetPulses, refMaxReads, fitPulses, fitReadEvery, fitDevicesPerArray, minPeriodNanos, stopRule, handoffFraction);
  }

  public CalibrationSettings withFit(int pulses, int readEvery, int devicesPerArray) {
    return new CalibrationSettings(pulseVolts, pulseWidthNanos, readVolts, toleranceSiemens, budgetPulses, sampleEveryPairs, checkEveryPairs, minPairs,
        blockBudgetPulses, approachPairs, approachWidthFactor, refToleranceSiemens, refBudgetPulses, refMaxReads, pulses, readEvery, devicesPerArray, minPeriodNanos, stopRule, handoffFraction);
  }

  public CalibrationSettings withPulse(double volts, long widthNanos) {
    return new CalibrationSettings(volts, widthNanos, readVolts, toleranceSiemens, budgetPulses, sampleEveryPairs, checkEveryPairs, minPairs,
        blockBudgetPulses, approachPairs, approachWidthFactor, refToleranceSiemens, refBudgetPulses, refMaxReads, fitPulses, fitReadEvery, fitDevicesPerArray, minPeriodNanos, stopRule, handoffFraction);
  }

  /** The read voltage for every read of the calibration, volts. */
  public CalibrationSettings withReadVolts(double volts) {
    return new CalibrationSettings(pulseVolts, pulseWidthNanos, volts, toleranceSiemens, budgetPulses, sampleEveryPairs, checkEveryPairs, minPairs,
        blockBudgetPulses, approachPairs, approachWidthFactor, refToleranceSiemens, refBudgetPulses, refMaxReads, fitPulses, fitReadEvery, fitDevicesPerArray, minPeriodNanos, stopRule, handoffFraction);
  }

  /**
   * Stop each device once the half-width of its 95 % interval is {@code siemens95}: the tolerance is that over 1.96 and
   * the stopping rule {@link StopRule#POOLED}. {@code minPairs} stays: a window that starts sooner than about 1.5 time
   * constants after the approach keeps some of the approach, which its interval does not cover (measured on the
   * emulator, CALIBRATION-NOTES.md: coverage 89 % with the first check at 1,024 pairs, 92 % at 1,536, 94 % at 2,048).
   */
  public CalibrationSettings withTargetError(double siemens95) {
    return new CalibrationSettings(pulseVolts, pulseWidthNanos, readVolts, siemens95 / Calibration.Z95, budgetPulses, sampleEveryPairs, checkEveryPairs,
        minPairs, blockBudgetPulses, approachPairs, approachWidthFactor, refToleranceSiemens, refBudgetPulses, refMaxReads, fitPulses,
        fitReadEvery, fitDevicesPerArray, minPeriodNanos, StopRule.POOLED, handoffFraction);
  }

  /** The tail handoff of the array-parallel search: at most this fraction of the tile still searching, 0 for never. */
  public CalibrationSettings withHandoffFraction(double fraction) {
    return new CalibrationSettings(pulseVolts, pulseWidthNanos, readVolts, toleranceSiemens, budgetPulses, sampleEveryPairs, checkEveryPairs, minPairs,
        blockBudgetPulses, approachPairs, approachWidthFactor, refToleranceSiemens, refBudgetPulses, refMaxReads, fitPulses, fitReadEvery, fitDevicesPerArray,
        minPeriodNanos, stopRule, fraction);
  }

  public CalibrationSettings withBlockBudget(int pulses) {
    return new CalibrationSettings(pulseVolts, pulseWidthNanos, readVolts, toleranceSiemens, budgetPulses, sampleEveryPairs, checkEveryPairs, minPairs,
        pulses, approachPairs, approachWidthFactor, refToleranceSiemens, refBudgetPulses, refMaxReads, fitPulses, fitReadEvery, fitDevicesPerArray, minPeriodNanos, stopRule, handoffFraction);
  }
}
