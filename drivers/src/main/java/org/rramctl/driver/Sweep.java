package org.rramctl.driver;

import java.util.Arrays;

/**
 * A voltage sweep on one device for {@link SourceMeasure#sweep}: the source levels in order, how long each is
 * held, and the current compliance that holds throughout (mandatory).
 *
 * <p>Staircase ({@code offNanos == 0}): each level is held for {@code stepNanos} and the current is measured at
 * its end, the output staying on from level to level (Keithley's DC staircase sweep). Pulsed
 * ({@code offNanos > 0}): each level is a pulse of {@code stepNanos} measured at its end, with the output
 * back at 0 V for {@code offNanos} before the next (Keithley's pulsed sweep, ArC ONE's CurveTracer in pulse
 * mode). Volts are signed: positive is the SET (UP) polarity.
 *
 * @param levelsVolts the source levels, volts, in order (at least one)
 * @param stepNanos how long each level is applied, ns
 * @param offNanos time at 0 V between levels of a pulsed sweep, ns; 0 for a staircase
 * @param complianceAmps current compliance, amperes (> 0)
 */
public record Sweep(double[] levelsVolts, long stepNanos, long offNanos, double complianceAmps) {
  /** Most points one sweep may hold (a sweep is one command; longer ones are split by the caller). */
  public static final int MAX_POINTS = 100_000;

  public Sweep {
    if (levelsVolts == null || levelsVolts.length == 0 || levelsVolts.length > MAX_POINTS) {
      throw new IllegalArgumentException("levelsVolts: " + (levelsVolts == null ? "null" : levelsVolts.length + " points") + " (expected: 1.." + MAX_POINTS + " points)");
    }
    levelsVolts = levelsVolts.clone();
    for (int i = 0; i < levelsVolts.length; i++) {
      if (!Double.isFinite(levelsVolts[i])) throw new IllegalArgumentException("levelsVolts[" + i + "]: " + levelsVolts[i] + " (expected: finite)");
    }
    if (stepNanos < 1) throw new IllegalArgumentException("stepNanos: " + stepNanos + " (expected: >= 1)");
    if (offNanos < 0) throw new IllegalArgumentException("offNanos: " + offNanos + " (expected: >= 0; 0 for a staircase)");
    if (!(complianceAmps > 0) || Double.isInfinite(complianceAmps)) {
      throw new IllegalArgumentException("complianceAmps: " + complianceAmps + " (expected: finite and > 0; compliance is mandatory)");
    }
  }

  /**
   * A bipolar I-V loop from 0 V: up to {@code setVolts}, back to 0, down to {@code -resetVolts}, back to 0, in
   * steps of {@code stepVolts} (the ArC ONE CurveTracer's and a Keithley staircase's usual shape). The loop
   * starts and ends with a 0 V point only where a step lands there.
   *
   * @param setVolts positive excursion, volts (> 0)
   * @param resetVolts magnitude of the negative excursion, volts (>= 0; 0 for a unipolar loop)
   * @param stepVolts step, volts (> 0)
   */
  public static Sweep loop(double setVolts, double resetVolts, double stepVolts, long stepNanos, long offNanos, double complianceAmps) {
    if (!(setVolts > 0) || Double.isInfinite(setVolts)) throw new IllegalArgumentException("setVolts: " + setVolts + " (expected: finite and > 0)");
    if (!(resetVolts >= 0) || Double.isInfinite(resetVolts)) throw new IllegalArgumentException("resetVolts: " + resetVolts + " (expected: finite and >= 0)");
    if (!(stepVolts > 0) || stepVolts > setVolts) throw new IllegalArgumentException("stepVolts: " + stepVolts + " (expected: 0 < step <= " + setVolts + ")");
    int up = (int) Math.round(setVolts / stepVolts);
    int down = (int) Math.round(resetVolts / stepVolts);
    double[] v = new double[2 * up + 2 * down];
    int n = 0;
    for (int i = 1; i <= up; i++) v[n++] = Math.min(setVolts, i * stepVolts);
    for (int i = up - 1; i >= 0; i--) v[n++] = i * stepVolts;
    for (int i = 1; i <= down; i++) v[n++] = -Math.min(resetVolts, i * stepVolts);
    for (int i = down - 1; i >= 0 && down > 0; i--) v[n++] = i == 0 ? 0 : -i * stepVolts;
    return new Sweep(Arrays.copyOf(v, n), stepNanos, offNanos, complianceAmps);
  }

  /** Number of points. */
  public int points() {
    return levelsVolts.length;
  }

  public double level(int i) {
    return levelsVolts[i];
  }

  public boolean pulsed() {
    return offNanos > 0;
  }

  /** Largest |V| of the sweep. */
  public double maxAbsVolts() {
    double m = 0;
    for (double v : levelsVolts) m = Math.max(m, Math.abs(v));
    return m;
  }

  @Override
  public double[] levelsVolts() {
    return levelsVolts.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sweep s && Arrays.equals(levelsVolts, s.levelsVolts) && stepNanos == s.stepNanos && offNanos == s.offNanos
        && Double.compare(complianceAmps, s.complianceAmps) == 0;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(levelsVolts) * 31 + Long.hashCode(stepNanos) * 17 + Long.hashCode(offNanos) + Double.hashCode(complianceAmps);
  }

  @Override
  public String toString() {
    return (pulsed() ? "pulsed" : "staircase") + " sweep of " + points() + " points to " + maxAbsVolts() + " V, " + Durations.format(stepNanos)
        + " per point" + (pulsed() ? " (" + Durations.format(offNanos) + " off)" : "") + ", compliance " + complianceAmps + " A";
  }
}
