package org.rramctl.driver.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.DriverStatus;
import org.rramctl.driver.MalformedMessageException;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.SweepResult;
import org.rramctl.driver.Tile;

class WireCodecTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final Pulse UP = Pulse.up(1.0, Duration.ofNanos(100));
  private static final Tile TILE = new Tile(0, 1, 2, 2, 3);
  private static final BoardInfo INFO = new BoardInfo("b-1", "model", "fw 1", 3, List.of(new ArrayGeometry(0, 4, 5, true), new ArrayGeometry(1, 2, 2, false)),
      RecordingDriver.LIMITS, 12, 1e-6, 1e-4, EnumSet.of(Capability.READ, Capability.FORWARD_READ, Capability.REFERENCE_ARRAYS), 1.2e-5);

  static Map<Class<?>, Request> sampleRequests() {
    Map<Class<?>, Request> m = new LinkedHashMap<>();
    m.put(Request.Hello.class, new Request.Hello(1, "alice@lab", 0x0123456789abcdefL));
    m.put(Request.Heartbeat.class, new Request.Heartbeat());
    m.put(Request.Status.class, new Request.Status());
    m.put(Request.Acquire.class, new Request.Acquire());
    m.put(Request.Release.class, new Request.Release());
    m.put(Request.Abort.class, new Request.Abort());
    m.put(Request.Read.class, new Request.Read(Cell.reference(1, 2, 3), 0.2));
    m.put(Request.ReadDifferential.class, new Request.ReadDifferential(1, 2, 3, 0.2));
    m.put(Request.Source.class, new Request.Source(Cell.active(0, 1, 2), -1.5, 1_000_000, 1e-4));
    m.put(Request.RunSweep.class, new Request.RunSweep(Cell.active(0, 1, 2), Sweep.loop(1.0, 0.5, 0.25, 1_000_000, 0, 1e-4)));
    m.put(Request.ApplyPulses.class, new Request.ApplyPulses(Cell.active(0, 1, 2), UP, 7));
    m.put(Request.PulseThenRead.class, new Request.PulseThenRead(Cell.active(0, 1, 2), UP.withPolarity(org.rramctl.driver.Polarity.DOWN), 3, 0.1));
    m.put(Request.ReadRow.class, new Request.ReadRow(0, Plane.ACTIVE, 3, 0.2));
    m.put(Request.ReadColumn.class, new Request.ReadColumn(1, Plane.REFERENCE, 1, 0.2));
    m.put(Request.ReadArray.class, new Request.ReadArray(0, Plane.REFERENCE, 0.2));
    m.put(Request.ForwardRead.class, new Request.ForwardRead(TILE, ReadMode.DIFFERENTIAL, new double[] {0.1, -0.05}));
    m.put(Request.TransposeRead.class, new Request.TransposeRead(TILE, ReadMode.ACTIVE, new double[] {0.1, 0, -0.2}));
    m.put(Request.ParallelUpdate.class, new Request.ParallelUpdate(TILE, Plane.ACTIVE,
        new StochasticUpdate(5, new long[] {0b10101, 0}, new byte[] {1, 0}, new long[] {1, 2, 31}, new byte[] {1, -1, 1}, UP, UP.withPolarity(org.rramctl.driver.Polarity.DOWN))));
    return m;
  }

  static Map<Class<?>, Reply> sampleReplies() {
    Map<Class<?>, Reply> m = new LinkedHashMap<>();
    m.put(Reply.Ok.class, new Reply.Ok());
    m.put(Reply.Value.class, new Reply.Value(1e-5));
    m.put(Reply.Vector.class, new Reply.Vector(new double[] {1, 2.5, -3}));
    m.put(Reply.Map.class, new Reply.Map(new ConductanceMap(2, 2, new double[] {1, 2, 3, 4})));
    m.put(Reply.Welcome.class, new Reply.Welcome(2, "alice#00ab", 1000, 10000, 1 << 20, INFO, "label 'alice': cut"));
    m.put(Reply.Status.class, new Reply.Status(new DriverStatus(true, false, 42, "none"), "alice#00ab", 900, 3));
    m.put(Reply.Lease.class, new Reply.Lease("alice#00ab", 10000));
    m.put(Reply.Pong.class, new Reply.Pong());
    m.put(Reply.Working.class, new Reply.Working());
    m.put(Reply.SweepData.class, new Reply.SweepData(new SweepResult(new double[] {0.5, 1.0}, new double[] {1e-6, -2e-5}, 1e-4)));
    m.put(Reply.Error.class, new Reply.Error(ErrorCode.BOARD_REFUSED, "/dev/ttyACM0: refused: PULSE: OUT_OF_RANGE", "OUT_OF_RANGE"));
    m.put(Reply.Refused.class, new Reply.Refused("pulse amplitude", "2 V", "0 < V <= 1.5 V"));
    m.put(Reply.Held.class, new Reply.Held("bob#01", 5000));
    return m;
  }

  /** The record types under a sealed interface, through its sealed sub-interfaces. */
  private static List<Class<?>> leafTypes(Class<?> sealed) {
    List<Class<?>> leaves = new java.util.ArrayList<>();
    for (Class<?> c : sealed.getPermittedSubclasses()) {
      if (c.isSealed()) leaves.addAll(leafTypes(c));
      else leaves.add(c);
    }
    return leaves;
  }

  @Test
  void everyMessageTypeHasAnOpcodeAndSurvivesARoundTrip() throws Exception {
    Map<Class<?>, Request> reqs = sampleRequests();
    for (Class<?> c : leafTypes(Request.class)) {
      Request r = reqs.get(c);
      assertTrue(r != null, "a sample of " + c.getSimpleName());
      assertEquals(c, Opcode.of(c).type());
      byte[] wire = WireCodec.encode(0xfffffffeL, r);
      WireCodec.RequestFrame f = WireCodec.decodeRequest(wire);
      assertEquals(0xfffffffeL, f.requestId());
      assertEquals(c, f.request().getClass());
      assertArrayEquals(wire, WireCodec.encode(f.requestId(), f.request()), c.getSimpleName());
    }
    Map<Class<?>, Reply> reps = sampleReplies();
    for (Class<?> c : Reply.class.getPermittedSubclasses()) {
      Reply r = reps.get(c);
      assertTrue(r != null, "a sample of " + c.getSimpleName());
      byte[] wire = WireCodec.encode(9, r);
      WireCodec.ReplyFrame f = WireCodec.decodeReply(wire);
      assertEquals(c, f.reply().getClass());
      assertArrayEquals(wire, WireCodec.encode(9, f.reply()), c.getSimpleName());
    }
    assertEquals(INFO, ((Reply.Welcome) WireCodec.decodeReply(WireCodec.encode(1, reps.get(Reply.Welcome.class))).reply()).info());
  }

  /** Hand-assembled from drivers/REMOTE.md, so encoder and decoder cannot share a mistake. */
  @Test
  void goldenVectorsMatchTheDocumentedLayout() throws Exception {
    String read = "10" + "00000007" + "00000000" + "00" + "00000001" + "00000002" + "3fc999999999999a";
    assertEquals(read, HEX.formatHex(WireCodec.encode(7, new Request.Read(Cell.active(0, 1, 2), 0.2))));
    String value = "81" + "00000007" + "3ee4f8b588e368f1";
    assertEquals(1e-5, ((Reply.Value) WireCodec.decodeReply(HEX.parseHex(value)).reply()).value());
    String pulse = "11" + "00000008" + "00000000" + "00" + "00000000" + "00000003" + "00" + "3ff0000000000000" + "0000000000000064" + "00000000000000c8" + "00000005";
    assertEquals(new Request.ApplyPulses(Cell.active(0, 0, 3), UP, 5), WireCodec.decodeRequest(HEX.parseHex(pulse)).request());
    String error = "e0" + "00000008" + "07" + "0005" + "6c61746572" + "0000";
    assertEquals(new Reply.Error(ErrorCode.BUSY, "later"), WireCodec.decodeReply(HEX.parseHex(error)).reply());
    String boardError = "e0" + "00000008" + "0e" + "0002" + "6e6f" + "0003" + "424144";
    assertEquals(new Reply.Error(ErrorCode.BOARD_REFUSED, "no", "BAD"), WireCodec.decodeReply(HEX.parseHex(boardError)).reply());
    String hello = "01" + "00000001" + "0003" + "0002" + "6869" + "000000000000002a";
    assertEquals(new Request.Hello(3, "hi", 42), WireCodec.decodeRequest(HEX.parseHex(hello)).request());
    String source = "1a" + "0000000b" + "00000000" + "00" + "00000001" + "00000002" + "bff8000000000000" + "00000000000f4240" + "3f1a36e2eb1c432d";
    assertEquals(source, HEX.formatHex(WireCodec.encode(11, new Request.Source(Cell.active(0, 1, 2), -1.5, 1_000_000, 1e-4))));
    String sweep = "1b" + "0000000c" + "00000000" + "00" + "00000001" + "00000002" + "00000002" + "3fe0000000000000" + "3ff0000000000000"
        + "00000000000f4240" + "0000000000000000" + "3f1a36e2eb1c432d";
    assertEquals(sweep, HEX.formatHex(WireCodec.encode(12, new Request.RunSweep(Cell.active(0, 1, 2), new Sweep(new double[] {0.5, 1.0}, 1_000_000, 0, 1e-4)))));
    String sweepResult = "89" + "0000000c" + "00000002" + "3fe0000000000000" + "3ff0000000000000" + "00000002" + "3f1a36e2eb1c432d" + "bff8000000000000"
        + "3f1a36e2eb1c432d";
    SweepResult sr = ((Reply.SweepData) WireCodec.decodeReply(HEX.parseHex(sweepResult)).reply()).result();
    assertArrayEquals(new double[] {0.5, 1.0}, sr.volts());
    assertArrayEquals(new double[] {1e-4, -1.5}, sr.amps());
    assertEquals(1e-4, sr.complianceAmps());
    String diff = "19" + "00000009" + "00000000" + "00000001" + "00000002" + "3fc999999999999a";
    assertEquals(diff, HEX.formatHex(WireCodec.encode(9, new Request.ReadDifferential(0, 1, 2, 0.2))));
    // REMOTE.md's parallel-update example: tile 0:0,0 2 x 2, BL 4, UP/DOWN 1 V 100 ns period 200 ns.
    String update = "18" + "0000000a" + "00000000" + "00000000" + "00000000" + "00000002" + "00000002" + "00" + "04"
        + "00" + "3ff0000000000000" + "0000000000000064" + "00000000000000c8"
        + "01" + "3ff0000000000000" + "0000000000000064" + "00000000000000c8"
        + "00000002" + "0000000000000003" + "0000000000000000" + "00000002" + "01" + "00"
        + "00000002" + "0000000000000006" + "0000000000000001" + "00000002" + "01" + "ff";
    StochasticUpdate u = ((Request.ParallelUpdate) WireCodec.decodeRequest(HEX.parseHex(update)).request()).update();
    assertEquals(1, u.signedPulses(0, 0), "device (0, 0): one UP pulse (slot 1)");
    assertEquals(-1, u.signedPulses(0, 1), "device (0, 1): one DOWN pulse (slot 0)");
    assertEquals(0, u.signedPulses(1, 0));
    assertEquals(0, u.signedPulses(1, 1));
    // Board info ends with the native-operation bits and the vector reads' full scale, WELCOME with its note.
    byte[] welcome = WireCodec.encode(1, sampleReplies().get(Reply.Welcome.class));
    String note = HEX.formatHex("label 'alice': cut".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String tail = HEX.formatHex(welcome, welcome.length - 4 - 8 - 2 - 18, welcome.length);
    assertEquals("00000241" + "3ee92a737110e454" + "0012" + note, tail, "READ|FORWARD_READ|REFERENCE_ARRAYS, 1.2e-5 A, the note");
  }

  @Test
  void everyTruncationAndAnyTrailingByteIsMalformed() throws Exception {
    for (Request r : sampleRequests().values()) {
      byte[] wire = WireCodec.encode(3, r);
      for (int n = 0; n < wire.length; n++) {
        byte[] cut = Arrays.copyOf(wire, n);
        assertThrows(MalformedMessageException.class, () -> WireCodec.decodeRequest(cut), r.getClass().getSimpleName() + " cut to " + n);
      }
      byte[] longer = Arrays.copyOf(wire, wire.length + 1);
      MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> WireCodec.decodeRequest(longer));
      assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    }
  }

  @Test
  void unknownOpcodesAndForgedLengthsAreRefusedWithoutAllocating() {
    MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> WireCodec.decodeRequest(HEX.parseHex("7f00000001")));
    assertTrue(e.getMessage().contains("0x7f"), e.getMessage());
    assertThrows(MalformedMessageException.class, () -> WireCodec.decodeRequest(HEX.parseHex("8000000001")), "a reply is not a request");
    // A forward read claiming 2^31-1 voltages in a 40-byte message.
    String forged = "16" + "00000001" + "00000000000000000000000000000001" + "00000001" + "00" + "7fffffff";
    e = assertThrows(MalformedMessageException.class, () -> WireCodec.decodeRequest(HEX.parseHex(forged)));
    assertTrue(e.getMessage().contains("vector length"), e.getMessage());
  }

  @Test
  void aFieldValueThatIsNeverValidIsAnInvalidArgumentNotAMalformedMessage() throws Exception {
    byte[] read = WireCodec.encode(5, new Request.Read(Cell.active(0, 1, 2), 0.2));
    read[10] = (byte) 0xff; // row: 0x00000001 -> 0xff000001, negative
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WireCodec.decodeRequest(read));
    assertTrue(e.getMessage().startsWith("READ: row: "), e.getMessage());
    byte[] pulse = WireCodec.encode(5, new Request.ApplyPulses(Cell.active(0, 1, 2), UP, 1));
    System.arraycopy(HEX.parseHex("0000000000000001"), 0, pulse, 19, 8); // amplitude: the i64 1 as a double, 4.9e-324 V
    assertEquals(Double.MIN_VALUE, ((Request.ApplyPulses) WireCodec.decodeRequest(pulse).request()).pulse().amplitudeVolts(),
        "a valid double > 0: the envelope's lower bound refuses it, not the decoder");
    System.arraycopy(HEX.parseHex("bff0000000000000"), 0, pulse, 19, 8); // -1 V
    assertThrows(IllegalArgumentException.class, () -> WireCodec.decodeRequest(pulse));
    byte[] plane = WireCodec.encode(5, new Request.Read(Cell.active(0, 1, 2), 0.2));
    plane[9] = 7; // an enum byte outside its table is a schema violation
    assertThrows(MalformedMessageException.class, () -> WireCodec.decodeRequest(plane));
  }

  @Test
  void randomBytesRaiseOnlyMalformedMessageOrInvalidArgument() {
    Random rnd = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[rnd.nextInt(80)];
      rnd.nextBytes(b);
      if (b.length > 0 && rnd.nextBoolean()) b[0] = (byte) Opcode.values()[rnd.nextInt(Opcode.values().length)].code();
      try {
        WireCodec.decodeRequest(b);
      } catch (MalformedMessageException | IllegalArgumentException expected) {
        // the only allowed failures (IllegalArgumentException: a well-formed field with a value never valid)
      }
      try {
        WireCodec.decodeReply(b);
      } catch (MalformedMessageException expected) {
        // the only allowed failure
      }
    }
  }
}
