package org.rramctl.driver;

import java.util.Arrays;

/**
 * What a {@link Sweep} measured: the source level and the current at the end of each point.
 *
 * @param volts source level of each point, volts
 * @param amps current measured at each point, amperes (|I| never above the compliance)
 * @param complianceAmps the compliance the sweep ran with
 */
public record SweepResult(double[] volts, double[] amps, double complianceAmps) {
  /** A current within this fraction of the compliance counts as limited by it. */
  public static final double AT_COMPLIANCE = 0.999;

  public SweepResult {
    if (volts == null || amps == null || volts.length != amps.length) {
      throw new IllegalArgumentException("sweep result: " + (volts == null ? "null" : volts.length) + " levels, " + (amps == null ? "null" : amps.length)
          + " currents (expected: one current per level)");
    }
    volts = volts.clone();
    amps = amps.clone();
  }

  public int points() {
    return volts.length;
  }

  public double volts(int i) {
    return volts[i];
  }

  public double amps(int i) {
    return amps[i];
  }

  /** True when point i's current was held at the compliance. */
  public boolean atCompliance(int i) {
    return Math.abs(amps[i]) >= AT_COMPLIANCE * complianceAmps;
  }

  @Override
  public double[] volts() {
    return volts.clone();
  }

  @Override
  public double[] amps() {
    return amps.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SweepResult r && Arrays.equals(volts, r.volts) && Arrays.equals(amps, r.amps) && Double.compare(complianceAmps, r.complianceAmps) == 0;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(volts) * 31 + Arrays.hashCode(amps);
  }

  @Override
  public String toString() {
    return "SweepResult[" + points() + " points, compliance " + complianceAmps + " A]";
  }
}
