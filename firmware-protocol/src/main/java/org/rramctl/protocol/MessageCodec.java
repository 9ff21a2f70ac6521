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

  /** The frame of a message under protocol version 1 ({@link #frame(Message, int, int)}). */
  public static byte[] frame(Message m, int sequence) {
    return frame(m, sequence, WireFormat.MIN_VERSION);
  }

  /** The frame (bytes on the wire, delimiter included) of a message in a session of protocol {@code version}. */
  public static byte[] frame(Message m, int sequence, int version) {
    return FrameEncoder.frame(encode(m, sequence, version));
  }

  /** The packet of a message under protocol version 1 ({@link #encode(Message, int, int)}). */
  public static byte[] encode(Message m, int sequence) {
    return encode(m, sequence, WireFormat.MIN_VERSION);
  }

  /**
   * The packet of a message in a session of protocol {@code version}: header (version, opcode, sequence, flags) and
   * body. IDENTITY always carries the board's own version ({@link Response.Identity#protocolVersion()}), whatever
   * {@code version} says, and HELLO may carry any version (PROTOCOL.md 5.1: the host puts its highest there).
   *
   * @throws IllegalArgumentException when the sequence is outside 0..65535, the version is not one this codec speaks,
   *     the message is newer than the version (SOURCE in a version-1 session), or the packet would exceed
   *     {@link WireFormat#MAX_PACKET_BYTES} (split the tile)
   */
  public static byte[] encode(Message m, int sequence, int version) {
    Check.range("sequence", sequence, 0, 0xFFFF);
    Opcode op = m.opcode();
    if (m instanceof Response.Identity id) {
      version = id.protocolVersion();
    } else if (op == Opcode.HELLO) {
      Check.range("version", version, 1, 0xFF);
    } else {
      Check.range("version", version, WireFormat.MIN_VERSION, WireFormat.MAX_VERSION);
      if (!op.inVersion(version)) {
        throw new IllegalArgumentException(op + ": protocol version " + version + " (expected: >= " + op.since() + ", the version that introduced it)");
      }
    }
    BodyWriter w = new BodyWriter();
    w.u8(version).u8(op.code()).u16(sequence).u8(m instanceof Response.Part p && p.more() ? WireFormat.FLAG_MORE : 0);
    BodyCodecs.of(op).write(m, w);
    if (w.size > WireFormat.MAX_PACKET_BYTES) {
      throw new IllegalArgumentException(op + " packet: " + w.size + " bytes (expected: <= " + WireFormat.MAX_PACKET_BYTES + "; split the tile)");
    }
    return Arrays.copyOf(w.buf, w.size);
  }

  /** The message in a packet of a protocol-version-1 session ({@link #decode(byte[], int)}). */
  public static Envelope decode(byte[] packet) throws ProtocolException {
    return decode(packet, WireFormat.MIN_VERSION);
  }

  /**
   * The message in a packet (a frame's content after {@link FrameDecoder} checked and removed its CRC) of a session of
   * protocol {@code version}. HELLO and IDENTITY decode under any version byte, because their layout never changes;
   * every other message must carry {@code version} and be a message of that version.
   *
   * @throws ProtocolException naming the opcode and the offset of the first byte that does not fit
   */
  public static Envelope decode(byte[] packet, int version) throws ProtocolException {
    Check.range("version", version, WireFormat.MIN_VERSION, WireFormat.MAX_VERSION);
    if (packet.length < WireFormat.HEADER_BYTES) {
      throw new ProtocolException("packet: " + packet.length + " bytes (expected: >= " + WireFormat.HEADER_BYTES + ")", -1, 0);
    }
    int code = packet[1] & 0xFF;
    Opcode op = Opcode.of(code);
    int headerVersion = packet[VERSION_AT] & 0xFF;
    if (op != Opcode.HELLO && op != Opcode.IDENTITY) {
      if (headerVersion != version) {
        throw new ProtocolException("version: " + headerVersion + " (expected: " + version + ")", code, VERSION_AT);
      }
      if (!op.inVersion(version)) {
        throw new ProtocolException(String.format("opcode: 0x%02x (expected: a message of protocol version %d; %s is version %d)", code, version, op, op.since()), code, 1);
      }
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
