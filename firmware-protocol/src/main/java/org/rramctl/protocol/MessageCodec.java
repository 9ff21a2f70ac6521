package org.rramctl.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Message and sequence number to packet (header and body, PROTOCOL.md) and back. Stateless and
 * thread-safe. The CRC and COBS around a packet belong to framing ({@link FrameEncoder},
 * {@link FrameDecoder}); {@link #frame(Message, int)} does both steps.
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
    Writer w = new Writer();
    w.u8(WireFormat.VERSION).u8(op.code()).u16(sequence).u8(m instanceof Response.Part p && p.more() ? WireFormat.FLAG_MORE : 0);
    body(m, w);
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
    Reader r = new Reader(packet, code);
    int sequence = (packet[2] & 0xFF) | (packet[3] & 0xFF) << 8;
    Message m;
    try {
      m = body(op, (flags & WireFormat.FLAG_MORE) != 0, r);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(op + ": " + e.getMessage(), code, r.at, e);
    }
    if (r.at != packet.length) {
      throw new ProtocolException(op + " body: " + (packet.length - WireFormat.HEADER_BYTES) + " bytes (expected: "
          + (r.at - WireFormat.HEADER_BYTES) + ")", code, r.at);
    }
    return new Envelope(sequence, m);
  }

  private static void body(Message m, Writer w) {
    switch (m.opcode()) {
      case HELLO -> {
        Command.Hello h = (Command.Hello) m;
        w.u8(h.minVersion()).u8(h.maxVersion());
      }
      case GET_LIMITS, STATUS, HEARTBEAT, LAST_EXECUTED, ABORT, ACK -> { }
      case READ -> {
        Command.Read c = (Command.Read) m;
        w.cell(c.cell()).u16(c.readTenthMillivolts());
      }
      case PULSE -> {
        Command.Pulse c = (Command.Pulse) m;
        w.cell(c.cell()).u8(c.polarity().code()).shape(c.shape()).u32(c.count());
      }
      case PULSE_THEN_READ -> {
        Command.PulseThenRead c = (Command.PulseThenRead) m;
        w.cell(c.cell()).u8(c.polarity().code()).shape(c.shape()).u32(c.count()).u16(c.readTenthMillivolts());
      }
      case READ_ROW -> {
        Command.ReadRow c = (Command.ReadRow) m;
        w.u8(c.array()).u8(c.plane().code()).u16(c.row()).u16(c.readTenthMillivolts());
      }
      case READ_COLUMN -> {
        Command.ReadColumn c = (Command.ReadColumn) m;
        w.u8(c.array()).u8(c.plane().code()).u16(c.col()).u16(c.readTenthMillivolts());
      }
      case READ_ARRAY -> {
        Command.ReadArray c = (Command.ReadArray) m;
        w.u8(c.array()).u8(c.plane().code()).u16(c.readTenthMillivolts());
      }
      case FORWARD_READ -> {
        Command.ForwardRead c = (Command.ForwardRead) m;
        w.tile(c.tile()).u8(c.mode().code());
        for (short v : c.rowTenthMillivolts()) w.u16(v);
      }
      case TRANSPOSE_READ -> {
        Command.TransposeRead c = (Command.TransposeRead) m;
        w.tile(c.tile()).u8(c.mode().code());
        for (short v : c.colTenthMillivolts()) w.u16(v);
      }
      case UPDATE -> {
        Command.Update c = (Command.Update) m;
        w.tile(c.tile()).u8(c.plane().code()).u8(c.bitLength()).shape(c.up()).shape(c.down());
        w.streams(c.rowStreams(), c.bitLength()).streams(c.colStreams(), c.bitLength());
      }
      case IDENTITY -> {
        Response.Identity c = (Response.Identity) m;
        w.u8(c.protocolVersion()).u16(c.watchdogMillis()).u16(c.maxPayloadBytes());
        w.text(c.boardId()).text(c.model()).text(c.firmwareVersion()).u8(c.arrays().size());
        for (ArrayInfo a : c.arrays()) w.u16(a.rows()).u16(a.cols()).u8(a.hasReference() ? 1 : 0);
        w.limits(c.limits()).u8(c.adcBits()).f32(c.gMinSiemens()).f32(c.gMaxSiemens()).f32(c.conductanceLsbSiemens());
        int mask = 0;
        for (Opcode op : c.nativeOps()) mask |= 1 << (op.code() - Opcode.FIRST_DEVICE_OP);
        w.u16(mask);
      }
      case LIMITS -> w.limits(((Response.Limits) m).limits());
      case STATUS_REPORT -> {
        Response.Status c = (Response.Status) m;
        w.u8((c.outputsIdle() ? 1 : 0) | (c.busy() ? 2 : 0) | (c.aborted() ? 4 : 0) | (c.watchdogTripped() ? 8 : 0));
        w.u32(c.pulsesApplied()).u32(c.pulsesApplied() >>> 32).u16(c.lastError().code()).u32(c.framesDropped());
      }
      case HEARTBEAT_ACK -> w.u32(((Response.HeartbeatAck) m).uptimeMillis());
      case EXECUTED -> {
        List<ExecutionRecord> records = ((Response.Executed) m).records();
        w.u8(records.size());
        for (ExecutionRecord e : records) {
          w.u16(e.sequence()).u8(e.opcode().code()).u8(e.outcome().ordinal()).u16(e.error().code()).u32(e.pulsesApplied());
        }
      }
      case CONDUCTANCE -> w.u16(((Response.Conductance) m).code());
      case PULSE_DONE -> w.u32(((Response.PulseDone) m).pulsesApplied());
      case CONDUCTANCES -> {
        Response.Conductances c = (Response.Conductances) m;
        w.u16(c.part()).u32(c.first());
        for (short v : c.codes()) w.u16(v);
      }
      case CURRENTS -> {
        Response.Currents c = (Response.Currents) m;
        w.u16(c.part()).u16(c.first());
        for (float v : c.amps()) w.f32(v);
      }
      case UPDATE_PROGRESS -> {
        Response.UpdateProgress c = (Response.UpdateProgress) m;
        w.u16(c.part()).u8(c.slotsDone()).u32(c.pulsesApplied());
      }
      case ERROR -> {
        Response.Error c = (Response.Error) m;
        w.u16(c.code().code()).u8(c.offendingOpcode()).text(c.detail());
      }
    }
  }

  private static Message body(Opcode op, boolean more, Reader r) throws ProtocolException {
    return switch (op) {
      case HELLO -> new Command.Hello(r.u8(), r.u8());
      case GET_LIMITS -> new Command.GetLimits();
      case STATUS -> new Command.GetStatus();
      case HEARTBEAT -> new Command.Heartbeat();
      case LAST_EXECUTED -> new Command.LastExecuted();
      case ABORT -> new Command.Abort();
      case READ -> new Command.Read(r.cell(), r.i16());
      case PULSE -> new Command.Pulse(r.cell(), r.polarity(), r.shape(), r.u32());
      case PULSE_THEN_READ -> new Command.PulseThenRead(r.cell(), r.polarity(), r.shape(), r.u32(), r.i16());
      case READ_ROW -> new Command.ReadRow(r.u8(), r.plane(), r.u16(), r.i16());
      case READ_COLUMN -> new Command.ReadColumn(r.u8(), r.plane(), r.u16(), r.i16());
      case READ_ARRAY -> new Command.ReadArray(r.u8(), r.plane(), r.i16());
      case FORWARD_READ -> {
        TileAddress tile = r.tile();
        yield new Command.ForwardRead(tile, r.readMode(), r.i16s(tile.rows()));
      }
      case TRANSPOSE_READ -> {
        TileAddress tile = r.tile();
        yield new Command.TransposeRead(tile, r.readMode(), r.i16s(tile.cols()));
      }
      case UPDATE -> {
        TileAddress tile = r.tile();
        WirePlane plane = r.plane();
        int bitLength = r.u8();
        Check.range("bitLength", bitLength, 1, Command.Update.MAX_BIT_LENGTH);
        PulseShape up = r.shape();
        PulseShape down = r.shape();
        long[] rows = r.streams(tile.rows(), bitLength);
        yield new Command.Update(tile, plane, bitLength, up, down, rows, r.streams(tile.cols(), bitLength));
      }
      case IDENTITY -> {
        int version = r.u8();
        int watchdog = r.u16();
        int maxPayload = r.u16();
        String boardId = r.text();
        String model = r.text();
        String firmware = r.text();
        int n = r.u8();
        List<ArrayInfo> arrays = new ArrayList<>(n);
        for (int k = 0; k < n; k++) arrays.add(new ArrayInfo(r.u16(), r.u16(), r.flag()));
        HardwareLimits limits = r.limits();
        int adcBits = r.u8();
        float gMin = r.f32();
        float gMax = r.f32();
        float lsb = r.f32();
        int mask = r.u16();
        if ((mask & ~0x1FF) != 0) {
          throw new ProtocolException(String.format("nativeOps: 0x%04x (expected: bits 0..8 only)", mask), r.opcode, r.at - 2);
        }
        Set<Opcode> ops = EnumSet.noneOf(Opcode.class);
        for (int bit = 0; bit < 16; bit++) {
          if ((mask & 1 << bit) != 0) ops.add(Opcode.of(Opcode.FIRST_DEVICE_OP + bit));
        }
        yield new Response.Identity(version, watchdog, maxPayload, boardId, model, firmware, arrays, limits, adcBits, gMin, gMax, lsb, ops);
      }
      case LIMITS -> new Response.Limits(r.limits());
      case STATUS_REPORT -> {
        int flags = r.u8();
        if ((flags & ~0x0F) != 0) throw new IllegalArgumentException(String.format("status flags: 0x%02x (expected: bits 0..3 only)", flags));
        long pulses = r.u32() | r.u32() << 32;
        yield new Response.Status((flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, (flags & 8) != 0, pulses, r.error(), r.u32());
      }
      case HEARTBEAT_ACK -> new Response.HeartbeatAck(r.u32());
      case EXECUTED -> {
        int n = r.u8();
        List<ExecutionRecord> records = new ArrayList<>(n);
        for (int k = 0; k < n; k++) records.add(new ExecutionRecord(r.u16(), r.opcode(), r.outcome(), r.error(), r.u32()));
        yield new Response.Executed(records);
      }
      case ACK -> new Response.Ack();
      case CONDUCTANCE -> new Response.Conductance(r.u16());
      case PULSE_DONE -> new Response.PulseDone(r.u32());
      case CONDUCTANCES -> {
        int part = r.u16();
        long first = r.u32();
        yield new Response.Conductances(part, more, first, r.i16s(r.remaining() / 2));
      }
      case CURRENTS -> {
        int part = r.u16();
        int first = r.u16();
        float[] amps = new float[r.remaining() / 4];
        for (int k = 0; k < amps.length; k++) amps[k] = r.f32();
        yield new Response.Currents(part, more, first, amps);
      }
      case UPDATE_PROGRESS -> new Response.UpdateProgress(r.u16(), more, r.u8(), r.u32());
      case ERROR -> new Response.Error(r.error(), r.u8(), r.text());
    };
  }

  /** Little-endian appender over a growing array. */
  private static final class Writer {
    byte[] buf = new byte[64];
    int size;

    private void ensure(int n) {
      if (size + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
    }

    Writer u8(int v) {
      ensure(1);
      buf[size++] = (byte) v;
      return this;
    }

    Writer u16(int v) {
      ensure(2);
      buf[size++] = (byte) v;
      buf[size++] = (byte) (v >>> 8);
      return this;
    }

    Writer u32(long v) {
      ensure(4);
      for (int k = 0; k < 4; k++) buf[size++] = (byte) (v >>> (8 * k));
      return this;
    }

    Writer f32(float v) {
      return u32(Float.floatToIntBits(v));
    }

    Writer text(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      u8(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
      return this;
    }

    Writer cell(CellAddress c) {
      return u8(c.array()).u8(c.plane().code()).u16(c.row()).u16(c.col());
    }

    Writer tile(TileAddress t) {
      return u8(t.array()).u16(t.row0()).u16(t.col0()).u16(t.rows()).u16(t.cols());
    }

    Writer shape(PulseShape s) {
      return u16(s.amplitudeMillivolts()).u32(s.widthNanos()).u32(s.periodNanos());
    }

    Writer limits(HardwareLimits l) {
      return u16(l.maxPulseMillivolts()).u16(l.maxReadTenthMillivolts()).u32(l.minPulseWidthNanos()).u32(l.maxPulseWidthNanos())
          .u32(l.maxPulsesPerCommand()).u32(l.maxPulseRateHz()).u32(l.complianceNanoamps());
    }

    /**
     * Sparse signed streams: a presence bitmap (bit k set: entry k fires at least once), a sign bitmap
     * over the present entries (set: negative), then each present magnitude in ceil(BL / 8) bytes.
     * Bitmaps are LSB-first and zero-padded to whole bytes. Zero entries cost one bit: MNIST inputs
     * and small deltas are mostly zero.
     */
    Writer streams(long[] streams, int bitLength) {
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

  /** Little-endian reader that reports underflow as a {@link ProtocolException} at its offset. */
  private static final class Reader {
    private final byte[] b;
    private final int opcode;
    int at = WireFormat.HEADER_BYTES;

    Reader(byte[] b, int opcode) {
      this.b = b;
      this.opcode = opcode;
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

    /** The inverse of {@link Writer#streams}; rejects non-canonical forms (padding bits, zero magnitudes). */
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
}
