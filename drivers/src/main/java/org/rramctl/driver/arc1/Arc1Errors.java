package org.rramctl.driver.arc1;

import java.io.IOException;
import java.time.Duration;
import org.rramctl.driver.DriverAbortedException;

/** The ArC ONE driver's failures, one factory per kind of the drivers' error model. */
final class Arc1Errors {
  private Arc1Errors() {}

  /** A device-changing command was sent and the board did not confirm it. Never re-sent. */
  static IOException outcomeUnknown(String source, String operation, Duration waited, String reason, Throwable cause) {
    return new IOException(source + ": outcome unknown: " + operation + " may or may not have executed: " + reason
        + (waited == null ? "" : " (waited " + waited.toMillis() + " ms)") + "; re-read the devices it touched before relying on them", cause);
  }

  /** The link is gone, or never opened; nothing whose fate matters was in flight. */
  static IOException linkLost(String source, String reason, Throwable cause) {
    return new IOException(source + ": link lost: " + reason, cause);
  }

  /** No answer to a command that changes no device. */
  static IOException timedOut(String source, String operation, Duration waited, String reason) {
    return new IOException(source + ": timed out, nothing ran: no answer to " + operation + " within " + waited.toMillis() + " ms" + (reason.isEmpty() ? "" : ": " + reason));
  }

  /** An answer the protocol does not allow. */
  static IOException malformed(String source, String what) {
    return new IOException(source + ": malformed message: " + what);
  }

  /** The board answered, and the answer says no (a wrong initialisation confirmation). */
  static IOException refused(String source, String operation, String code, String detail) {
    return new IOException(source + ": refused: " + operation + ": " + code + (detail.isEmpty() ? "" : ": " + detail));
  }

  static DriverAbortedException aborted(String source, String detail) {
    return new DriverAbortedException(source + ": aborted: " + detail);
  }
}
