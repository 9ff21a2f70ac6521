package org.rramctl.procedure;

import org.rramctl.driver.DriverAbortedException;

/** A run stopped at a safe point because an abort was requested (Ctrl-C, {@code rramctl abort}). */
public class RunAbortedException extends DriverAbortedException {
  private final String reason;

  public RunAbortedException(String reason) {
    super("", reason);
    this.reason = reason;
  }

  /** Why the run was asked to stop, e.g. {@code "interrupted by a signal (Ctrl-C)"}. */
  public String reason() {
    return reason;
  }
}
