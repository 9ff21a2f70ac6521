package org.rramctl.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Little-endian reader over a packet's body that reports underflow as a {@link ProtocolException} at its offset.
 * Not thread-safe.
 */
final class BodyReader {
  private final byte[] b;
  private final int opcode;
  int at = WireFormat.HEADER_BYTES;

  BodyReader(byte[] b, int opcode) {
    this.b = b;
    this.opcode = opcode;
  }

  /** A body that does not fit its layout, at {@code offset} of the packet. */
  ProtocolException malformed(String message, int offset) {
    return new ProtocolException(message, opcode, offset);
  }

  int remaining() {
    return b.length - at;
  }

  private void need(int n) throws ProtocolException {
    if (b.length - at < n) {
      throw new ProtocolException("body: ends after " + (b.length - WireFormat.HEADER_BYTES) + " bytes (expected: "
          + n + " more at offset " + at + ")", opcode, at);
    }
  }

  int u8() throws ProtocolException {
    need(1);
    return b[at++] & 0xFF;
  }

  int u16() throws ProtocolException {
    need(2);
    int v = (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    at += 2;
    return v;
  }

  int i16() throws ProtocolException {
    return (short) u16();
  }

  long u32() throws ProtocolException {
    need(4);
    long v = 0;
    for (int k = 0; k < 4; k++) v |= (long) (b[at++] & 0xFF) << (8 * k);
    return v;
  }

  float f32() throws ProtocolException {
    return Float.intBitsToFloat((int) u32());
  }

  boolean flag() throws ProtocolException {
    int v = u8();
    if (v > 1) throw new IllegalArgumentException("flags: " + v + " (expected: 0 or 1)");
    return v == 1;
  }

  short[] i16s(int n) throws ProtocolException {
    need(2 * n);
    short[] v = new short[n];
    for (int k = 0; k < n; k++) v[k] = (short) u16();
    return v;
  }

  String text() throws ProtocolException {
    int n = u8();
    need(n);
    // A strict decoder, so that a string that is not UTF-8 is malformed instead of silently replaced.
    try {
      String s = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b, at, n)).toString();
      at += n;
      return s;
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ProtocolException("text: not UTF-8", opcode, at, e);
    }
  }

  private <E extends Enum<E>> E choice(String name, E[] values) throws ProtocolException {
    int v = u8();
    if (v >= values.length) {
      throw new ProtocolException(name + ": " + v + " (expected: 0.." + (values.length - 1) + ")", opcode, at - 1);
    }
    return values[v];
  }

  WirePlane plane() throws ProtocolException {
    return choice("plane", WirePlane.values());
  }

  WireReadMode readMode() throws ProtocolException {
    return choice("mode", WireReadMode.values());
  }

  WirePolarity polarity() throws ProtocolException {
    return choice("polarity", WirePolarity.values());
  }

  Outcome outcome() throws ProtocolException {
    return choice("outcome", Outcome.values());
  }

  Opcode opcode() throws ProtocolException {
    int v = u8();
    try {
      return Opcode.of(v);
    } catch (ProtocolException e) {
      throw new ProtocolException(String.format("record opcode: 0x%02x (expected: a known opcode)", v), opcode, at - 1);
    }
  }

  ErrorCode error() throws ProtocolException {
    int v = u16();
    ErrorCode e = ErrorCode.of(v);
    if (e == null) throw new ProtocolException(String.format("error code: 0x%04x (expected: a known code)", v), opcode, at - 2);
    return e;
  }

  CellAddress cell() throws ProtocolException {
    return new CellAddress(u8(), plane(), u16(), u16());
  }

  TileAddress tile() throws ProtocolException {
    return new TileAddress(u8(), u16(), u16(), u16(), u16());
  }

  PulseShape shape() throws ProtocolException {
    return new PulseShape(u16(), u32(), u32());
  }

  HardwareLimits limits() throws ProtocolException {
    return new HardwareLimits(u16(), u16(), u32(), u32(), u32(), u32(), u32());
  }

  /** The inverse of {@link BodyWriter#streams}; rejects non-canonical forms (padding bits, zero magnitudes). */
  long[] streams(int n, int bitLength) throws ProtocolException {
    int bitmapAt = at;
    need((n + 7) / 8);
    at += (n + 7) / 8;
    int present = 0;
    for (int k = 0; k < n; k++) present += b[bitmapAt + k / 8] >>> (k % 8) & 1;
    padding(bitmapAt, n);
    int signsAt = at;
    need((present + 7) / 8);
    at += (present + 7) / 8;
    padding(signsAt, present);
    int bytes = (bitLength + 7) / 8;
    need(present * bytes);
    long[] streams = new long[n];
    int p = 0;
    for (int k = 0; k < n; k++) {
      if ((b[bitmapAt + k / 8] >>> (k % 8) & 1) == 0) continue;
      long magnitude = 0;
      for (int i = 0; i < bytes; i++) magnitude |= (long) (b[at++] & 0xFF) << (8 * i);
      if (magnitude == 0 || magnitude >>> bitLength != 0) {
        throw new ProtocolException("stream " + k + ": 0x" + Long.toHexString(magnitude) + " (expected: 1.." + bitLength
            + " bits; absent entries are marked in the bitmap)", opcode, at - bytes);
      }
      boolean negative = (b[signsAt + p / 8] >>> (p % 8) & 1) != 0;
      streams[k] = negative ? -magnitude : magnitude;
      p++;
    }
    return streams;
  }

  private void padding(int bitmapAt, int bits) throws ProtocolException {
    if (bits % 8 != 0 && (b[bitmapAt + bits / 8] & 0xFF) >>> (bits % 8) != 0) {
      throw new ProtocolException("bitmap padding: not zero", opcode, bitmapAt + bits / 8);
    }
  }
}
