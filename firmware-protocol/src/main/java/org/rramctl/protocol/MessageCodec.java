package org.rramctl.protocol;

import java.util.Arrays;

/**
 * Message and sequence number to packet (header and body, PROTOCOL.md) and back. Stateless and
 * thread-safe. The header is handled here, each message's body by its {@link BodyCodec} ({@link BodyCodecs}).
 * The CRC and COBS around a packet belong to framing ({@link FrameEncoder}, {@link FrameDecoder});
 * {@link #frame(Message, int)} does both steps.
 */
public final class MessageCodec {
  private MessageCodec() {}

  private static final int VERSION_AT = 0;
  private static final int FLAGS_AT = 4;

  /** The frame (bytes on the wire, delimiter included) of a message. */
  public static byte[] frame(Message m, int sequence) {
    return FrameEncoder.frame(encode(m, sequence));
  }

  /**
   * The packet of a message: header (version {@link WireFormat#VERSION}, opcode, sequence, flags) and body.
   *
   * @throws IllegalArgumentException when the sequence is outside 0..65535 or the packet would exceed
   *     {@link WireFormat#MAX_PACKET_BYTES} (split the tile)
   */
  public static byte[] encode(Message m, int sequence) {
    Check.range("sequence", sequence, 0, 0xFFFF);
    Opcode op = m.opcode();
    BodyWriter w = new BodyWriter();
    w.u8(WireFormat.VERSION).u8(op.code()).u16(sequence).u8(m instanceof Response.Part p && p.more() ? WireFormat.FLAG_MORE : 0);
    BodyCodecs.of(op).write(m, w);
    if (w.size > WireFormat.MAX_PACKET_BYTES) {
      throw new IllegalArgumentException(op + " packet: " + w.size + " bytes (expected: <= " + WireFormat.MAX_PACKET_BYTES + "; split the tile)");
    }
    return Arrays.copyOf(w.buf, w.size);
  }

  /**
   * The message in a packet (a frame's content after {@link FrameDecoder} checked and removed its CRC).
   * HELLO and IDENTITY decode under any version byte, because their layout never changes; every other
   * message must carry {@link WireFormat#VERSION}.
   *
   * @throws ProtocolException naming the opcode and the offset of the first byte that does not fit
   */
  public static Envelope decode(byte[] packet) throws ProtocolException {
    if (packet.length < WireFormat.HEADER_BYTES) {
      throw new ProtocolException("packet: " + packet.length + " bytes (expected: >= " + WireFormat.HEADER_BYTES + ")", -1, 0);
    }
    int code = packet[1] & 0xFF;
    Opcode op = Opcode.of(code);
    int version = packet[VERSION_AT] & 0xFF;
    if (version != WireFormat.VERSION && op != Opcode.HELLO && op != Opcode.IDENTITY) {
      throw new ProtocolException("version: " + version + " (expected: " + WireFormat.VERSION + ")", code, VERSION_AT);
    }
    int flags = packet[FLAGS_AT] & 0xFF;
    boolean streamed = Response.Part.class.isAssignableFrom(op.type());
    if ((flags & ~(streamed ? WireFormat.FLAG_MORE : 0)) != 0) {
      throw new ProtocolException(String.format("flags: 0x%02x (expected: %s)", flags, streamed ? "0x00 or 0x01" : "0x00"), code, FLAGS_AT);
    }
    BodyReader r = new BodyReader(packet, code);
    int sequence = (packet[2] & 0xFF) | (packet[3] & 0xFF) << 8;
    Message m;
    try {
      m = BodyCodecs.of(op).read(r, (flags & WireFormat.FLAG_MORE) != 0);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(op + ": " + e.getMessage(), code, r.at, e);
    }
    if (r.at != packet.length) {
      throw new ProtocolException(op + " body: " + (packet.length - WireFormat.HEADER_BYTES) + " bytes (expected: "
          + (r.at - WireFormat.HEADER_BYTES) + ")", code, r.at);
    }
    return new Envelope(sequence, m);
  }
}
