package org.rramctl.driver.arc1;

import java.time.Duration;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.MalformedMessageException;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.RefusedException;
import org.rramctl.driver.TimeoutNothingRanException;

/** The ArC ONE driver's failures, one factory per kind of the drivers' error model ({@link org.rramctl.driver.DriverException}). */
final class Arc1Errors {
  private Arc1Errors() {}

  /** A device-changing command was sent and the board did not confirm it. Never re-sent. */
  static OutcomeUnknownException outcomeUnknown(String source, String operation, Duration waited, String reason, Throwable cause) {
    return new OutcomeUnknownException(source, operation, -1, waited, reason, cause);
  }

  /** The link is gone, or never opened; nothing whose fate matters was in flight. */
  static LinkLostException linkLost(String source, String reason, Throwable cause) {
    return new LinkLostException(source, reason, cause);
  }

  /** No answer to a command that changes no device. */
  static TimeoutNothingRanException timedOut(String source, String operation, Duration waited, String reason) {
    return new TimeoutNothingRanException(source, operation, -1, waited, reason, null);
  }

  /** An answer the protocol does not allow. */
  static MalformedMessageException malformed(String source, String what) {
    return new MalformedMessageException(source, what, -1, -1, null);
  }

  /** The board answered, and the answer says no (a wrong initialisation confirmation). */
  static RefusedException refused(String source, String operation, String code, String detail) {
    return new RefusedException(source, operation, -1, code, detail, null, null);
  }

  static DriverAbortedException aborted(String source, String detail) {
    return new DriverAbortedException(source, detail);
  }
}
