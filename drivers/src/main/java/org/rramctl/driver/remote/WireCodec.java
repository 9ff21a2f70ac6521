package org.rramctl.driver.remote;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.DriverStatus;
import org.rramctl.driver.Limits;
import org.rramctl.driver.MalformedMessageException;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.SweepResult;
import org.rramctl.driver.Tile;

/**
 * Encodes and decodes remote-driver messages. Stateless and thread-safe.
 *
 * <p>Every message is one ZeroMQ frame (the ROUTER adds the client's routing id in front on the server):
 * <pre>
 *  0        1                    5
 * +--------+--------------------+---------------------------+
 * | opcode | request id (u32)   | body, per opcode          |
 * +--------+--------------------+---------------------------+
 * </pre>
 * All integers and IEEE-754 doubles are big-endian. Strings are u16 byte length + UTF-8; vectors are u32
 * element count + elements. The bodies are listed in drivers/REMOTE.md, which is the reference for
 * clients in other languages; this class and that file change together.
 */
public final class WireCodec {
  /**
   * Version carried in {@link Request.Hello} and {@link Reply.Welcome}. 2: limits carry minPulseVolts, board info
   * the vector reads' full scale, WELCOME a note, and READ_DIFFERENTIAL is new. 3: the served board's failures
   * keep their kind (error codes 11..15), ERROR carries the board's own code, and SOURCE and SWEEP serve the
   * source-measure role (capability bits 10 and 11).
   */
  public static final int PROTOCOL_VERSION = 3;

  /** Opcode plus request id. */
  public static final int HEADER_BYTES = 5;

  /** Wire order of the native-operation bits; fixed here so a reordered enum cannot change the wire. */
  static final Capability[] CAPABILITY_BITS = {
      Capability.READ, Capability.PULSE, Capability.PULSE_THEN_READ, Capability.READ_ROW, Capability.READ_COLUMN,
      Capability.READ_ARRAY, Capability.FORWARD_READ, Capability.TRANSPOSE_READ, Capability.PARALLEL_UPDATE,
      Capability.REFERENCE_ARRAYS, Capability.SOURCE_MEASURE, Capability.SWEEP};

  private WireCodec() {}

  /** A request and the id its reply will carry. */
  public record RequestFrame(long requestId, Request request) {}

  /** A reply and the id of the request it answers. */
  public record ReplyFrame(long requestId, Reply reply) {}

  // ---------------------------------------------------------------- encoding

  public static byte[] encode(long requestId, Request r) {
    Out o = new Out(64);
    o.u8(Opcode.of(r.getClass()).code()).u32(requestId);
    // Java 17 has no pattern switch; the opcode table above guarantees the chain is exhaustive.
    if (r instanceof Request.Hello h) {
      o.u16(h.protocolVersion()).str(h.clientLabel()).i64(h.sessionToken());
    } else if (r instanceof Request.Read rd) {
      o.cell(rd.cell()).f64(rd.readVolts());
    } else if (r instanceof Request.Source s) {
      o.cell(s.cell()).f64(s.volts()).i64(s.durationNanos()).f64(s.complianceAmps());
    } else if (r instanceof Request.RunSweep s) {
      o.cell(s.cell()).f64s(s.sweep().levelsVolts()).i64(s.sweep().stepNanos()).i64(s.sweep().offNanos()).f64(s.sweep().complianceAmps());
    } else if (r instanceof Request.ReadDifferential rd) {
      o.i32(rd.array()).i32(rd.row()).i32(rd.col()).f64(rd.readVolts());
    } else if (r instanceof Request.ApplyPulses p) {
      o.cell(p.cell()).pulse(p.pulse()).i32(p.count());
    } else if (r instanceof Request.PulseThenRead p) {
      o.cell(p.cell()).pulse(p.pulse()).i32(p.count()).f64(p.readVolts());
    } else if (r instanceof Request.ReadRow rr) {
      o.i32(rr.array()).u8(rr.plane().ordinal()).i32(rr.row()).f64(rr.readVolts());
    } else if (r instanceof Request.ReadColumn rc) {
      o.i32(rc.array()).u8(rc.plane().ordinal()).i32(rc.col()).f64(rc.readVolts());
    } else if (r instanceof Request.ReadArray ra) {
      o.i32(ra.array()).u8(ra.plane().ordinal()).f64(ra.readVolts());
    } else if (r instanceof Request.ForwardRead f) {
      o.tile(f.tile()).u8(f.mode().ordinal()).f64s(f.rowVolts());
    } else if (r instanceof Request.TransposeRead t) {
      o.tile(t.tile()).u8(t.mode().ordinal()).f64s(t.colVolts());
    } else if (r instanceof Request.ParallelUpdate p) {
      StochasticUpdate u = p.update();
      o.tile(p.tile()).u8(p.plane().ordinal()).u8(u.bitLength()).pulse(u.up()).pulse(u.down())
          .i64s(u.rowBits()).i8s(u.rowSigns()).i64s(u.colBits()).i8s(u.colSigns());
    }
    // Heartbeat, Status, Acquire, Release, Abort: header only.
    return o.bytes();
  }

