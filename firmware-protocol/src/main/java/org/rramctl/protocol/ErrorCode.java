package org.rramctl.protocol;

/** Why a board refused or ended a command: the u16 code of an ERROR response and of status records. */
public enum ErrorCode {
  /** No error (status and execution records only; never in an ERROR response). */
  NONE(0x0000),
  /** The payload passed the CRC but does not decode: body length, a field or a reserved bit is wrong. */
  MALFORMED(0x0001),
  /** The opcode byte is not a command of this protocol version. */
  UNKNOWN_OPCODE(0x0002),
  /** The header's version byte is not the version the board speaks. */
  VERSION_MISMATCH(0x0003),
  /** A command other than HELLO arrived before a HELLO whose window includes the board's version. */
  HANDSHAKE_REQUIRED(0x0004),
  /** The board does not implement this command natively; the host falls back to single-device commands. */
  UNSUPPORTED(0x0005),
  /** An array, plane, row, column or tile outside the board's geometry. */
  OUT_OF_RANGE(0x0006),
  /** A voltage, width, count or rate outside the board's hardware limits; nothing was applied. */
  LIMIT_EXCEEDED(0x0007),
  /** Another command is running; only ABORT, STATUS, HEARTBEAT and LAST_EXECUTED are served meanwhile. */
  BUSY(0x0008),
  /** The command was stopped by ABORT; outputs are idle. */
  ABORTED(0x0009),
  /** The sequence number matches a device-changing command already executed; it was not run again. */
  DUPLICATE(0x000A),
  /** The heartbeat watchdog expired: the host was silent too long and the board idled its outputs. */
  WATCHDOG(0x000B),
  /** The current compliance limit was reached; the board idled its outputs. */
  COMPLIANCE(0x000C),
  /** Any other hardware failure; the detail text says what. Outputs are idle. */
  HARDWARE_FAULT(0x000D);

  private final int code;

  ErrorCode(int code) {
    this.code = code;
  }

  /** The u16 wire value. */
  public int code() {
    return code;
  }

  /** The error code for a wire value, or null when there is none. */
  static ErrorCode of(int code) {
    for (ErrorCode e : values()) {
      if (e.code == code) return e;
    }
    return null;
  }
}
