package org.rramctl.protocol;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@link BodyCodec} per message: each layout of PROTOCOL.md section 4 written once, its encoder next to its
 * decoder. Little-endian throughout; cells, tiles, shapes and limits as {@link BodyWriter} and {@link BodyReader}
 * lay them out.
 */
final class BodyCodecs {
  private BodyCodecs() {}

  private static final Map<Opcode, BodyCodec<?>> BY_OPCODE = new EnumMap<>(Opcode.class);

  // Commands.

  static final BodyCodec<Command.GetLimits> GET_LIMITS = BodyCodec.empty(Opcode.GET_LIMITS, Command.GetLimits::new);
  static final BodyCodec<Command.GetStatus> STATUS = BodyCodec.empty(Opcode.STATUS, Command.GetStatus::new);
  static final BodyCodec<Command.Heartbeat> HEARTBEAT = BodyCodec.empty(Opcode.HEARTBEAT, Command.Heartbeat::new);
  static final BodyCodec<Command.LastExecuted> LAST_EXECUTED = BodyCodec.empty(Opcode.LAST_EXECUTED, Command.LastExecuted::new);
  static final BodyCodec<Command.Abort> ABORT = BodyCodec.empty(Opcode.ABORT, Command.Abort::new);

  static final BodyCodec<Command.Hello> HELLO = BodyCodec.of(Opcode.HELLO,
      (m, w) -> w.u8(m.minVersion()).u8(m.maxVersion()),
      (r, more) -> new Command.Hello(r.u8(), r.u8()));

  static final BodyCodec<Command.Read> READ = BodyCodec.of(Opcode.READ,
      (m, w) -> w.cell(m.cell()).u16(m.readTenthMillivolts()),
      (r, more) -> new Command.Read(r.cell(), r.i16()));

  static final BodyCodec<Command.Pulse> PULSE = BodyCodec.of(Opcode.PULSE,
      (m, w) -> w.cell(m.cell()).u8(m.polarity().code()).shape(m.shape()).u32(m.count()),
      (r, more) -> new Command.Pulse(r.cell(), r.polarity(), r.shape(), r.u32()));

  static final BodyCodec<Command.PulseThenRead> PULSE_THEN_READ = BodyCodec.of(Opcode.PULSE_THEN_READ,
      (m, w) -> w.cell(m.cell()).u8(m.polarity().code()).shape(m.shape()).u32(m.count()).u16(m.readTenthMillivolts()),
      (r, more) -> new Command.PulseThenRead(r.cell(), r.polarity(), r.shape(), r.u32(), r.i16()));

  static final BodyCodec<Command.ReadRow> READ_ROW = BodyCodec.of(Opcode.READ_ROW,
      (m, w) -> w.u8(m.array()).u8(m.plane().code()).u16(m.row()).u16(m.readTenthMillivolts()),
      (r, more) -> new Command.ReadRow(r.u8(), r.plane(), r.u16(), r.i16()));

  static final BodyCodec<Command.ReadColumn> READ_COLUMN = BodyCodec.of(Opcode.READ_COLUMN,
      (m, w) -> w.u8(m.array()).u8(m.plane().code()).u16(m.col()).u16(m.readTenthMillivolts()),
      (r, more) -> new Command.ReadColumn(r.u8(), r.plane(), r.u16(), r.i16()));

  static final BodyCodec<Command.ReadArray> READ_ARRAY = BodyCodec.of(Opcode.READ_ARRAY,
      (m, w) -> w.u8(m.array()).u8(m.plane().code()).u16(m.readTenthMillivolts()),
      (r, more) -> new Command.ReadArray(r.u8(), r.plane(), r.i16()));

  /** Tile, mode, then one voltage per row of the tile. */
  static final BodyCodec<Command.ForwardRead> FORWARD_READ = BodyCodec.of(Opcode.FORWARD_READ,
      (m, w) -> w.tile(m.tile()).u8(m.mode().code()).i16s(m.rowTenthMillivolts()),
      (r, more) -> {
        TileAddress tile = r.tile();
        return new Command.ForwardRead(tile, r.readMode(), r.i16s(tile.rows()));
      });

