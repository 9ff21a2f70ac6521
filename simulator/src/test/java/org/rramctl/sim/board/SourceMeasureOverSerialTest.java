package org.rramctl.sim.board;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.EnvelopeViolationException;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.SweepResult;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.driver.transport.ForwardingTransport;
import org.rramctl.driver.transport.PipeTransport;
import org.rramctl.protocol.CellAddress;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.Envelope;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.FrameDecoder;
import org.rramctl.protocol.FrameEncoder;
import org.rramctl.protocol.FrameEvent;
import org.rramctl.protocol.MessageCodec;
import org.rramctl.protocol.Opcode;
import org.rramctl.protocol.Outcome;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.WirePlane;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/**
 * The source-measure role over the firmware protocol, version 2 (PROTOCOL.md section 10): SOURCE and SWEEP through the
 * serial driver against the virtual board give what the emulator gives in process; the board enforces the compliance
 * and refuses a missing or excessive one with a code; the host refuses out-of-limit requests before a byte leaves; an
 * older (version 1) board has no role and says so by name; sweeps stream in parts, split to a small board's payload,
 * and stop at ABORT.
 */
@Timeout(60)
class SourceMeasureOverSerialTest {
  private static final long US = 1_000;
  private static final long MS = 1_000_000;
  private static final Cell CELL = Cell.active(0, 1, 2);
  private VirtualBoard board;

  @AfterEach
  void closeBoard() {
    if (board != null) board.close();
  }

  private static EmulatorDriver pristine(long seed) {
    return EmulatorDriver.open(DevicePreset.named("hfox-pristine"), List.of(new int[] {4, 4}), seed);
  }

  private static VirtualBoard board(long seed, VirtualBoard.Config config) {
    return new VirtualBoard(pristine(seed), config);
  }

  /** The frames the host wrote, decoded for their header's version byte. */
  private static final class HeaderVersions extends ForwardingTransport {
    final List<Integer> versions = new ArrayList<>();
    final List<Integer> opcodes = new ArrayList<>();
    private final FrameDecoder decoder = FrameDecoder.create();

    HeaderVersions(PipeTransport inner) {
      super(inner);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int len) throws IOException {
      decoder.feed(bytes, offset, len, e -> {
        if (e instanceof FrameEvent.Frame f) {
          versions.add(f.packet()[0] & 0xFF);
          opcodes.add(f.packet()[1] & 0xFF);
        }
      });
      super.write(bytes, offset, len);
    }
  }

  private HeaderVersions line;

  private SerialBoardDriver connect(SessionSettings settings) throws IOException {
    return SerialBoardDriver.open(() -> {
      PipeTransport.Pair pair = PipeTransport.pair();
      board.serve(pair.b());
      line = new HeaderVersions(pair.a());
      return line;
    }, settings);
  }

  @Test
  void theSessionSpeaksTheBoardsVersionAndHelloCarriesTheHostsHighest() throws IOException {
    board = board(1, VirtualBoard.Config.defaults());
    try (SerialBoardDriver d = connect(Boards4Test.pipeSettings())) {
      assertEquals(2, d.session().protocolVersion());
      assertEquals(2, d.info().protocolVersion());
      d.read(CELL, 0.2);
    }
    assertEquals(2, line.versions.get(line.opcodes.indexOf(Opcode.HELLO.code())), "HELLO carries the host's highest version");
    assertTrue(line.versions.stream().allMatch(v -> v == 2), "every frame in version 2: " + line.versions);
    closeBoard();
    board = board(1, VirtualBoard.Config.defaults().withFirmware("1.0.0", 1));
    try (SerialBoardDriver d = connect(Boards4Test.pipeSettings())) {
      assertEquals(1, d.session().protocolVersion());
      d.read(CELL, 0.2);
    }
    List<Integer> afterHello = line.versions.subList(line.opcodes.indexOf(Opcode.HELLO.code()) + 1, line.versions.size());
    assertEquals(2, line.versions.get(line.opcodes.indexOf(Opcode.HELLO.code())), "HELLO still offers 1..2, under the host's highest");
    assertTrue(!afterHello.isEmpty() && afterHello.stream().allMatch(v -> v == 1), "an older board is spoken to in its own version: " + afterHello);
  }

