package org.rramctl.protocol;

/**
 * A protocol message: a {@link Command} (host to board) or a {@link Response} (board to host). Messages
 * are immutable values in wire units (codes, millivolts, nanoseconds) whose constructors check that
 * every field fits its wire field; the driver layer converts to and from physical units. The sequence
 * number is not part of a message: {@link MessageCodec} takes it alongside.
 */
public sealed interface Message permits Command, Response {
  default Opcode opcode() {
    return Opcode.of(this);
  }
}