  /** Tile, mode, then one voltage per column of the tile. */
  static final BodyCodec<Command.TransposeRead> TRANSPOSE_READ = BodyCodec.of(Opcode.TRANSPOSE_READ,
      (m, w) -> w.tile(m.tile()).u8(m.mode().code()).i16s(m.colTenthMillivolts()),
      (r, more) -> {
        TileAddress tile = r.tile();
        return new Command.TransposeRead(tile, r.readMode(), r.i16s(tile.cols()));
      });

  /** Tile, plane, bit length, the up and down shapes, then the row streams and the column streams (sparse). */
  static final BodyCodec<Command.Update> UPDATE = BodyCodec.of(Opcode.UPDATE,
      (m, w) -> w.tile(m.tile()).u8(m.plane().code()).u8(m.bitLength()).shape(m.up()).shape(m.down())
          .streams(m.rowStreams(), m.bitLength()).streams(m.colStreams(), m.bitLength()),
      (r, more) -> {
        TileAddress tile = r.tile();
        WirePlane plane = r.plane();
        int bitLength = r.u8();
        Check.range("bitLength", bitLength, 1, Command.Update.MAX_BIT_LENGTH);
        PulseShape up = r.shape();
        PulseShape down = r.shape();
        long[] rows = r.streams(tile.rows(), bitLength);
        return new Command.Update(tile, plane, bitLength, up, down, rows, r.streams(tile.cols(), bitLength));
      });

  /** Version 2. Cell, signed level i16 mV, duration u32 ns, compliance u32 nA. */
  static final BodyCodec<Command.Source> SOURCE = BodyCodec.of(Opcode.SOURCE,
      (m, w) -> w.cell(m.cell()).u16(m.millivolts()).u32(m.durationNanos()).u32(m.complianceNanoamps()),
      (r, more) -> new Command.Source(r.cell(), r.i16(), r.u32(), r.u32()));

  /** Version 2. Cell, step u32 ns, off u32 ns, compliance u32 nA, then i16 mV levels to the end of the body. */
  static final BodyCodec<Command.Sweep> SWEEP = BodyCodec.of(Opcode.SWEEP,
      (m, w) -> w.cell(m.cell()).u32(m.stepNanos()).u32(m.offNanos()).u32(m.complianceNanoamps()).i16s(m.levelsMillivolts()),
      (r, more) -> {
        CellAddress cell = r.cell();
        long step = r.u32();
        long off = r.u32();
        long compliance = r.u32();
        if (r.remaining() % 2 != 0) throw r.malformed("levels: " + r.remaining() + " bytes (expected: 2 per level)", r.at);
        return new Command.Sweep(cell, step, off, compliance, r.i16s(r.remaining() / 2));
      });

  // Responses.

  static final BodyCodec<Response.Ack> ACK = BodyCodec.empty(Opcode.ACK, Response.Ack::new);

  static final BodyCodec<Response.Identity> IDENTITY = BodyCodec.of(Opcode.IDENTITY, BodyCodecs::writeIdentity, (r, more) -> readIdentity(r));

  static final BodyCodec<Response.Limits> LIMITS = BodyCodec.of(Opcode.LIMITS,
      (m, w) -> w.limits(m.limits()),
      (r, more) -> new Response.Limits(r.limits()));

