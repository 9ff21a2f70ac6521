package org.rramctl.sim.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.transport.PipeTransport;
import org.rramctl.protocol.CellAddress;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.Envelope;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.FrameEncoder;
import org.rramctl.protocol.MessageCodec;
import org.rramctl.protocol.Opcode;
import org.rramctl.protocol.PulseShape;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.WirePlane;
import org.rramctl.protocol.WirePolarity;
import org.rramctl.protocol.WireFormat;

/**
 * The virtual board is as strict as firmware must be (PROTOCOL.md section 9), seen through crafted frames: among
 * others the order of the checks (6.1), DUPLICATE before BUSY, HELLO served while busy, and STATUS lastError.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class VirtualBoardTest {
  private static final CellAddress CELL = new CellAddress(0, WirePlane.ACTIVE, 1, 2);
  private static final PulseShape NOMINAL = new PulseShape(1000, 100, 200);

  private VirtualBoard board;
  private RawHost host;
  private PipeTransport hostEnd;

  @BeforeEach
  void connect() {
    connect(VirtualBoard.Config.defaults().withMaxValuesPerPart(5));
  }

  private void connect(VirtualBoard.Config config) {
    if (board != null) disconnect();
    board = new VirtualBoard(Boards4Test.emulator(7), config);
    PipeTransport.Pair pair = PipeTransport.pair();
    board.serve(pair.b());
    hostEnd = pair.a();
    host = new RawHost(hostEnd);
  }

  @AfterEach
  void disconnect() {
    hostEnd.close();
    board.close();
  }

  private Response.Error expectError(int sequence) throws IOException {
    Envelope e = host.expect();
    assertEquals(sequence, e.sequence(), "the error echoes the command's sequence");
    return assertInstanceOf(Response.Error.class, e.message());
  }

  private void hello() throws IOException {
    host.send(new Command.Hello(1, 2), 1);
    assertInstanceOf(Response.Identity.class, host.expect().message());
  }

  @Test
  void commandsBeforeHelloAreRefusedWithHandshakeRequired() throws IOException {
    host.send(new Command.Read(CELL, 2000), 5);
    assertEquals(ErrorCode.HANDSHAKE_REQUIRED, expectError(5).code());
  }

  @Test
  void abortBeforeHelloIsServedWithAckBecauseIdlingIsAlwaysAllowed() throws IOException {
    host.send(new Command.Abort(), 6);
    Envelope e = host.expect();
    assertEquals(6, e.sequence());
    assertInstanceOf(Response.Ack.class, e.message(), "PROTOCOL.md 5.1 and 5.6: ABORT is served in every state");
  }

  @Test
  void aCraftedPulseAboveTheHardwareLimitIsRefusedAndNothingIsApplied() throws IOException {
    hello();
    host.send(new Command.Pulse(CELL, WirePolarity.UP, new PulseShape(4000, 100, 200), 1), 9);
    Response.Error e = expectError(9);
    assertEquals(ErrorCode.LIMIT_EXCEEDED, e.code());
    assertTrue(e.detail().startsWith("shape amplitude: 4000 mV (expected: <= 3000)"), e.detail());
    host.send(new Command.Pulse(CELL, WirePolarity.UP, NOMINAL, 100_001), 10);
    assertEquals(ErrorCode.LIMIT_EXCEEDED, expectError(10).code());
    host.send(new Command.Pulse(CELL, WirePolarity.UP, new PulseShape(1000, 10, 10), 1), 11);
    assertTrue(expectError(11).detail().contains("50000000 Hz rate limit"), "a 10 ns period is 100 MHz");
    assertEquals(0, board.executionLog().size(), "nothing was executed");
    assertEquals(0, board.emulator().status().pulsesApplied());
  }

  @Test
  void addressesOutsideTheGeometryAreRefusedWithOutOfRange() throws IOException {
    hello();
    host.send(new Command.Read(new CellAddress(0, WirePlane.ACTIVE, 8, 0), 2000), 3);
    Response.Error e = expectError(3);
    assertEquals(ErrorCode.OUT_OF_RANGE, e.code());
    assertEquals("row: 8 (expected: 0..7)", e.detail());
    host.send(new Command.ReadArray(2, WirePlane.ACTIVE, 2000), 4);
    assertEquals("array: 2 (expected: 0..1)", expectError(4).detail());
  }

  @Test
  void aFrameWithABadCrcIsDroppedUnansweredAndCounted() throws IOException {
    hello();
    byte[] frame = MessageCodec.frame(new Command.GetStatus(), 2, WireFormat.MAX_VERSION);
    frame[3] ^= 0x10;
    host.sendRaw(frame);
    assertNull(host.receive(Duration.ofMillis(100)), "no answer to a frame whose sequence cannot be trusted");
    host.send(new Command.GetStatus(), 3);
    Response.Status s = assertInstanceOf(Response.Status.class, host.expect().message());
    assertEquals(1, s.framesDropped());
  }

  @Test
  void aFrameWithAReservedFlagIsMalformedAndAnUnknownOpcodeIsNamed() throws IOException {
    hello();
    byte[] packet = MessageCodec.encode(new Command.GetStatus(), 4, WireFormat.MAX_VERSION);
    packet[4] = 0x02;
    host.sendRaw(org.rramctl.protocol.FrameEncoder.frame(packet));
    assertEquals(ErrorCode.MALFORMED, expectError(4).code());
    packet = MessageCodec.encode(new Command.GetStatus(), 5, WireFormat.MAX_VERSION);
    packet[1] = 0x7E;
    host.sendRaw(org.rramctl.protocol.FrameEncoder.frame(packet));
    Response.Error e = expectError(5);
    assertEquals(ErrorCode.UNKNOWN_OPCODE, e.code());
    assertEquals(0x7E, e.offendingOpcode());
  }

  @Test
  void aRepeatedPulseSequenceIsAnsweredDuplicateAndRunsOnce() throws IOException {
    hello();
    Command.Pulse pulse = new Command.Pulse(CELL, WirePolarity.UP, NOMINAL, 5);
    host.send(pulse, 40);
    assertEquals(new Response.PulseDone(5), host.expect().message());
    host.send(pulse, 40);
    Response.Error e = expectError(40);
    assertEquals(ErrorCode.DUPLICATE, e.code());
    assertTrue(e.detail().contains("COMPLETED, 5 pulses"), e.detail());
    assertEquals(1, board.executionLog().size());
    assertEquals(5, board.emulator().status().pulsesApplied());
    host.send(new Command.LastExecuted(), 41);
    Response.Executed ex = assertInstanceOf(Response.Executed.class, host.expect().message());
    assertEquals(40, ex.records().get(0).sequence());
    assertEquals(Opcode.PULSE, ex.records().get(0).opcode());
  }

  @Test
  void aResetForgetsTheHandshakeAndTheHistoryAndRestartsTheUptime() throws Exception {
    hello();
    Command.Pulse pulse = new Command.Pulse(CELL, WirePolarity.UP, NOMINAL, 5);
    host.send(pulse, 40);
    assertEquals(new Response.PulseDone(5), host.expect().message());
    host.send(new Command.Read(new CellAddress(9, WirePlane.ACTIVE, 0, 0), 2000), 41);
    assertEquals(ErrorCode.OUT_OF_RANGE, expectError(41).code());
    Thread.sleep(200); // the board is at least 200 ms old before the reset
    long resetAt = System.nanoTime();
    board.reset();
    host.send(pulse, 40);
    assertEquals(ErrorCode.HANDSHAKE_REQUIRED, expectError(40).code(), "a rebooted board wants a HELLO");
    hello();
    host.send(new Command.LastExecuted(), 42);
    assertEquals(List.of(), assertInstanceOf(Response.Executed.class, host.expect().message()).records(), "the history is gone");
    host.send(new Command.GetStatus(), 43);
    Response.Status st = assertInstanceOf(Response.Status.class, host.expect().message());
    assertEquals(ErrorCode.NONE, st.lastError());
    assertFalse(st.watchdogTripped());
    assertFalse(st.aborted());
    host.send(new Command.Heartbeat(), 44);
    long uptime = assertInstanceOf(Response.HeartbeatAck.class, host.expect().message()).uptimeMillis();
    long sinceReset = (System.nanoTime() - resetAt) / 1_000_000;
    assertTrue(uptime <= sinceReset, "the uptime restarted at the reset: " + uptime + " ms, " + sinceReset + " ms after it");
    host.send(pulse, 40);
    assertEquals(new Response.PulseDone(5), host.expect().message(), "the same sequence is a new command to a board that forgot it");
    assertEquals(10, board.emulator().status().pulsesApplied());
  }

  @Test
  void anArrayReadStreamsInConsecutivePartsWithMoreOnAllButTheLast() throws IOException {
    hello();
    host.send(new Command.ReadArray(0, WirePlane.ACTIVE, 2000), 7);
    int codes = 0;
    for (int part = 0; ; part++) {
      Envelope e = host.expect();
      assertEquals(7, e.sequence());
      Response.Conductances c = assertInstanceOf(Response.Conductances.class, e.message());
      assertEquals(part, c.part());
      assertEquals(codes, c.first());
      codes += c.codes().length;
      if (!c.more()) break;
    }
    assertEquals(8 * 6, codes);
  }

  @Test
  void aSilentHostTripsTheWatchdogAndMustHandshakeAgain() throws IOException {
    connect(VirtualBoard.Config.defaults().withWatchdogMillis(200));
    hello();
    // The stimulus is the host's silence itself: 3 watchdog periods with nothing sent.
    LockSupport.parkNanos(Duration.ofMillis(600).toNanos());
    host.send(new Command.Read(CELL, 2000), 8);
    assertEquals(ErrorCode.WATCHDOG, expectError(8).code());
    host.send(new Command.GetStatus(), 9);
    Response.Status s = assertInstanceOf(Response.Status.class, host.expect().message());
    assertTrue(s.watchdogTripped() && s.outputsIdle(), "tripped, outputs idle: " + s);
    hello();
    host.send(new Command.Read(CELL, 2000), 10);
    assertInstanceOf(Response.Conductance.class, host.expect().message());
  }

  /** A packet with its version byte, opcode byte and body length changed, CRC and COBS recomputed. */
  private void sendCrafted(Command c, int sequence, int version, int opcode, int bodyLength) throws IOException {
    byte[] packet = MessageCodec.encode(c, sequence);
    packet = Arrays.copyOf(packet, 5 + bodyLength);
    packet[0] = (byte) version;
    packet[1] = (byte) opcode;
    host.sendRaw(FrameEncoder.frame(packet));
  }

  private ErrorCode lastError(int sequence) throws IOException {
    host.send(new Command.GetStatus(), sequence);
    return assertInstanceOf(Response.Status.class, host.expect().message()).lastError();
  }

  @Test
  void aCommandWithSeveralFaultsGetsTheFirstInTheCheckOrder() throws IOException {
    Command.Read outOfRange = new Command.Read(new CellAddress(9, WirePlane.ACTIVE, 1, 2), 9000); // array 9 and a read voltage over the limit
    // UNKNOWN_OPCODE before VERSION_MISMATCH, VERSION_MISMATCH before MALFORMED, MALFORMED before HANDSHAKE_REQUIRED.
    sendCrafted(outOfRange, 1, 2, 0x7E, 3);
    assertEquals(ErrorCode.UNKNOWN_OPCODE, expectError(1).code());
    sendCrafted(outOfRange, 2, 1, 0x10, 3);
    assertEquals(ErrorCode.VERSION_MISMATCH, expectError(2).code());
    sendCrafted(outOfRange, 3, 2, 0x10, 3);
    assertEquals(ErrorCode.MALFORMED, expectError(3).code());
    host.send(outOfRange, 4);
    assertEquals(ErrorCode.HANDSHAKE_REQUIRED, expectError(4).code());
    hello();
    // OUT_OF_RANGE (geometry) before LIMIT_EXCEEDED (electrical limits).
    host.send(outOfRange, 6);
    assertEquals(ErrorCode.OUT_OF_RANGE, expectError(6).code());
    host.send(new Command.Read(CELL, 9000), 7);
    assertEquals(ErrorCode.LIMIT_EXCEEDED, expectError(7).code());
    // WATCHDOG before DUPLICATE: a re-sent, already executed pulse after the watchdog expired.
    host.send(new Command.Pulse(CELL, WirePolarity.UP, NOMINAL, 1), 8);
    assertInstanceOf(Response.PulseDone.class, host.expect().message());
    board.tripWatchdog();
    host.send(new Command.Pulse(CELL, WirePolarity.UP, NOMINAL, 1), 8);
    assertEquals(ErrorCode.WATCHDOG, expectError(8).code());
    host.send(new Command.Hello(1, 2), 9);
    assertInstanceOf(Response.Identity.class, host.expect().message());
    host.send(new Command.Pulse(CELL, WirePolarity.UP, NOMINAL, 1), 8);
    assertEquals(ErrorCode.DUPLICATE, expectError(8).code());
    assertEquals(1, board.emulator().status().pulsesApplied(), "nothing ran twice");
  }

  @Test
  void aResentRunningCommandIsADuplicateAnotherIsBusyAndHelloIsServedWithoutStoppingIt() throws IOException {
    // A 10 s watchdog: this bare host sends no heartbeats during the 5 s train.
    connect(VirtualBoard.Config.defaults().withRealTimePulses(true).withWatchdogMillis(10_000));
    hello();
    Command.Pulse train = new Command.Pulse(CELL, WirePolarity.UP, new PulseShape(1000, 100, 5_000_000), 1000); // 5 s
    host.send(train, 20);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (board.executionLog().isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the train never started");
      Thread.onSpinWait();
    }
    host.send(train, 20);
    Envelope dup = host.expect();
    Response.Error e = assertInstanceOf(Response.Error.class, dup.message());
    assertEquals(ErrorCode.DUPLICATE, e.code(), "a re-send of the running command: " + e);
    assertTrue(e.detail().contains("IN_PROGRESS"), e.detail());
    host.send(new Command.Read(CELL, 2000), 21);
    assertEquals(ErrorCode.BUSY, expectError(21).code());
    host.send(new Command.Hello(1, 2), 22);
    assertInstanceOf(Response.Identity.class, host.expect().message(), "HELLO is served while busy");
    host.send(new Command.GetStatus(), 23);
    assertTrue(assertInstanceOf(Response.Status.class, host.expect().message()).busy(), "and the train still runs");
    // A device-changing command refused BUSY is recorded FAILED (PROTOCOL.md 5.4): its host was told nothing ran,
    // so a late copy of the same frame, arriving once the board is idle, must be a duplicate and never run.
    Command.Pulse refused = new Command.Pulse(new CellAddress(0, WirePlane.ACTIVE, 3, 3), WirePolarity.DOWN, NOMINAL, 7);
    host.send(refused, 25);
    assertEquals(ErrorCode.BUSY, expectError(25).code());
    host.send(new Command.Abort(), 24);
    assertEquals(ErrorCode.ABORTED, expectError(20).code());
    assertInstanceOf(Response.Ack.class, host.expect().message());
    long pulsed = board.emulator().status().pulsesApplied();
    host.send(refused, 25);
    Response.Error late = expectError(25);
    assertEquals(ErrorCode.DUPLICATE, late.code(), "the late copy of a BUSY-refused pulse: " + late);
    assertTrue(late.detail().contains("FAILED"), late.detail());
    assertEquals(pulsed, board.emulator().status().pulsesApplied(), "the refused pulse never ran");
  }

  @Test
  void statusLastErrorHoldsTheLatestRefusalOrFailureAndIsNotClearedBySuccess() throws IOException {
    hello();
    assertEquals(ErrorCode.NONE, lastError(2));
    host.send(new Command.Pulse(CELL, WirePolarity.UP, new PulseShape(4000, 100, 200), 1), 3);
    assertEquals(ErrorCode.LIMIT_EXCEEDED, expectError(3).code());
    assertEquals(ErrorCode.LIMIT_EXCEEDED, lastError(4));
    sendCrafted(new Command.GetStatus(), 5, 2, 0x7E, 0);
    assertEquals(ErrorCode.UNKNOWN_OPCODE, expectError(5).code());
    host.send(new Command.Pulse(CELL, WirePolarity.UP, NOMINAL, 1), 6);
    assertInstanceOf(Response.PulseDone.class, host.expect().message());
    assertEquals(ErrorCode.LIMIT_EXCEEDED, lastError(7), "framing errors and successes leave it");
    board.tripWatchdog();
    assertEquals(ErrorCode.WATCHDOG, lastError(8), "a watchdog expiry sets it");
  }
}
