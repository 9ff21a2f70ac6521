package org.rramctl.procedure;

import org.rramctl.driver.DriverAbortedException;

/** A run stopped at a safe point because an abort was requested (Ctrl-C, {@code rramctl abort}). */
public class RunAbortedException extends DriverAbortedException {
  public RunAbortedException(String reason) {
    super(reason);
  }
}
