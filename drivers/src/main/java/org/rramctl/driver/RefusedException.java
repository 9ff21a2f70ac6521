package org.rramctl.driver;

import java.util.Optional;

/**
 * The board, server or instrument answered an operation with an error code: a serial board's ERROR
 * response (PROTOCOL.md section 6), a server's error reply (REMOTE.md) or an SMU's error queue. What was
 * applied depends on the code; the driver that throws it documents which codes leave the devices untouched.
 */
public final class RefusedException extends DriverException {
  private final String operation;
  private final long sequence;
  private final String code;
  private final String detail;
  private final Cell cell;

  /**
   * @param source port, endpoint or instrument
   * @param operation the refused operation as its protocol spells it (an SMU: the command group)
   * @param sequence its sequence number or request id, or -1
   * @param code the error code's name or number as the refusing side gives it, e.g. {@code "OUT_OF_RANGE"}, {@code "-222"}
   * @param detail the refusing side's explanation; may be empty
   * @param cell the device the operation addressed, or null
   */
  public RefusedException(String source, String operation, long sequence, String code, String detail, Cell cell, Throwable cause) {
    super(Kind.REFUSED, source, operation + context(sequence, cell) + ": " + code + (detail == null || detail.isEmpty() ? "" : ": " + detail), cause);
    this.operation = operation;
    this.sequence = sequence;
    this.code = code;
    this.detail = detail == null ? "" : detail;
    this.cell = cell;
  }

  public String operation() {
    return operation;
  }

  /** The sequence number or request id, or -1. */
  public long sequence() {
    return sequence;
  }

  /** The code as the refusing side gives it: an enum constant's name, or an instrument's number. */
  public String code() {
    return code;
  }

  /** True when the code is this constant of a protocol's error-code enum. */
  public boolean hasCode(Enum<?> expected) {
    return expected.name().equals(code);
  }

  /** The refusing side's explanation; may be empty. */
  public String detail() {
    return detail;
  }

  /** The device the operation addressed, for single-device operations. */
  public Optional<Cell> cell() {
    return Optional.ofNullable(cell);
  }
}
