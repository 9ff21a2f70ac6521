package org.rramctl.driver.serial;

import java.io.IOException;
import java.util.Optional;
import org.rramctl.driver.Cell;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.Opcode;

/**
 * The board refused or failed a command with an ERROR response (PROTOCOL.md section 6). Every code but
 * {@link ErrorCode#COMPLIANCE}, {@link ErrorCode#WATCHDOG} and {@link ErrorCode#HARDWARE_FAULT} means
 * nothing was applied; after those the board's outputs are idle and the devices must be re-read.
 */
public class BoardErrorException extends IOException {
  private final String port;
  private final Opcode opcode;
  private final int sequence;
  private final ErrorCode code;
  private final String detail;
  private final Cell cell;

  public BoardErrorException(String port, Opcode opcode, int sequence, ErrorCode code, String detail, Cell cell) {
    super(port + ": board refused " + opcode + " (sequence " + sequence + (cell == null ? "" : ", cell " + cell) + "): " + code
        + (detail == null || detail.isEmpty() ? "" : ": " + detail));
    this.port = port;
    this.opcode = opcode;
    this.sequence = sequence;
    this.code = code;
    this.detail = detail == null ? "" : detail;
    this.cell = cell;
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

  /** The firmware's error code. */
  public ErrorCode code() {
    return code;
  }

  /** The firmware's detail text, shaped {@code name: value (expected: ...)}; may be empty. */
  public String detail() {
    return detail;
  }

  /** The device the command addressed, for single-device commands. */
  public Optional<Cell> cell() {
    return Optional.ofNullable(cell);
  }
}
