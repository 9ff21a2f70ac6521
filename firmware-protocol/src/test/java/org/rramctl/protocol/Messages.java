package org.rramctl.protocol;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators of valid messages, one per message type, over the whole range of every field. */
final class Messages {
  private Messages() {}

  static Arbitrary<Integer> u8() {
    return Arbitraries.integers().between(0, 0xFF);
  }

  static Arbitrary<Integer> u16() {
    return Arbitraries.integers().between(0, 0xFFFF);
  }

  static Arbitrary<Long> u32(long min) {
    return Arbitraries.longs().between(min, 0xFFFF_FFFFL);
  }

  static Arbitrary<Integer> readVoltage() {
    return Arbitraries.integers().between(1, Short.MAX_VALUE);
  }

  static Arbitrary<CellAddress> cell() {
    return Combinators.combine(u8(), Arbitraries.of(WirePlane.class), u16(), u16()).as(CellAddress::new);
  }

  /** Tiles anywhere in the address space, but small, so vectors stay short. */
  static Arbitrary<TileAddress> tile() {
    return Combinators.combine(u8(), Arbitraries.integers().between(0, 0xFFFF - 40), Arbitraries.integers().between(0, 0xFFFF - 40),
        Arbitraries.integers().between(1, 40), Arbitraries.integers().between(1, 40)).as(TileAddress::new);
  }

  static Arbitrary<PulseShape> shape() {
    return Combinators.combine(Arbitraries.integers().between(1, 0xFFFF), u32(1), u32(0))
        .as((mv, w, extra) -> new PulseShape(mv, w, Math.min(0xFFFF_FFFFL, w + extra / 2)));
  }

  static Arbitrary<HardwareLimits> limits() {
    return Combinators.combine(Arbitraries.integers().between(1, 0xFFFF), readVoltage(), u32(1), u32(0), u32(1), u32(1), u32(1))
        .as((pv, rv, minW, extra, n, hz, na) -> new HardwareLimits(pv, rv, minW, Math.min(0xFFFF_FFFFL, minW + extra), n, hz, na));
  }

  static Arbitrary<String> text(int minLength) {
    return Arbitraries.strings().withCharRange('!', '~').withChars("µΩ ").ofMinLength(minLength).ofMaxLength(60);
  }

  /** Positive floats from 1e-12 to 1, spread over every binade (IEEE 754 bit patterns are ordered for positives). */
  static Arbitrary<Float> positiveFloat() {
    return Arbitraries.integers().between(Float.floatToIntBits(1e-12f), Float.floatToIntBits(1f)).map(Float::intBitsToFloat);
  }

  /** Every finite float, negative, subnormal and zero included. */
  static Arbitrary<Float> finiteFloat() {
    return Arbitraries.integers().map(Float::intBitsToFloat).filter(Float::isFinite);
  }

