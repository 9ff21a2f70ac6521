package org.rramctl.driver;

/**
 * A set of electrical limits. A board reports its hardware limits in {@link BoardInfo}; a
 * {@link SafetyEnvelope} carries the (never wider) limits the host enforces.
 *
 * @param maxPulseVolts largest pulse amplitude magnitude, volts
 * @param maxReadVolts largest read voltage magnitude (single reads and vector-read inputs), volts
 * @param minPulseWidthNanos shortest pulse width, ns
 * @param maxPulseWidthNanos longest pulse width, ns
 * @param maxPulsesPerCommand most pulses one command may ask for on one device
 * @param maxPulseRateHz highest pulse rate within a train (1e9 / period), Hz
 * @param complianceAmps current compliance applied during pulses and reads, amperes
 */
public record Limits(
    double maxPulseVolts,
    double maxReadVolts,
    long minPulseWidthNanos,
    long maxPulseWidthNanos,
    int maxPulsesPerCommand,
    double maxPulseRateHz,
    double complianceAmps) {
  public Limits {
    positive("maxPulseVolts", maxPulseVolts);
    positive("maxReadVolts", maxReadVolts);
    if (minPulseWidthNanos < 1) throw new IllegalArgumentException("minPulseWidthNanos: " + minPulseWidthNanos + " (expected: >= 1)");
    if (maxPulseWidthNanos < minPulseWidthNanos) {
      throw new IllegalArgumentException("maxPulseWidthNanos: " + maxPulseWidthNanos + " (expected: >= minPulseWidthNanos " + minPulseWidthNanos + ")");
    }
    if (maxPulsesPerCommand < 1) throw new IllegalArgumentException("maxPulsesPerCommand: " + maxPulsesPerCommand + " (expected: >= 1)");
    positive("maxPulseRateHz", maxPulseRateHz);
    positive("complianceAmps", complianceAmps);
  }

  /**
   * The shortest pulse period within a train that {@link #maxPulseRateHz} allows, ns: the smallest whole
   * period p with 1e9 / p &lt;= maxPulseRateHz (1,000 ns at 1 MHz).
   */
  public long minPeriodNanos() {
    long p = (long) Math.ceil(1e9 / maxPulseRateHz);
    while (1e9 / p > maxPulseRateHz) p++;
    return Math.max(1, p);
  }

  private static void positive(String name, double v) {
    if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(name + ": " + v + " (expected: finite and > 0)");
  }

  /**
   * Names the first limit in which {@code this} is wider than {@code outer}, or null when it lies within.
   */
  public String firstWiderThan(Limits outer) {
    if (maxPulseVolts > outer.maxPulseVolts) return "maxPulseVolts " + maxPulseVolts + " > " + outer.maxPulseVolts;
    if (maxReadVolts > outer.maxReadVolts) return "maxReadVolts " + maxReadVolts + " > " + outer.maxReadVolts;
    if (minPulseWidthNanos < outer.minPulseWidthNanos) return "minPulseWidthNanos " + minPulseWidthNanos + " < " + outer.minPulseWidthNanos;
    if (maxPulseWidthNanos > outer.maxPulseWidthNanos) return "maxPulseWidthNanos " + maxPulseWidthNanos + " > " + outer.maxPulseWidthNanos;
    if (maxPulsesPerCommand > outer.maxPulsesPerCommand) return "maxPulsesPerCommand " + maxPulsesPerCommand + " > " + outer.maxPulsesPerCommand;
    if (maxPulseRateHz > outer.maxPulseRateHz) return "maxPulseRateHz " + maxPulseRateHz + " > " + outer.maxPulseRateHz;
    if (complianceAmps > outer.complianceAmps) return "complianceAmps " + complianceAmps + " > " + outer.complianceAmps;
    return null;
  }

  public Limits withMaxPulseVolts(double v) {
    return new Limits(v, maxReadVolts, minPulseWidthNanos, maxPulseWidthNanos, maxPulsesPerCommand, maxPulseRateHz, complianceAmps);
  }

  public Limits withMaxReadVolts(double v) {
    return new Limits(maxPulseVolts, v, minPulseWidthNanos, maxPulseWidthNanos, maxPulsesPerCommand, maxPulseRateHz, complianceAmps);
  }

  public Limits withPulseWidthNanos(long min, long max) {
    return new Limits(maxPulseVolts, maxReadVolts, min, max, maxPulsesPerCommand, maxPulseRateHz, complianceAmps);
  }

  public Limits withMaxPulsesPerCommand(int n) {
    return new Limits(maxPulseVolts, maxReadVolts, minPulseWidthNanos, maxPulseWidthNanos, n, maxPulseRateHz, complianceAmps);
  }

  public Limits withMaxPulseRateHz(double hz) {
    return new Limits(maxPulseVolts, maxReadVolts, minPulseWidthNanos, maxPulseWidthNanos, maxPulsesPerCommand, hz, complianceAmps);
  }

  public Limits withComplianceAmps(double a) {
    return new Limits(maxPulseVolts, maxReadVolts, minPulseWidthNanos, maxPulseWidthNanos, maxPulsesPerCommand, maxPulseRateHz, a);
  }
}
