package org.rramctl.protocol;

/** How a remembered device-changing command ended (EXECUTED response), as one byte: the ordinal. */
public enum Outcome {
  /** Ran to the end; every pulse was applied. */
  COMPLETED,
  /** Stopped by ABORT or the watchdog; {@code pulsesApplied} says how far it got. */
  ABORTED,
  /** Refused or failed; the error code says why; {@code pulsesApplied} says how far it got. */
  FAILED,
  /** Still running. */
  IN_PROGRESS
}
