package org.rramctl.driver.serial;

import java.io.InterruptedIOException;
import java.time.Duration;
import org.rramctl.protocol.Opcode;

/**
 * A board did not answer a command in time, after the retries the protocol allows (PROTOCOL.md 5.4).
 * For an idempotent command (a read, a status) this means it failed; for a device-changing command it
 * is thrown only when the board confirmed, by LAST_EXECUTED, that it never executed it. A device-changing
 * command whose fate the board could not confirm is an {@link OutcomeUnknownException} instead.
 */
public class BoardTimeoutException extends InterruptedIOException {
  private final String port;
  private final Opcode opcode;
  private final int sequence;
  private final Duration waited;

  public BoardTimeoutException(String port, Opcode opcode, int sequence, Duration waited, String detail) {
    super(port + ": no answer to " + opcode + " (sequence " + sequence + ") within " + waited.toMillis() + " ms" + (detail == null ? "" : ": " + detail));
    this.port = port;
    this.opcode = opcode;
    this.sequence = sequence;
    this.waited = waited;
  }

  /** The port or endpoint, as the transport names it. */
  public String port() {
    return port;
  }

  /** The command that went unanswered. */
  public Opcode opcode() {
    return opcode;
  }

  /** The sequence number of its last attempt, 0..65535. */
  public int sequence() {
    return sequence;
  }

  /** How long the host waited in all, over every attempt. */
  public Duration waited() {
    return waited;
  }
}