  static Arbitrary<Long> streams(int bitLength) {
    long max = (1L << bitLength) - 1;
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.just(0L)),
        net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(-max, max)));
  }

  static Arbitrary<Command.Update> update() {
    return Combinators.combine(tile(), Arbitraries.of(WirePlane.class), Arbitraries.integers().between(1, 63), shape(), shape())
        .flatAs((t, plane, bl, up, down) -> Combinators.combine(
                streams(bl).array(long[].class).ofSize(t.rows()), streams(bl).array(long[].class).ofSize(t.cols()))
            .as((rows, cols) -> new Command.Update(t, plane, bl, up, down, rows, cols)));
  }

  static Arbitrary<Response.Identity> identity() {
    Arbitrary<List<ArrayInfo>> arrays = Combinators.combine(Arbitraries.integers().between(1, 0xFFFF), Arbitraries.integers().between(1, 0xFFFF),
        Arbitraries.of(true, false)).as(ArrayInfo::new).list().ofMinSize(1).ofMaxSize(8);
    Arbitrary<java.util.Set<Opcode>> ops = Arbitraries.of(Opcode.READ, Opcode.PULSE, Opcode.PULSE_THEN_READ, Opcode.READ_ROW, Opcode.READ_COLUMN,
        Opcode.READ_ARRAY, Opcode.FORWARD_READ, Opcode.TRANSPOSE_READ, Opcode.UPDATE, Opcode.SOURCE, Opcode.SWEEP).set();
    Arbitrary<float[]> window = Combinators.combine(positiveFloat(), positiveFloat(), positiveFloat())
        .as((a, b, lsb) -> new float[] {Math.min(a, b) / 2, Math.max(a, b), lsb});
    Arbitrary<int[]> numbers = Combinators.combine(Arbitraries.integers().between(1, 0xFF), Arbitraries.integers().between(1, 0xFFFF),
        Arbitraries.integers().between(Response.Identity.MIN_ACCEPTED_PAYLOAD, WireFormat.MAX_PAYLOAD_BYTES)).as((v, w, p) -> new int[] {v, w, p});
    Arbitrary<String[]> names = Combinators.combine(text(1).filter(s -> !s.isBlank()), text(0), text(0)).as((id, model, fw) -> new String[] {id, model, fw});
    return Combinators.combine(numbers, names, arrays, limits(), Arbitraries.integers().between(1, 32), window, ops)
        .as((n, s, a, l, adc, w, o) -> new Response.Identity(n[0], n[1], n[2], s[0], s[1], s[2], a, l, adc, w[0], w[1], w[2],
            o.stream().filter(op -> op.inVersion(n[0])).collect(java.util.stream.Collectors.toSet())));
  }

  static Arbitrary<ExecutionRecord> executionRecord() {
    return Combinators.combine(u16(), Arbitraries.of(Opcode.PULSE, Opcode.PULSE_THEN_READ, Opcode.UPDATE, Opcode.SOURCE, Opcode.SWEEP), Arbitraries.of(Outcome.class),
        Arbitraries.of(ErrorCode.class), u32(0)).as(ExecutionRecord::new);
  }

  /** One generator per message type, keyed by its record class. */
  static Map<Class<? extends Message>, Arbitrary<? extends Message>> byType() {
    Map<Class<? extends Message>, Arbitrary<? extends Message>> m = new LinkedHashMap<>();
    m.put(Command.Hello.class, u8().filter(v -> v > 0).flatMap(min -> Arbitraries.integers().between(min, 0xFF).map(max -> new Command.Hello(min, max))));
    m.put(Command.GetLimits.class, Arbitraries.just(new Command.GetLimits()));
    m.put(Command.GetStatus.class, Arbitraries.just(new Command.GetStatus()));
    m.put(Command.Heartbeat.class, Arbitraries.just(new Command.Heartbeat()));
    m.put(Command.LastExecuted.class, Arbitraries.just(new Command.LastExecuted()));
    m.put(Command.Abort.class, Arbitraries.just(new Command.Abort()));
    m.put(Command.Read.class, Combinators.combine(cell(), readVoltage()).as(Command.Read::new));
    m.put(Command.Pulse.class, Combinators.combine(cell(), Arbitraries.of(WirePolarity.class), shape(), u32(1)).as(Command.Pulse::new));
    m.put(Command.PulseThenRead.class,
        Combinators.combine(cell(), Arbitraries.of(WirePolarity.class), shape(), u32(1), readVoltage()).as(Command.PulseThenRead::new));
    m.put(Command.ReadRow.class, Combinators.combine(u8(), Arbitraries.of(WirePlane.class), u16(), readVoltage()).as(Command.ReadRow::new));
    m.put(Command.ReadColumn.class, Combinators.combine(u8(), Arbitraries.of(WirePlane.class), u16(), readVoltage()).as(Command.ReadColumn::new));
    m.put(Command.ReadArray.class, Combinators.combine(u8(), Arbitraries.of(WirePlane.class), readVoltage()).as(Command.ReadArray::new));
    m.put(Command.ForwardRead.class, Combinators.combine(tile(), Arbitraries.of(WireReadMode.class))
        .flatAs((t, mode) -> Arbitraries.shorts().array(short[].class).ofSize(t.rows()).map(v -> new Command.ForwardRead(t, mode, v))));
    m.put(Command.TransposeRead.class, Combinators.combine(tile(), Arbitraries.of(WireReadMode.class))
        .flatAs((t, mode) -> Arbitraries.shorts().array(short[].class).ofSize(t.cols()).map(v -> new Command.TransposeRead(t, mode, v))));
    m.put(Command.Update.class, update());
    m.put(Command.Source.class, Combinators.combine(cell(), Arbitraries.integers().between(Short.MIN_VALUE, Short.MAX_VALUE), u32(1), u32(1))
        .as(Command.Source::new));
    m.put(Command.Sweep.class, Combinators.combine(cell(), u32(1), u32(0), u32(1), Arbitraries.shorts().array(short[].class).ofMinSize(1).ofMaxSize(300))
        .as(Command.Sweep::new));
    m.put(Response.Identity.class, identity());
    m.put(Response.Limits.class, limits().map(Response.Limits::new));
    m.put(Response.Status.class, Combinators.combine(Arbitraries.integers().between(0, 15), Arbitraries.longs().between(0, Long.MAX_VALUE),
        Arbitraries.of(ErrorCode.class), u32(0)).as((f, p, e, d) -> new Response.Status((f & 1) != 0, (f & 2) != 0, (f & 4) != 0, (f & 8) != 0, p, e, d)));
    m.put(Response.HeartbeatAck.class, u32(0).map(Response.HeartbeatAck::new));
    m.put(Response.Executed.class, executionRecord().list().ofMaxSize(Response.Executed.MAX_RECORDS).map(Response.Executed::new));
    m.put(Response.Ack.class, Arbitraries.just(new Response.Ack()));
    m.put(Response.Conductance.class, u16().map(Response.Conductance::new));
    m.put(Response.PulseDone.class, u32(0).map(Response.PulseDone::new));
    m.put(Response.Conductances.class, Combinators.combine(u16(), Arbitraries.of(true, false), u32(0),
        Arbitraries.shorts().array(short[].class).ofMinSize(1).ofMaxSize(300)).as(Response.Conductances::new));
    m.put(Response.Currents.class, Combinators.combine(u16(), Arbitraries.of(true, false), u16(),
        finiteFloat().array(float[].class).ofMinSize(1).ofMaxSize(300)).as(Response.Currents::new));
    m.put(Response.UpdateProgress.class, Combinators.combine(u16(), Arbitraries.of(true, false), Arbitraries.integers().between(0, 63), u32(0))
        .as(Response.UpdateProgress::new));
    m.put(Response.Measured.class, Combinators.combine(finiteFloat(), Arbitraries.of(true, false)).as(Response.Measured::new));
    m.put(Response.SweepPoints.class, Combinators.combine(u16(), Arbitraries.of(true, false), u16(), Arbitraries.integers().between(1, 300), Arbitraries.longs())
        .as((part, more, first, n, seed) -> {
          java.util.Random r = new java.util.Random(seed);
          float[] amps = new float[n];
          boolean[] limited = new boolean[n];
          for (int k = 0; k < n; k++) {
            amps[k] = (float) (r.nextGaussian() * 1e-4);
            limited[k] = r.nextBoolean();
          }
          return new Response.SweepPoints(part, more, first, amps, limited);
        }));
    m.put(Response.Error.class, Combinators.combine(Arbitraries.of(ErrorCode.class).filter(e -> e != ErrorCode.NONE), u8(), text(0))
        .as(Response.Error::new));
    return m;
  }

  static Arbitrary<Message> any() {
    List<Arbitrary<? extends Message>> all = List.copyOf(byType().values());
    return Arbitraries.oneOf(all);
  }
}
