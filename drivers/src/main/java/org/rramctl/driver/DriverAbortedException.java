package org.rramctl.driver;

import java.io.IOException;

/** An operation was stopped by {@link CrossbarDriver#abort()}; the outputs are idle. */
public class DriverAbortedException extends IOException {
  public DriverAbortedException(String message) {
    super(message);
  }
}
