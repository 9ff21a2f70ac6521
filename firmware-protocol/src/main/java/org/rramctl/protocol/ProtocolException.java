package org.rramctl.protocol;

import java.io.IOException;

/**
 * A payload that passed framing and its CRC but does not decode: unknown opcode, wrong version, a body
 * of the wrong length or a field out of range. Carries the opcode byte (-1 when not yet read) and the
 * payload offset where decoding stopped.
 */
public final class ProtocolException extends IOException {
  private final int opcode;
  private final int offset;

  public ProtocolException(String message, int opcode, int offset) {
    super(message + " [opcode " + (opcode < 0 ? "?" : String.format("0x%02x", opcode)) + ", offset " + offset + "]");
    this.opcode = opcode;
    this.offset = offset;
  }

  public ProtocolException(String message, int opcode, int offset, Throwable cause) {
    this(message, opcode, offset);
    initCause(cause);
  }

  /** The opcode byte of the offending payload, 0..255, or -1 when the payload was too short to have one. */
  public int opcode() {
    return opcode;
  }

  /** Offset in the payload (header included) at which decoding failed. */
  public int offset() {
    return offset;
  }
}
