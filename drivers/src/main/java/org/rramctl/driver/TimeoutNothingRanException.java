package org.rramctl.driver;

import java.time.Duration;

/**
 * No answer came in time, and nothing ran: an operation that changes no device (a read, a status) went
 * unanswered after every retry, or a device-changing one that the board confirmed it never executed.
 * The devices are as they were. Deliberately not an {@link java.io.InterruptedIOException}: a timeout
 * whose outcome is unknown is an {@link OutcomeUnknownException}, and the two must not share a catch.
 */
public final class TimeoutNothingRanException extends DriverException {
  private final String operation;
  private final long sequence;
  private final Duration waited;

  /**
   * @param source port, endpoint or instrument
   * @param operation the unanswered operation as its protocol spells it
   * @param sequence the sequence number of its last attempt or its request id, or -1
   * @param waited how long the host waited in all, over every attempt
   * @param reason what was seen, e.g. {@code "no answer after 3 attempts"}
   */
  public TimeoutNothingRanException(String source, String operation, long sequence, Duration waited, String reason, Throwable cause) {
    super(Kind.TIMED_OUT, source, "no answer to " + operation + context(sequence, null) + " within " + millis(waited) + (reason == null || reason.isEmpty() ? "" : ": " + reason), cause);
    this.operation = operation;
    this.sequence = sequence;
    this.waited = waited;
  }

  public String operation() {
    return operation;
  }

  /** The sequence number of the last attempt or the request id, or -1. */
  public long sequence() {
    return sequence;
  }

  /** How long the host waited in all. */
  public Duration waited() {
    return waited;
  }
}
