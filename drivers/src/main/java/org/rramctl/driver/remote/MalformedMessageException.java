package org.rramctl.driver.remote;

import java.io.IOException;

/**
 * A message that cannot be decoded: truncated, with trailing bytes, an unknown opcode, or a field value
 * the schema forbids. Carries where decoding stopped.
 */
public class MalformedMessageException extends IOException {
  private final int offset;
  private final int opcode;

  public MalformedMessageException(String message, int offset, int opcode) {
    super(message);
    this.offset = offset;
    this.opcode = opcode;
  }

  /** Byte offset at which decoding failed. */
  public int offset() {
    return offset;
  }

  /** The message's first byte, or -1 for an empty message. */
  public int opcode() {
    return opcode;
  }
}
