package org.rramctl.driver;

/**
 * Operations a driver may perform natively. An operation that is not native still works through the
 * single-device fallback ({@link SingleDeviceFallback}), only slowly.
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
  REFERENCE_ARRAYS
}
