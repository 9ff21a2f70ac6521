package org.rramctl.driver;

/**
 * Operations a driver may perform natively. An operation that is not native still works through the
 * single-device fallback ({@link SingleDeviceFallback}), only slowly, with two exceptions that are roles
 * rather than speed-ups: {@link #SOURCE_MEASURE} cannot be composed from pulses and reads (nothing would
 * limit the current), so a driver without it has no {@link CrossbarDriver#sourceMeasure()}; {@link #SWEEP}
 * says the role's sweeps run as one operation on the hardware instead of one {@link SourceMeasure#source}
 * call per point.
 */
public enum Capability {
  READ,
  PULSE,
  PULSE_THEN_READ,
  READ_ROW,
  READ_COLUMN,
  READ_ARRAY,
  FORWARD_READ,
  TRANSPOSE_READ,
  PARALLEL_UPDATE,
  REFERENCE_ARRAYS,
  /** Source a voltage on one device with a current compliance and measure the current ({@link SourceMeasure}). */
  SOURCE_MEASURE,
  /** {@link SourceMeasure#sweep} runs natively (staircase and pulsed), not point by point. */
  SWEEP
}
