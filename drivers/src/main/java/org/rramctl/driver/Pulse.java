package org.rramctl.driver;

import java.time.Duration;

/**
 * One programming pulse shape: polarity, amplitude in volts (a magnitude; the polarity gives the sign
 * applied to the device), width in nanoseconds and, for trains of several pulses, the period between
 * pulse starts in nanoseconds. The pulse rate of a train is {@code 1e9 / periodNanos} Hz.
 */
public record Pulse(Polarity polarity, double amplitudeVolts, long widthNanos, long periodNanos) {
  public Pulse {
    if (polarity == null) throw new IllegalArgumentException("polarity: null (expected: UP or DOWN)");
    if (!(amplitudeVolts > 0) || Double.isInfinite(amplitudeVolts)) {
      throw new IllegalArgumentException("amplitudeVolts: " + amplitudeVolts + " (expected: a finite magnitude > 0; polarity gives the sign)");
    }
    if (widthNanos < 1) throw new IllegalArgumentException("widthNanos: " + widthNanos + " (expected: >= 1)");
    if (periodNanos < widthNanos) {
      throw new IllegalArgumentException("periodNanos: " + periodNanos + " (expected: >= widthNanos " + widthNanos + ")");
    }
  }

  /** A pulse at 50 % duty cycle (period twice the width). */
  public static Pulse of(Polarity polarity, double amplitudeVolts, Duration width) {
    long w = width.toNanos();
    return new Pulse(polarity, amplitudeVolts, w, Math.multiplyExact(w, 2));
  }

  /**
   * A pulse with the default period for a board: twice the width (50 % duty cycle) unless the board's (or
   * envelope's) maximum pulse rate needs a longer one, then {@link Limits#minPeriodNanos()}. With the default
   * 100 ns width that is 200 ns, or 1 us on a board limited to 1 MHz. Commands that take a width take a
   * period too ({@code --period}); this is the value they use when it is not given.
   */
  public static Pulse of(Polarity polarity, double amplitudeVolts, long widthNanos, Limits limits) {
    return new Pulse(polarity, amplitudeVolts, widthNanos, defaultPeriodNanos(widthNanos, limits));
  }

  /** The default period for {@code widthNanos} under {@code limits}: max(2 x width, the shortest period the rate limit allows). */
  public static long defaultPeriodNanos(long widthNanos, Limits limits) {
    return Math.max(Math.multiplyExact(widthNanos, 2), limits.minPeriodNanos());
  }

  public Pulse withPeriodNanos(long p) {
    return new Pulse(polarity, amplitudeVolts, widthNanos, p);
  }

  public static Pulse up(double amplitudeVolts, Duration width) {
    return of(Polarity.UP, amplitudeVolts, width);
  }

  public static Pulse down(double amplitudeVolts, Duration width) {
    return of(Polarity.DOWN, amplitudeVolts, width);
  }

  public Pulse withPolarity(Polarity p) {
    return new Pulse(p, amplitudeVolts, widthNanos, periodNanos);
  }

  public Pulse withAmplitudeVolts(double v) {
    return new Pulse(polarity, v, widthNanos, periodNanos);
  }

  public Pulse withWidthNanos(long w) {
    return new Pulse(polarity, amplitudeVolts, w, Math.max(periodNanos, w));
  }

  /** Pulses per second within a train. */
  public double rateHz() {
    return 1e9 / periodNanos;
  }

  @Override
  public String toString() {
    return polarity + " " + amplitudeVolts + " V " + Durations.format(widthNanos) + " (period " + Durations.format(periodNanos) + ")";
  }
}