  @Test
  void formingAndAnIvLoopOverTheWireMeasureWhatTheEmulatorMeasuresInProcess() throws IOException {
    board = board(5, VirtualBoard.Config.defaults().withMaxValuesPerPart(7));
    Sweep loop = Sweep.loop(1.2, 1.2, 0.05, MS, 0, 1e-4);
    try (SerialBoardDriver d = connect(Boards4Test.pipeSettings()); EmulatorDriver local = pristine(5)) {
      assertTrue(d.info().supportsNatively(Capability.SOURCE_MEASURE) && d.info().supportsNatively(Capability.SWEEP), d.info().toString());
      SourceMeasure wire = SourceMeasure.of(d);
      SourceMeasure here = SourceMeasure.of(local);
      // A forming ramp: 1.6 V up in 50 mV steps at 1 ms and 100 uA, until the device forms (the compliance holds it).
      int formedAt = -1;
      for (int k = 0; k <= 28 && formedAt < 0; k++) {
        double v = 1.6 + 0.05 * k;
        double iw = wire.source(CELL, v, MS, 1e-4);
        double ih = here.source(CELL, v, MS, 1e-4);
        assertEquals((float) ih, (float) iw, "point " + k + " at " + v + " V");
        if (Math.abs(iw) >= SweepResult.AT_COMPLIANCE * 1e-4) formedAt = k; // float: 1e-4f is just below 1e-4
      }
      assertTrue(formedAt >= 0, "the device formed within the ramp");
      SweepResult rw = wire.sweep(CELL, loop);
      SweepResult rh = here.sweep(CELL, loop);
      assertEquals(loop.points(), rw.points());
      for (int k = 0; k < rw.points(); k++) {
        assertEquals(rh.volts(k), rw.volts(k), 1e-12, "level " + k);
        assertEquals((float) rh.amps(k), (float) rw.amps(k), "current at level " + k);
        assertTrue(Math.abs(rw.amps(k)) <= 1e-4, "within the compliance at level " + k);
      }
      assertTrue(java.util.stream.IntStream.range(0, rw.points()).anyMatch(rw::atCompliance), "the SET branch reached the compliance");
    }
    List<VirtualBoard.LogEntry> log = board.executionLog();
    VirtualBoard.LogEntry sweep = log.get(log.size() - 1);
    assertInstanceOf(Command.Sweep.class, sweep.command(), "one SWEEP command for the loop");
    assertEquals(loop.points(), sweep.pulsesApplied(), "the history counts levels applied");
  }

