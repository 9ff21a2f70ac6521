package org.rramctl.driver.serial;

import java.io.IOException;
import org.rramctl.protocol.Opcode;

/**
 * A device-changing command (PULSE, PULSE_THEN_READ, UPDATE) may or may not have run: the link was lost,
 * or the board rebooted, before it could say. The host never re-sends such a command on its own
 * (PROTOCOL.md 5.4); the caller decides, typically by re-reading the devices concerned. Never thrown for
 * a command that is known to have run or known not to have run.
 */
public class OutcomeUnknownException extends IOException {
  private final String port;
  private final Opcode opcode;
  private final int sequence;

  public OutcomeUnknownException(String port, Opcode opcode, int sequence, String reason, Throwable cause) {
    super(port + ": " + opcode + " (sequence " + sequence + ") may or may not have executed: " + reason, cause);
    this.port = port;
    this.opcode = opcode;
    this.sequence = sequence;
  }

  public String port() {
    return port;
  }

  public Opcode opcode() {
    return opcode;
  }

  public int sequence() {
    return sequence;
  }
}