  /** Flags (outputs idle, busy, aborted, watchdog tripped: bits 0..3), pulses as two u32 (low first), error, dropped. */
  static final BodyCodec<Response.Status> STATUS_REPORT = BodyCodec.of(Opcode.STATUS_REPORT,
      (m, w) -> w.u8((m.outputsIdle() ? 1 : 0) | (m.busy() ? 2 : 0) | (m.aborted() ? 4 : 0) | (m.watchdogTripped() ? 8 : 0))
          .u32(m.pulsesApplied()).u32(m.pulsesApplied() >>> 32).u16(m.lastError().code()).u32(m.framesDropped()),
      (r, more) -> {
        int flags = r.u8();
        if ((flags & ~0x0F) != 0) throw new IllegalArgumentException(String.format("status flags: 0x%02x (expected: bits 0..3 only)", flags));
        long pulses = r.u32() | r.u32() << 32;
        return new Response.Status((flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, (flags & 8) != 0, pulses, r.error(), r.u32());
      });

  static final BodyCodec<Response.HeartbeatAck> HEARTBEAT_ACK = BodyCodec.of(Opcode.HEARTBEAT_ACK,
      (m, w) -> w.u32(m.uptimeMillis()),
      (r, more) -> new Response.HeartbeatAck(r.u32()));

  /** A count, then per record: sequence u16, opcode u8, outcome u8, error u16, pulses u32. */
  static final BodyCodec<Response.Executed> EXECUTED = BodyCodec.of(Opcode.EXECUTED,
      (m, w) -> {
        w.u8(m.records().size());
        for (ExecutionRecord e : m.records()) {
          w.u16(e.sequence()).u8(e.opcode().code()).u8(e.outcome().ordinal()).u16(e.error().code()).u32(e.pulsesApplied());
        }
      },
      (r, more) -> {
        int n = r.u8();
        List<ExecutionRecord> records = new ArrayList<>(n);
        for (int k = 0; k < n; k++) records.add(new ExecutionRecord(r.u16(), r.opcode(), r.outcome(), r.error(), r.u32()));
        return new Response.Executed(records);
      });

  static final BodyCodec<Response.Conductance> CONDUCTANCE = BodyCodec.of(Opcode.CONDUCTANCE,
      (m, w) -> w.u16(m.code()),
      (r, more) -> new Response.Conductance(r.u16()));

  static final BodyCodec<Response.PulseDone> PULSE_DONE = BodyCodec.of(Opcode.PULSE_DONE,
      (m, w) -> w.u32(m.pulsesApplied()),
      (r, more) -> new Response.PulseDone(r.u32()));

  /** Part u16, index of the first code u32, then codes to the end of the body. */
  static final BodyCodec<Response.Conductances> CONDUCTANCES = BodyCodec.of(Opcode.CONDUCTANCES,
      (m, w) -> w.u16(m.part()).u32(m.first()).i16s(m.codes()),
      (r, more) -> {
        int part = r.u16();
        long first = r.u32();
        return new Response.Conductances(part, more, first, r.i16s(r.remaining() / 2));
      });

  /** Part u16, index of the first current u16, then f32 currents to the end of the body. */
  static final BodyCodec<Response.Currents> CURRENTS = BodyCodec.of(Opcode.CURRENTS,
      (m, w) -> {
        w.u16(m.part()).u16(m.first());
        for (float v : m.amps()) w.f32(v);
      },
      (r, more) -> {
        int part = r.u16();
        int first = r.u16();
        float[] amps = new float[r.remaining() / 4];
        for (int k = 0; k < amps.length; k++) amps[k] = r.f32();
        return new Response.Currents(part, more, first, amps);
      });

  static final BodyCodec<Response.UpdateProgress> UPDATE_PROGRESS = BodyCodec.of(Opcode.UPDATE_PROGRESS,
      (m, w) -> w.u16(m.part()).u8(m.slotsDone()).u32(m.pulsesApplied()),
      (r, more) -> new Response.UpdateProgress(r.u16(), more, r.u8(), r.u32()));

  /** Version 2. The current f32 A, then flags (bit 0: held at the compliance; bits 1..7 zero). */
  static final BodyCodec<Response.Measured> MEASURED = BodyCodec.of(Opcode.MEASURED,
      (m, w) -> w.f32(m.amps()).u8(m.atCompliance() ? 1 : 0),
      (r, more) -> new Response.Measured(r.f32(), pointFlags(r)));

  /** Version 2. Part u16, index of the first point u16, then per point f32 current and a flags byte, to the end of the body. */
  static final BodyCodec<Response.SweepPoints> SWEEP_POINTS = BodyCodec.of(Opcode.SWEEP_POINTS,
      (m, w) -> {
        w.u16(m.part()).u16(m.first());
        for (int k = 0; k < m.amps().length; k++) w.f32(m.amps()[k]).u8(m.atCompliance()[k] ? 1 : 0);
      },
      (r, more) -> {
        int part = r.u16();
        int first = r.u16();
        if (r.remaining() % Response.SweepPoints.POINT_BYTES != 0) {
          throw r.malformed("points: " + r.remaining() + " bytes (expected: " + Response.SweepPoints.POINT_BYTES + " per point)", r.at);
        }
        int n = r.remaining() / Response.SweepPoints.POINT_BYTES;
        float[] amps = new float[n];
        boolean[] limited = new boolean[n];
        for (int k = 0; k < n; k++) {
          amps[k] = r.f32();
          limited[k] = pointFlags(r);
        }
        return new Response.SweepPoints(part, more, first, amps, limited);
      });

  private static boolean pointFlags(BodyReader r) throws ProtocolException {
    int flags = r.u8();
    if ((flags & ~1) != 0) throw r.malformed(String.format("point flags: 0x%02x (expected: bit 0 only)", flags), r.at - 1);
    return flags == 1;
  }

  static final BodyCodec<Response.Error> ERROR = BodyCodec.of(Opcode.ERROR,
      (m, w) -> w.u16(m.code().code()).u8(m.offendingOpcode()).text(m.detail()),
      (r, more) -> new Response.Error(r.error(), r.u8(), r.text()));

  static {
    for (BodyCodec<?> c : List.of(HELLO, GET_LIMITS, STATUS, HEARTBEAT, LAST_EXECUTED, ABORT, READ, PULSE, PULSE_THEN_READ, READ_ROW, READ_COLUMN,
        READ_ARRAY, FORWARD_READ, TRANSPOSE_READ, UPDATE, SOURCE, SWEEP, IDENTITY, LIMITS, STATUS_REPORT, HEARTBEAT_ACK, EXECUTED, ACK, CONDUCTANCE,
        PULSE_DONE, CONDUCTANCES, CURRENTS, UPDATE_PROGRESS, MEASURED, SWEEP_POINTS, ERROR)) {
      BY_OPCODE.put(c.opcode(), c);
    }
    for (Opcode op : Opcode.values()) {
      if (!BY_OPCODE.containsKey(op)) throw new IllegalStateException("opcode " + op + " has no body codec");
    }
  }

  /** The codec of {@code op}'s message type. */
  @SuppressWarnings("unchecked")
  static BodyCodec<Message> of(Opcode op) {
    // Every opcode maps to the codec of op.type() (checked above), so a message of that opcode fits it.
    return (BodyCodec<Message>) BY_OPCODE.get(op);
  }

  /**
   * Protocol version, watchdog, largest payload, board id, model, firmware (texts), the arrays (rows, cols,
   * reference flag each), limits, ADC bits, G_min, G_max, conductance LSB (f32), then a bitmap of the native
   * device opcodes (bit k: opcode FIRST_DEVICE_OP + k).
   */
  private static void writeIdentity(Response.Identity m, BodyWriter w) {
    w.u8(m.protocolVersion()).u16(m.watchdogMillis()).u16(m.maxPayloadBytes());
    w.text(m.boardId()).text(m.model()).text(m.firmwareVersion()).u8(m.arrays().size());
    for (ArrayInfo a : m.arrays()) w.u16(a.rows()).u16(a.cols()).u8(a.hasReference() ? 1 : 0);
    w.limits(m.limits()).u8(m.adcBits()).f32(m.gMinSiemens()).f32(m.gMaxSiemens()).f32(m.conductanceLsbSiemens());
    int mask = 0;
    for (Opcode op : m.nativeOps()) mask |= 1 << (op.code() - Opcode.FIRST_DEVICE_OP);
    w.u16(mask);
  }

  private static Response.Identity readIdentity(BodyReader r) throws ProtocolException {
    // Arguments are evaluated left to right: the constructor call reads the fields in their wire order.
    return new Response.Identity(r.u8(), r.u16(), r.u16(), r.text(), r.text(), r.text(), readArrays(r), r.limits(), r.u8(), r.f32(), r.f32(),
        r.f32(), readNativeOps(r));
  }

  private static List<ArrayInfo> readArrays(BodyReader r) throws ProtocolException {
    int n = r.u8();
    List<ArrayInfo> arrays = new ArrayList<>(n);
    for (int k = 0; k < n; k++) arrays.add(new ArrayInfo(r.u16(), r.u16(), r.flag()));
    return arrays;
  }

  /** The mask's bits: 0..10 (READ..SWEEP); the Identity record refuses an operation newer than the board's version. */
  private static Set<Opcode> readNativeOps(BodyReader r) throws ProtocolException {
    int mask = r.u16();
    int known = (1 << (Opcode.SWEEP.code() - Opcode.FIRST_DEVICE_OP + 1)) - 1;
    if ((mask & ~known) != 0) throw r.malformed(String.format("nativeOps: 0x%04x (expected: bits 0..10 only)", mask), r.at - 2);
    Set<Opcode> ops = EnumSet.noneOf(Opcode.class);
    for (int bit = 0; bit < 16; bit++) {
      if ((mask & 1 << bit) != 0) ops.add(Opcode.of(Opcode.FIRST_DEVICE_OP + bit));
    }
    return ops;
  }
}
