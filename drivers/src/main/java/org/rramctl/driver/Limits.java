package org.rramctl.driver;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * A set of electrical limits. A board reports its hardware limits in {@link BoardInfo}; a
 * {@link SafetyEnvelope} carries the (never wider) limits the host enforces. Immutable; built only by
 * name, never by position, so that two swapped numbers cannot compile into a wrong envelope:
 *
 * <pre>{@code
 * Limits l = Limits.builder()
 *     .maxPulseVolts(3.0)
 *     .maxReadVolts(0.5)
 *     .minPulseWidthNanos(10)
 *     .maxPulseWidthNanos(10_000_000)
 *     .maxPulsesPerCommand(100_000)
 *     .maxPulseRateHz(50e6)
 *     .complianceAmps(1e-3)
 *     .build();
 * }</pre>
 *
 * The limits: {@code maxPulseVolts} largest pulse amplitude magnitude; {@code maxReadVolts} largest read
 * voltage magnitude (single reads and vector-read inputs); {@code minPulseWidthNanos} and
 * {@code maxPulseWidthNanos} the pulse widths allowed; {@code maxPulsesPerCommand} most pulses one command
 * may ask for on one device; {@code maxPulseRateHz} highest pulse rate within a train (1e9 / period);
 * {@code complianceAmps} current compliance applied during pulses and reads; {@code minPulseVolts} (optional,
 * default {@link #DEFAULT_MIN_PULSE_VOLTS} or maxPulseVolts if that is smaller) smallest pulse amplitude magnitude:
 * the board's amplitude resolution (a smaller amplitude would be rounded to nothing, or up to a step nobody asked
 * for) and the envelope's floor. A pulse below it is refused, never rounded.
 */
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE, isGetterVisibility = Visibility.NONE) // journals and records: the fields by name
public final class Limits {
  /**
   * The floor of limits that do not state one: 1 mV, the firmware protocol's amplitude unit (PROTOCOL.md) and
   * no finer than any board rramctl drives (the ArC ONE takes microvolts, a Keithley SMU 5 uV steps).
   */
  public static final double DEFAULT_MIN_PULSE_VOLTS = 1e-3;

  private final double maxPulseVolts;
  private final double maxReadVolts;
  private final long minPulseWidthNanos;
  private final long maxPulseWidthNanos;
  private final int maxPulsesPerCommand;
  private final double maxPulseRateHz;
  private final double complianceAmps;
  private final double minPulseVolts;

  private Limits(Builder b) {
    positive("maxPulseVolts", b.maxPulseVolts);
    positive("maxReadVolts", b.maxReadVolts);
    if (b.minPulseWidthNanos < 1) throw new IllegalArgumentException("minPulseWidthNanos: " + b.minPulseWidthNanos + " (expected: >= 1)");
    if (b.maxPulseWidthNanos < b.minPulseWidthNanos) {
      throw new IllegalArgumentException("maxPulseWidthNanos: " + b.maxPulseWidthNanos + " (expected: >= minPulseWidthNanos " + b.minPulseWidthNanos + ")");
    }
    if (b.maxPulsesPerCommand < 1) throw new IllegalArgumentException("maxPulsesPerCommand: " + b.maxPulsesPerCommand + " (expected: >= 1)");
    positive("maxPulseRateHz", b.maxPulseRateHz);
    positive("complianceAmps", b.complianceAmps);
    double floor = b.minPulseVoltsSet ? b.minPulseVolts : Math.min(DEFAULT_MIN_PULSE_VOLTS, b.maxPulseVolts);
    positive("minPulseVolts", floor);
    if (floor > b.maxPulseVolts) {
      throw new IllegalArgumentException("minPulseVolts: " + floor + " (expected: <= maxPulseVolts " + b.maxPulseVolts + ")");
    }
    this.maxPulseVolts = b.maxPulseVolts;
    this.maxReadVolts = b.maxReadVolts;
    this.minPulseWidthNanos = b.minPulseWidthNanos;
    this.maxPulseWidthNanos = b.maxPulseWidthNanos;
    this.maxPulsesPerCommand = b.maxPulsesPerCommand;
    this.maxPulseRateHz = b.maxPulseRateHz;
    this.complianceAmps = b.complianceAmps;
    this.minPulseVolts = floor;
  }

