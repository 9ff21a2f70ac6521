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
