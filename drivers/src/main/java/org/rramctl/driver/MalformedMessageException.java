package org.rramctl.driver;

/**
 * A message that cannot be decoded: truncated, with trailing bytes, an unknown opcode, a field value the
 * schema forbids, or a reply stream that does not add up. Carries where decoding stopped when known.
 * A malformed answer to a device-changing operation is reported as {@link OutcomeUnknownException} with
 * this as its cause.
 */
public final class MalformedMessageException extends DriverException {
  private final String what;
  private final int opcode;
  private final int offset;

  /**
   * @param source the endpoint the message came from; empty when a codec decodes bytes of unknown origin
   * @param what what is wrong, shaped {@code name: value (expected: ...)}
   * @param opcode the message's first byte 0..255, or -1 when unknown or empty
   * @param offset the byte offset at which decoding failed, or -1 when not a decoding position
   */
  public MalformedMessageException(String source, String what, int opcode, int offset, Throwable cause) {
    super(Kind.MALFORMED, source, what, cause);
    this.what = what;
    this.opcode = opcode;
    this.offset = offset;
  }

  /** What is wrong, without the source and kind (for an error reply that carries its own code). */
  public String what() {
    return what;
  }

  /** The message's first byte, or -1. */
  public int opcode() {
    return opcode;
  }

  /** Byte offset at which decoding failed, or -1. */
  public int offset() {
    return offset;
  }
}
