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
  INTERNAL(10),
  /**
   * The served board cannot tell whether the device-changing operation ran (its answer or its link was lost
   * in flight); the client raises {@link org.rramctl.driver.OutcomeUnknownException}.
   */
  OUTCOME_UNKNOWN(11),
  /** The served board did not answer in time and nothing ran; the client raises {@link org.rramctl.driver.TimeoutNothingRanException}. */
  BOARD_TIMEOUT(12),
  /** The server's link to its board is lost, closed or could not be opened; not executed. The client raises {@link org.rramctl.driver.LinkLostException}. */
  BOARD_LINK_LOST(13),
  /**
   * The served board refused the operation with its own error code, carried in {@link Reply.Error#boardCode()};
   * the client raises {@link org.rramctl.driver.RefusedException} with that code.
   */
  BOARD_REFUSED(14),
  /**
   * The served board's answer could not be decoded; the client raises {@link org.rramctl.driver.MalformedMessageException}
   * (an outcome-unknown for an operation that changes devices).
   */
  BOARD_MALFORMED(15);

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
    throw new IllegalArgumentException(String.format("error code: 0x%02x (expected: 0x01..0x%02x)", code, BOARD_MALFORMED.code));
  }
}
