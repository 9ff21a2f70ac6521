package org.rramctl.driver;

import java.time.Duration;
import java.util.Optional;

/**
 * A device-changing operation (pulse, pulse-then-read, update) was sent and may or may not have run:
 * the link was lost or the board rebooted before it could say, no reply came in time, or the reply could
 * not be read. A driver never re-sends such an operation on its own; the caller decides, typically by
 * re-reading the devices it touched. Never thrown for an operation known to have run or known not to.
 */
public final class OutcomeUnknownException extends DriverException {
  /** How every message of this kind ends: what the caller should do. */
  public static final String ADVICE = "; re-read the devices it touched before relying on them";

  private final String operation;
  private final long sequence;
  private final Duration waited;

  /**
   * @param source port, endpoint or instrument
   * @param operation the operation's name as its protocol spells it, e.g. {@code "PULSE"}
   * @param sequence its sequence number or request id, or -1 if it has none
   * @param waited how long the host waited for the answer, or null when it did not wait
   * @param reason what happened, e.g. {@code "the link was lost before the board answered"}
   */
  public OutcomeUnknownException(String source, String operation, long sequence, Duration waited, String reason, Throwable cause) {
    super(Kind.OUTCOME_UNKNOWN, source, operation + context(sequence, null) + " may or may not have executed: " + reason
        + (waited == null ? "" : " (waited " + millis(waited) + ")") + ADVICE, cause);
    this.operation = operation;
    this.sequence = sequence;
    this.waited = waited;
  }

  /** The operation, as its protocol spells it. */
  public String operation() {
    return operation;
  }

  /** Its sequence number (serial) or request id (remote), or -1. */
  public long sequence() {
    return sequence;
  }

  /** How long the host waited for an answer, when it waited. */
  public Optional<Duration> waited() {
    return Optional.ofNullable(waited);
  }
}
