package org.rramctl.driver.transport;

import org.rramctl.driver.LinkLostException;

/**
 * A serial port operation failed; carries the port, the operation and the native error code
 * (an {@code errno} on Linux and macOS, a {@code GetLastError()} code on Windows; -1 if none).
 */
public class SerialPortException extends LinkLostException {
  private final String operation;
  private final int errorCode;

  public SerialPortException(String port, String operation, int errorCode, String detail) {
    super(port, operation + " failed: error code " + errorCode + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
    this.operation = operation;
    this.errorCode = errorCode;
  }

  /** The failed operation, e.g. {@code "open"}, {@code "write"}, {@code "set timeouts"}. */
  public String operation() {
    return operation;
  }

  /** The native error code reported by the serial library, or -1 if it gave none. */
  public int errorCode() {
    return errorCode;
  }
}