  public static byte[] encode(long requestId, Reply r) {
    Out o = new Out(32);
    o.u8(Opcode.of(r.getClass()).code()).u32(requestId);
    if (r instanceof Reply.Value v) {
      o.f64(v.value());
    } else if (r instanceof Reply.Vector v) {
      o.f64s(v.values());
    } else if (r instanceof Reply.SweepData s) {
      o.f64s(s.result().volts()).f64s(s.result().amps()).f64(s.result().complianceAmps());
    } else if (r instanceof Reply.Map m) {
      o.i32(m.map().rows()).i32(m.map().cols()).f64s(m.map().siemens());
    } else if (r instanceof Reply.Welcome w) {
      o.u16(w.protocolVersion()).str(w.clientId()).i32(w.heartbeatMillis()).i32(w.leaseMillis()).i32(w.maxRequestBytes()).info(w.info()).str(w.note());
    } else if (r instanceof Reply.Status s) {
      DriverStatus d = s.status();
      o.u8((d.outputsIdle() ? 1 : 0) | (d.aborted() ? 2 : 0)).i64(d.pulsesApplied()).str(d.lastError() == null ? "" : d.lastError())
          .str(s.leaseHolder()).i64(s.leaseRemainingMillis()).i32(s.clients());
    } else if (r instanceof Reply.Lease l) {
      o.str(l.holder()).i64(l.remainingMillis());
    } else if (r instanceof Reply.Error e) {
      o.u8(e.code().code()).str(e.message()).str(e.boardCode());
    } else if (r instanceof Reply.Refused f) {
      o.str(f.limit()).str(f.requested()).str(f.allowed());
    } else if (r instanceof Reply.Held h) {
      o.str(h.holder()).i64(h.remainingMillis());
    }
    // Ok, Pong, Working: header only.
    return o.bytes();
  }

  // ---------------------------------------------------------------- decoding

  /**
   * Decodes a request.
   *
   * @throws MalformedMessageException for bytes that do not follow the schema (too short, truncated, trailing
   *     bytes, an unknown opcode, an enum byte outside its table, a vector count larger than the message, text
   *     that is not UTF-8); the message says what and where, and {@link #requestIdOf(byte[])} still gives the id
   *     to answer when there is one
   * @throws IllegalArgumentException for a well-formed field whose value is never valid (a negative row, an
   *     amplitude that is not a finite number > 0, a bit length outside 1..63, ...): the same answer the server
   *     gives to a value this board cannot take (a row past its last), INVALID_ARGUMENT
   */
  public static RequestFrame decodeRequest(byte[] frame) throws MalformedMessageException {
    In in = new In(frame);
    in.valuesThrow = true;
    Opcode op = in.opcode(true);
    long id = in.u32();
    Request r = in.guard(op, () -> switch (op) {
      case HELLO -> new Request.Hello(in.u16(), in.str(), in.i64());
      case HEARTBEAT -> new Request.Heartbeat();
      case STATUS -> new Request.Status();
      case ACQUIRE -> new Request.Acquire();
      case RELEASE -> new Request.Release();
      case ABORT -> new Request.Abort();
      case READ -> new Request.Read(in.cell(), in.f64());
      case READ_DIFFERENTIAL -> new Request.ReadDifferential(in.i32(), in.i32(), in.i32(), in.f64());
      case SOURCE -> new Request.Source(in.cell(), in.f64(), in.i64(), in.f64());
      case SWEEP -> {
        Cell c = in.cell();
        double[] levels = in.f64s();
        yield new Request.RunSweep(c, new Sweep(levels, in.i64(), in.i64(), in.f64()));
      }
      case PULSE -> new Request.ApplyPulses(in.cell(), in.pulse(), in.i32());
      case PULSE_THEN_READ -> new Request.PulseThenRead(in.cell(), in.pulse(), in.i32(), in.f64());
      case READ_ROW -> new Request.ReadRow(in.i32(), in.plane(), in.i32(), in.f64());
      case READ_COLUMN -> new Request.ReadColumn(in.i32(), in.plane(), in.i32(), in.f64());
      case READ_ARRAY -> new Request.ReadArray(in.i32(), in.plane(), in.f64());
      case FORWARD_READ -> new Request.ForwardRead(in.tile(), in.mode(), in.f64s());
      case TRANSPOSE_READ -> new Request.TransposeRead(in.tile(), in.mode(), in.f64s());
      case PARALLEL_UPDATE -> {
        Tile t = in.tile();
        Plane p = in.plane();
        int bl = in.u8();
        Pulse up = in.pulse();
        Pulse down = in.pulse();
        yield new Request.ParallelUpdate(t, p, new StochasticUpdate(bl, in.i64s(), in.i8s(), in.i64s(), in.i8s(), up, down));
      }
      default -> throw new IllegalStateException("unreachable: " + op);
    });
    in.end(op);
    return new RequestFrame(id, r);
  }

