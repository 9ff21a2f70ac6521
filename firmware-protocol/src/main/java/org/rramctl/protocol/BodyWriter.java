package org.rramctl.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Little-endian appender over a growing array: the packet {@link MessageCodec#encode} builds. Not thread-safe. */
final class BodyWriter {
  byte[] buf = new byte[64];
  int size;

  private void ensure(int n) {
    if (size + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
  }

  BodyWriter u8(int v) {
    ensure(1);
    buf[size++] = (byte) v;
    return this;
  }

  BodyWriter u16(int v) {
    ensure(2);
    buf[size++] = (byte) v;
    buf[size++] = (byte) (v >>> 8);
    return this;
  }

  BodyWriter u32(long v) {
    ensure(4);
    for (int k = 0; k < 4; k++) buf[size++] = (byte) (v >>> (8 * k));
    return this;
  }

  BodyWriter f32(float v) {
    return u32(Float.floatToIntBits(v));
  }

  BodyWriter i16s(short[] values) {
    for (short v : values) u16(v);
    return this;
  }

  BodyWriter text(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    u8(b.length);
    ensure(b.length);
    System.arraycopy(b, 0, buf, size, b.length);
    size += b.length;
    return this;
  }

  BodyWriter cell(CellAddress c) {
    return u8(c.array()).u8(c.plane().code()).u16(c.row()).u16(c.col());
  }

  BodyWriter tile(TileAddress t) {
    return u8(t.array()).u16(t.row0()).u16(t.col0()).u16(t.rows()).u16(t.cols());
  }

  BodyWriter shape(PulseShape s) {
    return u16(s.amplitudeMillivolts()).u32(s.widthNanos()).u32(s.periodNanos());
  }

  BodyWriter limits(HardwareLimits l) {
    return u16(l.maxPulseMillivolts()).u16(l.maxReadTenthMillivolts()).u32(l.minPulseWidthNanos()).u32(l.maxPulseWidthNanos())
        .u32(l.maxPulsesPerCommand()).u32(l.maxPulseRateHz()).u32(l.complianceNanoamps());
  }

  /**
   * Sparse signed streams: a presence bitmap (bit k set: entry k fires at least once), a sign bitmap
   * over the present entries (set: negative), then each present magnitude in ceil(BL / 8) bytes.
   * Bitmaps are LSB-first and zero-padded to whole bytes. Zero entries cost one bit: MNIST inputs
   * and small deltas are mostly zero.
   */
  BodyWriter streams(long[] streams, int bitLength) {
    int present = 0;
    int bitmapAt = size;
    ensure((streams.length + 7) / 8);
    size += (streams.length + 7) / 8;
    for (int k = 0; k < streams.length; k++) {
      if (streams[k] != 0) {
        buf[bitmapAt + k / 8] |= (byte) (1 << (k % 8));
        present++;
      }
    }
    int signsAt = size;
    ensure((present + 7) / 8);
    size += (present + 7) / 8;
    int bytes = (bitLength + 7) / 8;
    int p = 0;
    for (long s : streams) {
      if (s == 0) continue;
      if (s < 0) buf[signsAt + p / 8] |= (byte) (1 << (p % 8));
      p++;
      long magnitude = Math.abs(s);
      ensure(bytes);
      for (int k = 0; k < bytes; k++) buf[size++] = (byte) (magnitude >>> (8 * k));
    }
    return this;
  }
}

