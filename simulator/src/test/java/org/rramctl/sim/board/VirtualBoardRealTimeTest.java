package org.rramctl.sim.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.transport.PipeTransport;
import org.rramctl.protocol.CellAddress;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.Envelope;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.ExecutionRecord;
import org.rramctl.protocol.Outcome;
import org.rramctl.protocol.PulseShape;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.TileAddress;
import org.rramctl.protocol.WireFormat;
import org.rramctl.protocol.WirePlane;
import org.rramctl.protocol.WirePolarity;

/**
 * The virtual board in real time (Config.realTimePulses), as the hardware-in-the-loop tests use it: a train takes
 * count x period and every pulse reaches the device; an UPDATE takes a period per slot and streams progress; a
 * reset, a lost link and the watchdog each stop a running command before its next pulse. The board's own boot
 * clock and its configuration's bounds. Durations are checked only from below (a command cannot finish early).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VirtualBoardRealTimeTest {
  private static final CellAddress CELL = new CellAddress(0, WirePlane.ACTIVE, 1, 2);
  private static final Duration WAIT = Duration.ofSeconds(20);

  private VirtualBoard board;
  private RawHost host;
  private PipeTransport hostEnd;

  private void connect(VirtualBoard.Config config) throws IOException {
    board = new VirtualBoard(Boards4Test.emulator(7), config.withRealTimePulses(true));
    PipeTransport.Pair pair = PipeTransport.pair();
    board.serve(pair.b());
    hostEnd = pair.a();
    host = new RawHost(hostEnd, WireFormat.MAX_VERSION);
    host.send(new Command.Hello(1, WireFormat.MAX_VERSION), 1);
    assertInstanceOf(Response.Identity.class, host.expect().message());
  }

  @AfterEach
  void disconnect() {
    if (hostEnd != null) hostEnd.close();
    if (board != null) board.close();
  }

  private Envelope next() throws IOException {
    Envelope e = host.receive(WAIT);
    if (e == null) throw new AssertionError("no frame from the board within " + WAIT);
    return e;
  }

  /** The longest train the board accepts: 1 ms apart, far longer than any of these tests. */
  private long longTrain() {
    return board.identity().limits().maxPulsesPerCommand();
  }

  private long pulses() {
    return board.emulator().status().pulsesApplied();
  }

  private void awaitPulses(long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (pulses() < atLeast) {
      if (System.nanoTime() > deadline) throw new AssertionError("pulses applied: " + pulses() + " (expected: >= " + atLeast + ")");
      Thread.sleep(2);
    }
  }

  /** Waits until the count stops moving for 100 ms and returns it. */
  private long settledPulses() throws InterruptedException {
    long last = -1;
    long now = pulses();
    while (now != last) {
      last = now;
      Thread.sleep(100);
      now = pulses();
    }
    return now;
  }

  private ExecutionRecord record(int seq, int askAs) throws IOException {
    host.send(new Command.LastExecuted(), askAs);
    Response.Executed ex = assertInstanceOf(Response.Executed.class, next().message());
    return ex.records().stream().filter(r -> r.sequence() == seq).findFirst().orElseThrow(() -> new AssertionError("no record of " + seq + ": " + ex));
  }

  @Test
  void aTrainTakesCountTimesPeriodAndEveryPulseReachesTheDevice() throws Exception {
    connect(VirtualBoard.Config.defaults());
    long t0 = System.nanoTime();
    host.send(new Command.Pulse(CELL, WirePolarity.UP, new PulseShape(1000, 100, 2_000_000), 25), 10);
    assertEquals(new Response.PulseDone(25), next().message());
    long took = System.nanoTime() - t0;
    assertTrue(took >= 25 * 2_000_000L, "25 pulses 2 ms apart took " + took + " ns");
    assertEquals(25, pulses());
  }

  @Test
  void anUpdateTakesAPeriodPerSlotStreamsProgressAndPulsesEveryCoincidence() throws Exception {
    connect(VirtualBoard.Config.defaults());
    long[] rows = {0x7FFF_FFFFL, 0x5555_5555L, 0};
    long[] cols = {-0x7FFF_FFFFL, 0x0F0F_0F0FL};
    long expected = 0;
    for (long r : rows) for (long c : cols) expected += Long.bitCount(Math.abs(r) & Math.abs(c));
    PulseShape up = new PulseShape(1000, 100, 5_000_000);
    PulseShape down = new PulseShape(1000, 100, 4_000_000);
    long t0 = System.nanoTime();
    host.send(new Command.Update(new TileAddress(0, 0, 0, 3, 2), WirePlane.ACTIVE, 31, up, down, rows, cols), 10);
    List<Response.UpdateProgress> parts = new ArrayList<>();
    while (true) {
      Envelope e = next();
      assertEquals(10, e.sequence());
      Response.UpdateProgress p = assertInstanceOf(Response.UpdateProgress.class, e.message());
      parts.add(p);
      if (!p.more()) break;
    }
    long took = System.nanoTime() - t0;
    assertTrue(took >= 30 * 5_000_000L, "31 slots, each starting one period of the slower shape (5 ms) after the last, took " + took + " ns");
    assertTrue(parts.size() >= 2, "progress at least every 100 ms of a 155 ms program: " + parts);
    for (int i = 0; i < parts.size(); i++) assertEquals(i, parts.get(i).part(), "consecutive parts");
    Response.UpdateProgress last = parts.get(parts.size() - 1);
    assertEquals(31, last.slotsDone());
    assertEquals(expected, last.pulsesApplied());
    assertEquals(expected, pulses(), "every coincidence pulsed the device");
    for (int i = 1; i < parts.size(); i++) assertTrue(parts.get(i).pulsesApplied() >= parts.get(i - 1).pulsesApplied(), "progress only grows");
  }

  @Test
  void aResetStopsARunningTrainAndItsAnswerNeverComes() throws Exception {
    connect(VirtualBoard.Config.defaults());
    host.send(new Command.Pulse(CELL, WirePolarity.UP, new PulseShape(1000, 100, 1_000_000), longTrain()), 10);
    awaitPulses(5);
    board.reset();
    long stopped = settledPulses();
    assertTrue(stopped < longTrain(), "stopped at " + stopped);
    assertNull(host.receive(Duration.ofMillis(300)), "a rebooted board says nothing about what it was running");
    host.send(new Command.Hello(1, WireFormat.MAX_VERSION), 2);
    assertInstanceOf(Response.Identity.class, next().message());
    host.send(new Command.Pulse(CELL, WirePolarity.UP, new PulseShape(1000, 100, 1_000_000), 3), 11);
    assertEquals(new Response.PulseDone(3), next().message(), "and it runs the next command");
  }

  @Test
  void aLostLinkStopsARunningTrain() throws Exception {
    connect(VirtualBoard.Config.defaults());
    host.send(new Command.Pulse(CELL, WirePolarity.UP, new PulseShape(1000, 100, 1_000_000), longTrain()), 10);
    awaitPulses(5);
    hostEnd.close();
    long stopped = settledPulses();
    assertTrue(stopped < longTrain(), "stopped at " + stopped);
    assertEquals(1, board.executionLog().size());
    assertEquals(Outcome.ABORTED, board.executionLog().get(0).outcome());
  }

  @Test
  void theWatchdogStopsATrainWhoseHostFellSilent() throws Exception {
    connect(VirtualBoard.Config.defaults().withWatchdogMillis(150));
    host.send(new Command.Pulse(CELL, WirePolarity.UP, new PulseShape(1000, 100, 1_000_000), longTrain()), 10);
    Envelope e = next();
    Response.Error err = assertInstanceOf(Response.Error.class, e.message());
    assertEquals(ErrorCode.WATCHDOG, err.code());
    long stopped = settledPulses();
    assertTrue(stopped > 0 && stopped < longTrain(), "stopped at " + stopped);
    host.send(new Command.Hello(1, WireFormat.MAX_VERSION), 2);
    assertInstanceOf(Response.Identity.class, next().message());
    ExecutionRecord r = record(10, 3);
    assertEquals(Outcome.ABORTED, r.outcome());
    assertEquals(ErrorCode.WATCHDOG, r.error());
    assertEquals(stopped, r.pulsesApplied());
  }

  @Test
  void theUptimeCountsMillisecondsFromBoot() throws Exception {
    connect(VirtualBoard.Config.defaults());
    host.send(new Command.Heartbeat(), 2);
    long a = assertInstanceOf(Response.HeartbeatAck.class, next().message()).uptimeMillis();
    Thread.sleep(120);
    host.send(new Command.Heartbeat(), 3);
    long b = assertInstanceOf(Response.HeartbeatAck.class, next().message()).uptimeMillis();
    assertTrue(b - a >= 120 && b < 600_000, "uptime " + a + " then " + b + " ms, 120 ms apart");
  }

  @Test
  void closingTheBoardEndsItsLinkAndItsEmulator() throws Exception {
    connect(VirtualBoard.Config.defaults());
    board.close();
    assertThrows(IOException.class, () -> host.receive(WAIT), "the host's end sees the board go");
    assertThrows(IllegalStateException.class, () -> board.emulator().status(), "the emulated chip is closed too");
  }

  @Test
  void theConfigurationAcceptsItsBoundsAndNothingBeyond() {
    VirtualBoard.Config d = VirtualBoard.Config.defaults();
    assertEquals(64, d.withMaxPayloadBytes(64).maxPayloadBytes());
    assertEquals(WireFormat.MAX_PAYLOAD_BYTES, d.withMaxPayloadBytes(WireFormat.MAX_PAYLOAD_BYTES).maxPayloadBytes());
    assertThrows(IllegalArgumentException.class, () -> d.withMaxPayloadBytes(63));
    assertThrows(IllegalArgumentException.class, () -> d.withMaxPayloadBytes(WireFormat.MAX_PAYLOAD_BYTES + 1));
    assertEquals(1, d.withMaxValuesPerPart(1).maxValuesPerPart());
    assertEquals(Response.Currents.MAX_VALUES, d.withMaxValuesPerPart(Response.Currents.MAX_VALUES).maxValuesPerPart());
    assertThrows(IllegalArgumentException.class, () -> d.withMaxValuesPerPart(0));
    assertThrows(IllegalArgumentException.class, () -> d.withMaxValuesPerPart(Response.Currents.MAX_VALUES + 1));
    assertEquals(1, d.withWatchdogMillis(1).watchdogMillis());
    assertEquals(0xFFFF, d.withWatchdogMillis(0xFFFF).watchdogMillis());
    assertThrows(IllegalArgumentException.class, () -> d.withWatchdogMillis(0));
    assertThrows(IllegalArgumentException.class, () -> d.withWatchdogMillis(0x10000));
    assertEquals(1, d.withFirmware("x", 1).protocolVersion());
    assertEquals(255, d.withFirmware("x", 255).protocolVersion());
    assertThrows(IllegalArgumentException.class, () -> d.withFirmware("x", 0));
    assertThrows(IllegalArgumentException.class, () -> d.withFirmware("x", 256));
    assertEquals(0, d.withThrottleBaud(0).throttleBaud());
    assertThrows(IllegalArgumentException.class, () -> d.withThrottleBaud(-1));
  }

  @Test
  void errorDetailsAreCutToTheWireLimitOnACharacterBoundary() {
    assertEquals("x".repeat(255), ErrorResponses.of(ErrorCode.MALFORMED, 0x10, "x".repeat(255)).detail());
    assertEquals("x".repeat(255), ErrorResponses.of(ErrorCode.MALFORMED, 0x10, "x".repeat(256)).detail());
    String cut = ErrorResponses.of(ErrorCode.MALFORMED, 0x10, "x" + "\u00e9".repeat(200)).detail(); // 1 + 400 bytes
    assertEquals(255, cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, "x and 127 two-byte characters: " + cut.length());
    assertEquals(128, cut.length());
    String mid = ErrorResponses.of(ErrorCode.MALFORMED, 0x10, "\u00e9".repeat(200)).detail(); // the 255th byte splits a character
    assertEquals("\u00e9".repeat(127), mid, "no half character, no replacement character");
  }
}