  /** Decodes a reply. */
  public static ReplyFrame decodeReply(byte[] frame) throws MalformedMessageException {
    In in = new In(frame);
    Opcode op = in.opcode(false);
    long id = in.u32();
    Reply r = in.guard(op, () -> switch (op) {
      case OK -> new Reply.Ok();
      case VALUE -> new Reply.Value(in.f64());
      case VECTOR -> new Reply.Vector(in.f64s());
      case SWEEP_RESULT -> {
        double[] v = in.f64s();
        double[] a = in.f64s();
        yield new Reply.SweepData(new SweepResult(v, a, in.f64()));
      }
      case MAP -> {
        int rows = in.i32();
        int cols = in.i32();
        yield new Reply.Map(new ConductanceMap(rows, cols, in.f64s()));
      }
      case WELCOME -> new Reply.Welcome(in.u16(), in.str(), in.i32(), in.i32(), in.i32(), in.info(), in.str());
      case STATUS_REPLY -> {
        int flags = in.u8();
        DriverStatus d = new DriverStatus((flags & 1) != 0, (flags & 2) != 0, in.i64(), in.str());
        yield new Reply.Status(d, in.str(), in.i64(), in.i32());
      }
      case LEASE -> new Reply.Lease(in.str(), in.i64());
      case PONG -> new Reply.Pong();
      case WORKING -> new Reply.Working();
      case ERROR -> new Reply.Error(ErrorCode.of(in.u8()), in.str(), in.str());
      case REFUSED -> new Reply.Refused(in.str(), in.str(), in.str());
      case HELD -> new Reply.Held(in.str(), in.i64());
      default -> throw new IllegalStateException("unreachable: " + op);
    });
    in.end(op);
    return new ReplyFrame(id, r);
  }

  /** The request id of a frame too broken to decode, or 0 when it is shorter than the header. */
  public static long requestIdOf(byte[] frame) {
    if (frame == null || frame.length < HEADER_BYTES) return 0;
    return ByteBuffer.wrap(frame, 1, 4).getInt() & 0xffffffffL;
  }

  // ---------------------------------------------------------------- primitives

  private static final class Out {
    private ByteBuffer b;

    Out(int capacity) {
      b = ByteBuffer.allocate(capacity);
    }