  @Test
  void anOlderBoardHasNoSourceMeasureRoleAndProceduresAreToldWhyByName() throws IOException {
    board = board(2, VirtualBoard.Config.defaults().withBoardId("RB-0007").withFirmware("1.4.0", 1));
    try (SerialBoardDriver d = connect(Boards4Test.pipeSettings())) {
      assertEquals(1, d.info().protocolVersion());
      assertFalse(d.info().supportsNatively(Capability.SOURCE_MEASURE));
      assertFalse(d.info().supportsNatively(Capability.SWEEP));
      assertTrue(d.sourceMeasure().isEmpty());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SourceMeasure.of(d));
      assertTrue(e.getMessage().startsWith("board RB-0007 (rramctl virtual board (hfox-pristine), protocol 1): no source-measure capability"), e.getMessage());
    }
    // And the board itself does not know the opcode: UNKNOWN_OPCODE, nothing run.
    PipeTransport.Pair pair = PipeTransport.pair();
    board.serve(pair.b());
    RawHost host = new RawHost(pair.a(), 1);
    host.send(new Command.Hello(1, 2), 1);
    assertEquals(1, assertInstanceOf(Response.Identity.class, host.expect().message()).protocolVersion());
    byte[] packet = MessageCodec.encode(new Command.Source(new CellAddress(0, WirePlane.ACTIVE, 1, 2), 2000, 100 * US, 100_000), 2, 2);
    packet[0] = 1; // in the board's version
    host.sendRaw(FrameEncoder.frame(packet));
    Envelope err = host.expect();
    assertEquals(2, err.sequence());
    Response.Error e = assertInstanceOf(Response.Error.class, err.message());
    assertEquals(ErrorCode.UNKNOWN_OPCODE, e.code());
    assertEquals("opcode: 0x19 (expected: a command 0x01..0x7f of protocol version 1)", e.detail());
    assertTrue(board.executionLog().isEmpty());
    pair.a().close();
  }

  @Test
  void theBoardEnforcesTheComplianceAndRefusesAMissingOrExcessiveOneWithACode() throws IOException {
    board = board(3, VirtualBoard.Config.defaults());
    PipeTransport.Pair pair = PipeTransport.pair();
    board.serve(pair.b());
    RawHost host = new RawHost(pair.a());
    host.send(new Command.Hello(1, 2), 1);
    assertInstanceOf(Response.Identity.class, host.expect().message());
    CellAddress cell = new CellAddress(0, WirePlane.ACTIVE, 1, 2);
    // Over the board's 1 mA: LIMIT_EXCEEDED, nothing applied.
    host.send(new Command.Source(cell, 2000, 100 * US, 2_000_000), 2);
    Response.Error over = assertInstanceOf(Response.Error.class, host.expect().message());
    assertEquals(ErrorCode.LIMIT_EXCEEDED, over.code());
    assertEquals("compliance: 2000000 nA (expected: <= 1000000)", over.detail());
    host.send(new Command.Sweep(cell, 100 * US, 0, 1_000_001, new short[] {100, 200}), 3);
    assertEquals("compliance: 1000001 nA (expected: <= 1000000)", assertInstanceOf(Response.Error.class, host.expect().message()).detail());
    host.send(new Command.Source(cell, 3001, 100 * US, 100_000), 4);
    assertEquals("level: 3001 mV (expected: |V| <= 3000)", assertInstanceOf(Response.Error.class, host.expect().message()).detail());
    // A compliance of 0 (no limit) cannot be said on the wire: MALFORMED, nothing applied.
    byte[] packet = MessageCodec.encode(new Command.Source(cell, 2000, 100 * US, 1), 5, 2);
    Arrays.fill(packet, packet.length - 4, packet.length, (byte) 0);
    host.sendRaw(FrameEncoder.frame(packet));
    Response.Error none = assertInstanceOf(Response.Error.class, host.expect().message());
    assertEquals(ErrorCode.MALFORMED, none.code());
    assertTrue(none.detail().contains("complianceNanoamps: 0 (expected: 1..4294967295)"), none.detail());
    for (VirtualBoard.LogEntry e : board.executionLog()) assertEquals(0, e.pulsesApplied(), "refused, nothing applied: " + e);
    // Within the limits: a forming voltage with 10 uA of compliance reads back held at exactly 10 uA.
    host.send(new Command.Source(cell, 3000, 1000 * US, 10_000), 6);
    Response.Measured m = assertInstanceOf(Response.Measured.class, host.expect().message());
    assertTrue(m.atCompliance(), m.toString());
    assertEquals(1e-5f, m.amps());
    pair.a().close();
  }

  @Test
  void theHostRefusesAnOutOfLimitRequestBeforeAByteLeaves() throws IOException {
    board = board(4, VirtualBoard.Config.defaults());
    try (SerialBoardDriver d = connect(Boards4Test.pipeSettings())) {
      SourceMeasure sm = SourceMeasure.of(d);
      int frames = line.versions.size();
      assertThrows(EnvelopeViolationException.class, () -> sm.source(CELL, 1.0, 100 * US, 2e-3));
      assertThrows(EnvelopeViolationException.class, () -> sm.source(CELL, 3.5, 100 * US, 1e-4));
      assertThrows(EnvelopeViolationException.class, () -> sm.source(CELL, 1.0, 20 * MS, 1e-4));
      assertThrows(EnvelopeViolationException.class, () -> sm.sweep(CELL, new Sweep(new double[] {0.5, 3.2}, MS, 0, 1e-4)));
      assertThrows(IllegalArgumentException.class, () -> sm.source(CELL, 1.0, 100 * US, 1e-10));
      assertEquals(frames, line.versions.size(), "no frame left the host");
      assertTrue(board.executionLog().isEmpty());
    }
  }

  @Test
  void aLongSweepStreamsInPartsAndASmallBoardGetsItInSeveralSweeps() throws IOException {
    board = board(6, VirtualBoard.Config.defaults().withMaxValuesPerPart(5).withMaxPayloadBytes(64));
    Sweep loop = Sweep.loop(1.0, 1.0, 0.05, 100 * US, 400 * US, 1e-4); // 80 points, pulsed
    try (SerialBoardDriver d = connect(Boards4Test.pipeSettings()); EmulatorDriver local = pristine(6)) {
      SweepResult rw = SourceMeasure.of(d).sweep(CELL, loop);
      SweepResult rh = local.sweep(CELL, loop);
      for (int k = 0; k < rw.points(); k++) assertEquals((float) rh.amps(k), (float) rw.amps(k), "current at level " + k);
    }
    // 64-byte payloads hold (64 - 9 - 18) / 2 = 18 levels: 80 levels go as 5 SWEEPs, 18 + 18 + 18 + 18 + 8.
    List<Integer> sizes = board.executionLog().stream().map(e -> ((Command.Sweep) e.command()).levelsMillivolts().length).toList();
    assertEquals(List.of(18, 18, 18, 18, 8), sizes);
  }

  @Test
  void abortStopsARunningSweepAtTheNextLevelWithTheOutputsIdle() throws Exception {
    board = board(7, VirtualBoard.Config.defaults().withRealTimePulses(true));
    // 2,000 levels of 1 ms: 2 s of board time.
    double[] levels = new double[2000];
    Arrays.fill(levels, 0.3);
    try (SerialBoardDriver d = connect(Boards4Test.pipeSettings())) {
      SourceMeasure sm = SourceMeasure.of(d);
      CompletableFuture<SweepResult> run = CompletableFuture.supplyAsync(() -> {
        try {
          return sm.sweep(CELL, new Sweep(levels, MS, 0, 1e-4));
        } catch (IOException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (board.executionLog().isEmpty()) {
        if (System.nanoTime() > deadline) throw new AssertionError("the sweep never started");
        Thread.onSpinWait();
      }
      assertTrue(d.abortAndConfirm(), "the board confirmed its outputs idle");
      ExecutionException e = assertThrows(ExecutionException.class, () -> run.get(20, TimeUnit.SECONDS));
      assertInstanceOf(DriverAbortedException.class, e.getCause());
      VirtualBoard.LogEntry entry = board.executionLog().get(0);
      assertEquals(Outcome.ABORTED, entry.outcome());
      assertTrue(entry.pulsesApplied() < levels.length, "stopped part-way: " + entry.pulsesApplied());
      assertTrue(entry.pulsesApplied() - entry.pulsesAtStop() <= 1, "at most the level in progress after the stop: " + entry);
      assertTrue(d.status().outputsIdle());
      assertArrayEquals(new double[] {0.3}, SourceMeasure.of(d).sweep(CELL, new Sweep(new double[] {0.3}, MS, 0, 1e-4)).volts(), "usable afterwards");
    }
  }

  @Test
  void aHostWindowWithoutVersion2RefusesTheNewBoardNamingBoth() {
    board = board(8, VirtualBoard.Config.defaults().withBoardId("RB-0043"));
    org.rramctl.driver.RefusedException e = assertThrows(org.rramctl.driver.RefusedException.class,
        () -> connect(Boards4Test.pipeSettings().withVersionWindow(1, 1)));
    assertEquals("board RB-0043 (firmware 2.0.0) speaks protocol version 2 (expected: version 1, the window of this host)", e.getCause().getMessage());
  }

  @Test
  void aWindowBeyondTheVersionsThisHostSpeaksIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SessionSettings.defaults().withVersionWindow(1, 3));
    assertEquals("version window: 1..3 (expected: 1 <= min <= max <= 2, the versions this host speaks)", e.getMessage());
    assertEquals(Duration.ofSeconds(1), SessionSettings.defaults().abortTimeout());
  }
}
