package org.rramctl.driver;

/**
 * An operation was stopped by {@link CrossbarDriver#abort()} (or a run at a safe point, by an abort
 * request); the outputs are idle. Not sealed, so that a run's abort can refine it.
 */
public non-sealed class DriverAbortedException extends DriverException {
  /**
   * @param source port, endpoint, instrument or board id; may be empty
   * @param detail what was stopped and how, e.g. {@code "PULSE (sequence 5) after 31 pulses; outputs idle"}
   */
  public DriverAbortedException(String source, String detail) {
    super(Kind.ABORTED, source, detail, null);
  }
}