  /**
   * For records that carry limits as JSON (calibration records, run journals): every limit by its name;
   * minPulseVolts is optional (records written before it existed take the default floor).
   */
  @JsonCreator
  private static Limits fromJson(
      @JsonProperty(value = "maxPulseVolts", required = true) double maxPulseVolts,
      @JsonProperty(value = "maxReadVolts", required = true) double maxReadVolts,
      @JsonProperty(value = "minPulseWidthNanos", required = true) long minPulseWidthNanos,
      @JsonProperty(value = "maxPulseWidthNanos", required = true) long maxPulseWidthNanos,
      @JsonProperty(value = "maxPulsesPerCommand", required = true) int maxPulsesPerCommand,
      @JsonProperty(value = "maxPulseRateHz", required = true) double maxPulseRateHz,
      @JsonProperty(value = "complianceAmps", required = true) double complianceAmps,
      @JsonProperty(value = "minPulseVolts") Double minPulseVolts) {
    Builder b = builder()
        .maxPulseVolts(maxPulseVolts)
        .maxReadVolts(maxReadVolts)
        .minPulseWidthNanos(minPulseWidthNanos)
        .maxPulseWidthNanos(maxPulseWidthNanos)
        .maxPulsesPerCommand(maxPulsesPerCommand)
        .maxPulseRateHz(maxPulseRateHz)
        .complianceAmps(complianceAmps);
    if (minPulseVolts != null) b.minPulseVolts(minPulseVolts);
    return b.build();
  }

  /** A builder with nothing set; {@link Builder#build()} refuses a limit left unset, naming it. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these limits, to change some of them. */
  public Builder toBuilder() {
    return new Builder()
        .maxPulseVolts(maxPulseVolts)
        .maxReadVolts(maxReadVolts)
        .minPulseWidthNanos(minPulseWidthNanos)
        .maxPulseWidthNanos(maxPulseWidthNanos)
        .maxPulsesPerCommand(maxPulsesPerCommand)
        .maxPulseRateHz(maxPulseRateHz)
        .complianceAmps(complianceAmps)
        .minPulseVolts(minPulseVolts);
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

  /** Largest pulse amplitude magnitude, volts. */
  public double maxPulseVolts() {
    return maxPulseVolts;
  }

  /** Largest read voltage magnitude (single reads and vector-read inputs), volts. */
  public double maxReadVolts() {
    return maxReadVolts;
  }

  /** Shortest pulse width, ns. */
  public long minPulseWidthNanos() {
    return minPulseWidthNanos;
  }

  /** Longest pulse width, ns. */
  public long maxPulseWidthNanos() {
    return maxPulseWidthNanos;
  }

  /** Most pulses one command may ask for on one device. */
  public int maxPulsesPerCommand() {
    return maxPulsesPerCommand;
  }

  /** Highest pulse rate within a train (1e9 / period), Hz. */
  public double maxPulseRateHz() {
    return maxPulseRateHz;
  }

  /** Current compliance applied during pulses and reads, amperes. */
  public double complianceAmps() {
    return complianceAmps;
  }

  /** Smallest pulse amplitude magnitude, volts: the board's amplitude resolution and the envelope's floor. */
  public double minPulseVolts() {
    return minPulseVolts;
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
    if (minPulseVolts < outer.minPulseVolts) return "minPulseVolts " + minPulseVolts + " < " + outer.minPulseVolts;
    return null;
  }

  public Limits withMaxPulseVolts(double v) {
    return toBuilder().maxPulseVolts(v).build();
  }

  public Limits withMaxReadVolts(double v) {
    return toBuilder().maxReadVolts(v).build();
  }

  public Limits withPulseWidthNanos(long min, long max) {
    return toBuilder().minPulseWidthNanos(min).maxPulseWidthNanos(max).build();
  }

  public Limits withMaxPulsesPerCommand(int n) {
    return toBuilder().maxPulsesPerCommand(n).build();
  }

  public Limits withMaxPulseRateHz(double hz) {
    return toBuilder().maxPulseRateHz(hz).build();
  }

  public Limits withComplianceAmps(double a) {
    return toBuilder().complianceAmps(a).build();
  }

  public Limits withMinPulseVolts(double v) {
    return toBuilder().minPulseVolts(v).build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Limits l
        && Double.compare(maxPulseVolts, l.maxPulseVolts) == 0
        && Double.compare(maxReadVolts, l.maxReadVolts) == 0
        && minPulseWidthNanos == l.minPulseWidthNanos
        && maxPulseWidthNanos == l.maxPulseWidthNanos
        && maxPulsesPerCommand == l.maxPulsesPerCommand
        && Double.compare(maxPulseRateHz, l.maxPulseRateHz) == 0
        && Double.compare(complianceAmps, l.complianceAmps) == 0
        && Double.compare(minPulseVolts, l.minPulseVolts) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxPulseVolts, maxReadVolts, minPulseWidthNanos, maxPulseWidthNanos, maxPulsesPerCommand, maxPulseRateHz, complianceAmps, minPulseVolts);
  }

