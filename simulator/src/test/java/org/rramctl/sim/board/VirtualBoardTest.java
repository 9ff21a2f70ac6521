package org.rramctl.sim.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
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
import org.rramctl.protocol.MessageCodec;
import org.rramctl.protocol.Opcode;
import org.rramctl.protocol.PulseShape;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.WirePlane;
import org.rramctl.protocol.WirePolarity;

/** The virtual board is as strict as firmware must be (PROTOCOL.md section 9), seen through crafted frames. */
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
    host.send(new Command.Hello(1, 1), 1);
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
    byte[] frame = MessageCodec.frame(new Command.GetStatus(), 2);
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
    byte[] packet = MessageCodec.encode(new Command.GetStatus(), 4);
    packet[4] = 0x02;
    host.sendRaw(org.rramctl.protocol.FrameEncoder.frame(packet));
    assertEquals(ErrorCode.MALFORMED, expectError(4).code());
    packet = MessageCodec.encode(new Command.GetStatus(), 5);
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
}
