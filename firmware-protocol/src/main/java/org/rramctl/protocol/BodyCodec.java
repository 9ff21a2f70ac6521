package org.rramctl.protocol;

/**
 * The body layout of one message (PROTOCOL.md section 4), both ways: what {@link MessageCodec#encode} writes after
 * the header and what {@link MessageCodec#decode} reads back. Stateless; {@link BodyCodecs} holds one per opcode.
 *
 * @param <M> the message type of the opcode
 */
interface BodyCodec<M extends Message> {
  /** The opcode whose message this codec lays out. */
  Opcode opcode();

  void write(M message, BodyWriter w);

  /**
   * @param more the header's MORE flag (streamed parts only)
   * @throws ProtocolException where the body does not fit the layout; an {@link IllegalArgumentException} from a
   *     message's constructor is a value that does not (the codec adds the opcode and offset)
   */
  M read(BodyReader r, boolean more) throws ProtocolException;

  /** The reading half of a codec. */
  @FunctionalInterface
  interface Reads<M> {
    M read(BodyReader r, boolean more) throws ProtocolException;
  }

  /** The writing half of a codec. */
  @FunctionalInterface
  interface Writes<M> {
    void write(M message, BodyWriter w);
  }

  static <M extends Message> BodyCodec<M> of(Opcode opcode, Writes<M> writes, Reads<M> reads) {
    return new Layout<>(opcode, writes, reads);
  }

  /** A codec made of its two halves. */
  record Layout<M extends Message>(Opcode opcode, Writes<M> writes, Reads<M> reads) implements BodyCodec<M> {
    @Override
    public void write(M message, BodyWriter w) {
      writes.write(message, w);
    }

    @Override
    public M read(BodyReader r, boolean more) throws ProtocolException {
      return reads.read(r, more);
    }
  }

  /** A message with no body. */
  static <M extends Message> BodyCodec<M> empty(Opcode opcode, java.util.function.Supplier<M> create) {
    return of(opcode, (m, w) -> { }, (r, more) -> create.get());
  }
}