  @Override
  public String toString() {
    return "Limits[maxPulseVolts=" + maxPulseVolts + ", maxReadVolts=" + maxReadVolts + ", minPulseWidthNanos=" + minPulseWidthNanos
        + ", maxPulseWidthNanos=" + maxPulseWidthNanos + ", maxPulsesPerCommand=" + maxPulsesPerCommand + ", maxPulseRateHz=" + maxPulseRateHz
        + ", complianceAmps=" + complianceAmps + ", minPulseVolts=" + minPulseVolts + "]";
  }

  /** Collects the seven required limits and the optional amplitude floor by name; {@link #build()} validates them. Not thread-safe. */
  public static final class Builder {
    private static final String[] NAMES = {"maxPulseVolts", "maxReadVolts", "minPulseWidthNanos", "maxPulseWidthNanos", "maxPulsesPerCommand",
        "maxPulseRateHz", "complianceAmps"};
    private int set; // bit i: NAMES[i] was given
    private double maxPulseVolts;
    private double maxReadVolts;
    private long minPulseWidthNanos;
    private long maxPulseWidthNanos;
    private int maxPulsesPerCommand;
    private double maxPulseRateHz;
    private double complianceAmps;
    private double minPulseVolts;
    private boolean minPulseVoltsSet; // optional: unset = DEFAULT_MIN_PULSE_VOLTS (or maxPulseVolts if smaller)

    private Builder() {}

    public Builder maxPulseVolts(double volts) {
      this.maxPulseVolts = volts;
      set |= 1;
      return this;
    }

    public Builder maxReadVolts(double volts) {
      this.maxReadVolts = volts;
      set |= 2;
      return this;
    }

    public Builder minPulseWidthNanos(long nanos) {
      this.minPulseWidthNanos = nanos;
      set |= 4;
      return this;
    }

    public Builder maxPulseWidthNanos(long nanos) {
      this.maxPulseWidthNanos = nanos;
      set |= 8;
      return this;
    }

    public Builder maxPulsesPerCommand(int pulses) {
      this.maxPulsesPerCommand = pulses;
      set |= 16;
      return this;
    }

    public Builder maxPulseRateHz(double hertz) {
      this.maxPulseRateHz = hertz;
      set |= 32;
      return this;
    }

    public Builder complianceAmps(double amps) {
      this.complianceAmps = amps;
      set |= 64;
      return this;
    }

    /** Optional: the amplitude floor, volts; left unset, {@link #DEFAULT_MIN_PULSE_VOLTS} (or maxPulseVolts if smaller). */
    public Builder minPulseVolts(double volts) {
      this.minPulseVolts = volts;
      minPulseVoltsSet = true;
      return this;
    }

    /**
     * The limits.
     *
     * @throws IllegalArgumentException naming a limit that was never set or is out of range
     */
    public Limits build() {
      for (int i = 0; i < NAMES.length; i++) {
        if ((set & (1 << i)) == 0) throw new IllegalArgumentException(NAMES[i] + ": not set (expected: every limit named in Limits.builder())");
      }
      return new Limits(this);
    }
  }
}
