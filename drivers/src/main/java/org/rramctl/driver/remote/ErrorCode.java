package org.rramctl.driver.remote;

/** Why a request failed; the byte travels in {@link Reply.Error}. */
public enum ErrorCode {
  /** The message could not be decoded (truncated, trailing bytes, unknown opcode, several frames). Not executed. */
  MALFORMED(1),
  /** The message is larger than the server accepts. Not executed. */
  TOO_LARGE(2),
  /** A bad address, shape or value (IllegalArgumentException on the server). Not executed. */
  INVALID_ARGUMENT(3),
  /** The board or server is in a state that forbids the request (IllegalStateException). Not executed. */
  ILLEGAL_STATE(4),
  /** The operation was stopped by an abort; the outputs are idle. */
  ABORTED(5),
  /** The board failed during the operation; it may have partly executed. */
  BOARD_IO(6),
  /** Too many requests queued (for this client or in all). Not executed. */
  BUSY(7),
  /** The client's lease lapsed before its queued operation ran. Not executed. */
  LEASE_LOST(8),
  /** The client's protocol version is not served. Not executed. */
  VERSION(9),
  /** A bug on the server; the request may or may not have run. */
  INTERNAL(10);

  private final int code;

  ErrorCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** @throws IllegalArgumentException for an unknown byte, naming it in hex */
  public static ErrorCode of(int code) {
    for (ErrorCode c : values()) if (c.code == code) return c;
    throw new IllegalArgumentException(String.format("error code: 0x%02x (expected: 0x01..0x%02x)", code, INTERNAL.code));
  }
}