    private void room(int n) {
      if (b.remaining() < n) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + n));
        b.flip();
        bigger.put(b);
        b = bigger;
      }
    }

    Out u8(int v) {
      room(1);
      b.put((byte) v);
      return this;
    }

    Out u16(int v) {
      room(2);
      b.putShort((short) v);
      return this;
    }

    Out u32(long v) {
      room(4);
      b.putInt((int) v);
      return this;
    }

    Out i32(int v) {
      room(4);
      b.putInt(v);
      return this;
    }

    Out i64(long v) {
      room(8);
      b.putLong(v);
      return this;
    }

    Out f64(double v) {
      room(8);
      b.putDouble(v);
      return this;
    }

    Out str(String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      if (utf8.length > 0xFFFF) utf8 = Arrays.copyOf(utf8, 0xFFFF - 3); // messages only; never cut a field that is parsed
      u16(utf8.length);
      room(utf8.length);
      b.put(utf8);
      return this;
    }

    Out f64s(double[] v) {
      i32(v.length);
      room(8 * v.length);
      b.asDoubleBuffer().put(v);
      b.position(b.position() + 8 * v.length);
      return this;
    }

    Out i64s(long[] v) {
      i32(v.length);
      room(8 * v.length);
      b.asLongBuffer().put(v);
      b.position(b.position() + 8 * v.length);
      return this;
    }

    Out i8s(byte[] v) {
      i32(v.length);
      room(v.length);
      b.put(v);
      return this;
    }

    Out cell(Cell c) {
      return i32(c.array()).u8(c.plane().ordinal()).i32(c.row()).i32(c.col());
    }

    Out pulse(Pulse p) {
      return u8(p.polarity() == Polarity.UP ? 0 : 1).f64(p.amplitudeVolts()).i64(p.widthNanos()).i64(p.periodNanos());
    }

    Out tile(Tile t) {
      return i32(t.array()).i32(t.row0()).i32(t.col0()).i32(t.rows()).i32(t.cols());
    }

    Out limits(Limits l) {
      return f64(l.maxPulseVolts()).f64(l.maxReadVolts()).i64(l.minPulseWidthNanos()).i64(l.maxPulseWidthNanos())
          .i32(l.maxPulsesPerCommand()).f64(l.maxPulseRateHz()).f64(l.complianceAmps()).f64(l.minPulseVolts());
    }

    Out info(BoardInfo i) {
      str(i.boardId()).str(i.model()).str(i.firmwareVersion()).i32(i.protocolVersion()).u16(i.arrays().size());
      for (ArrayGeometry g : i.arrays()) i32(g.rows()).i32(g.cols()).u8(g.hasReference() ? 1 : 0);
      limits(i.hardwareLimits()).i32(i.adcBits()).f64(i.gMinSiemens()).f64(i.gMaxSiemens());
      int bits = 0;
      for (int k = 0; k < CAPABILITY_BITS.length; k++) if (i.nativeOps().contains(CAPABILITY_BITS[k])) bits |= 1 << k;
      return i32(bits).f64(i.vectorReadFullScaleAmps());
    }

    byte[] bytes() {
      return Arrays.copyOf(b.array(), b.position());
    }
  }

  @FunctionalInterface
  private interface Body<T> {
    T read();
  }

  private static final class In {
    private final ByteBuffer b;
    private final int first;
    /** Requests: a value error passes as IllegalArgumentException (INVALID_ARGUMENT); replies: malformed. */
    boolean valuesThrow;

    In(byte[] frame) {
      b = ByteBuffer.wrap(frame == null ? new byte[0] : frame);
      first = b.remaining() > 0 ? b.get(0) & 0xff : -1;
    }

    MalformedMessageException bad(String what) {
      return new MalformedMessageException("", what, first, b.position(), null);
    }

    Opcode opcode(boolean request) throws MalformedMessageException {
      if (b.remaining() < HEADER_BYTES) {
        throw bad("message: " + b.remaining() + " bytes (expected: at least " + HEADER_BYTES + ", opcode and request id)");
      }
      int code = b.get() & 0xff;
      Opcode op;
      try {
        op = Opcode.of(code);
      } catch (IllegalArgumentException e) {
        throw bad(e.getMessage());
      }
      if (op.isRequest() != request) throw bad(String.format("opcode: 0x%02x %s (expected: a %s)", code, op, request ? "request" : "reply"));
      return op;
    }

    /** Runs a body decoder, turning underflow and value errors into one checked exception. */
    <T> T guard(Opcode op, Body<T> body) throws MalformedMessageException {
      try {
        return body.read();
      } catch (BufferUnderflowException e) {
        throw bad(op + ": truncated at byte " + b.position() + " of " + b.limit());
      } catch (Malformed e) {
        throw bad(op + ": " + e.getMessage());
      } catch (IllegalArgumentException e) {
        if (valuesThrow) throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
        throw bad(op + ": " + e.getMessage());
      }
    }

    void end(Opcode op) throws MalformedMessageException {
      if (b.hasRemaining()) throw bad(op + ": " + b.remaining() + " trailing bytes after byte " + b.position() + " (expected: none)");
    }

    int u8() {
      return b.get() & 0xff;
    }

    int u16() {
      return b.getShort() & 0xffff;
    }

    long u32() {
      return b.getInt() & 0xffffffffL;
    }

    int i32() {
      return b.getInt();
    }

    long i64() {
      return b.getLong();
    }

    double f64() {
      return b.getDouble();
    }

    String str() {
      int n = u16();
      if (n > b.remaining()) throw new BufferUnderflowException();
      try {
        String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b.slice(b.position(), n)).toString();
        b.position(b.position() + n);
        return s;
      } catch (CharacterCodingException e) {
        throw new Malformed("string at byte " + b.position() + ": not UTF-8");
      }
    }

    /** A vector length, checked against the bytes left so a forged count cannot allocate gigabytes. */
    private int count(int elementBytes) {
      int n = b.getInt();
      if (n < 0 || (long) n * elementBytes > b.remaining()) {
        throw new Malformed("vector length " + n + " at byte " + (b.position() - 4) + " (expected: 0.." + b.remaining() / elementBytes + ", what the message holds)");
      }
      return n;
    }

    double[] f64s() {
      double[] v = new double[count(8)];
      b.asDoubleBuffer().get(v);
      b.position(b.position() + 8 * v.length);
      return v;
    }

    long[] i64s() {
      long[] v = new long[count(8)];
      b.asLongBuffer().get(v);
      b.position(b.position() + 8 * v.length);
      return v;
    }

    byte[] i8s() {
      byte[] v = new byte[count(1)];
      b.get(v);
      return v;
    }

    Plane plane() {
      int p = u8();
      if (p >= Plane.values().length) throw new Malformed("plane: " + p + " (expected: 0 ACTIVE or 1 REFERENCE)");
      return Plane.values()[p];
    }

    ReadMode mode() {
      int m = u8();
      if (m >= ReadMode.values().length) throw new Malformed("read mode: " + m + " (expected: 0 ACTIVE, 1 REFERENCE or 2 DIFFERENTIAL)");
      return ReadMode.values()[m];
    }

    Cell cell() {
      int array = i32();
      Plane p = plane();
      return new Cell(array, p, i32(), i32());
    }

    Pulse pulse() {
      int pol = u8();
      if (pol > 1) throw new Malformed("polarity: " + pol + " (expected: 0 UP or 1 DOWN)");
      return new Pulse(pol == 0 ? Polarity.UP : Polarity.DOWN, f64(), i64(), i64());
    }

    Tile tile() {
      return new Tile(i32(), i32(), i32(), i32(), i32());
    }

    Limits limits() {
      return Limits.builder()
          .maxPulseVolts(f64())
          .maxReadVolts(f64())
          .minPulseWidthNanos(i64())
          .maxPulseWidthNanos(i64())
          .maxPulsesPerCommand(i32())
          .maxPulseRateHz(f64())
          .complianceAmps(f64())
          .minPulseVolts(f64())
          .build();
    }

    BoardInfo info() {
      String id = str();
      String model = str();
      String fw = str();
      int proto = i32();
      int n = u16();
      if ((long) n * 9 > b.remaining()) throw new Malformed("array count " + n + " (expected: what the message holds)");
      List<ArrayGeometry> arrays = new ArrayList<>(n);
      for (int k = 0; k < n; k++) arrays.add(new ArrayGeometry(k, i32(), i32(), u8() != 0));
      Limits l = limits();
      int adc = i32();
      double gMin = f64();
      double gMax = f64();
      int bits = i32();
      Set<Capability> ops = EnumSet.noneOf(Capability.class);
      for (int k = 0; k < CAPABILITY_BITS.length; k++) if ((bits & (1 << k)) != 0) ops.add(CAPABILITY_BITS[k]);
      return new BoardInfo(id, model, fw, proto, arrays, l, adc, gMin, gMax, ops, f64());
    }
  }

  /** A field value the schema forbids (distinct from the driver types' own validation). */
  private static final class Malformed extends RuntimeException {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }
}
