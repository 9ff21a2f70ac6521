package org.rramctl.sim.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.transport.PipeTransport;
import org.rramctl.protocol.CellAddress;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.Envelope;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.FrameEncoder;
import org.rramctl.protocol.MessageCodec;
import org.rramctl.protocol.PulseShape;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.WirePlane;
import org.rramctl.protocol.WirePolarity;

/**
 * PROTOCOL.md 6.1: which error a command with several faults gets (the first in the check order), DUPLICATE
 * before BUSY for a re-sent running command, HELLO served while busy, and what STATUS lastError holds.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ErrorOrderTest {
  private static final CellAddress CELL = new CellAddress(0, WirePlane.ACTIVE, 1, 2);
  private static final CellAddress NO_SUCH_CELL = new CellAddress(9, WirePlane.ACTIVE, 1, 2);
  private static final PulseShape NOMINAL = new PulseShape(1000, 100, 200);

  private VirtualBoard board;
  private RawHost host;
  private PipeTransport hostEnd;

  private void connect(VirtualBoard.Config config) {
    board = new VirtualBoard(Boards4Test.emulator(9), config);
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

  private ErrorCode errorFor(int sequence) throws IOException {
    Envelope e = host.expect();
    assertEquals(sequence, e.sequence(), "answers sequence " + sequence + ": " + e);
    return assertInstanceOf(Response.Error.class, e.message(), "an error for " + sequence).code();
  }

  /** A packet with its version byte, opcode byte and body length changed, CRC and COBS recomputed. */
  private void sendCrafted(Command c, int sequence, int version, int opcode, int bodyLength) throws IOException {
    byte[] packet = MessageCodec.encode(c, sequence);
    packet = Arrays.copyOf(packet, 5 + bodyLength);
    packet[0] = (byte) version;
    packet[1] = (byte) opcode;
    host.sendRaw(FrameEncoder.frame(packet));
  }

  private void hello(int sequence) throws IOException {
    host.send(new Command.Hello(1, 1), sequence);
    assertInstanceOf(Response.Identity.class, host.expect().message());
  }

  private ErrorCode lastError(int sequence) throws IOException {
    host.send(new Command.GetStatus(), sequence);
    return assertInstanceOf(Response.Status.class, host.expect().message()).lastError();
  }

  @Test
  void aCommandWithSeveralFaultsGetsTheFirstInTheCheckOrder() throws IOException {
    connect(VirtualBoard.Config.defaults());
    Command.Read outOfRange = new Command.Read(NO_SUCH_CELL, 9000); // array 9 and a read voltage over the limit
    // UNKNOWN_OPCODE before VERSION_MISMATCH, VERSION_MISMATCH before MALFORMED, MALFORMED before HANDSHAKE_REQUIRED.
    sendCrafted(outOfRange, 1, 2, 0x7E, 3);
    assertEquals(ErrorCode.UNKNOWN_OPCODE, errorFor(1));
    sendCrafted(outOfRange, 2, 2, 0x10, 3);
    assertEquals(ErrorCode.VERSION_MISMATCH, errorFor(2));
    sendCrafted(outOfRange, 3, 1, 0x10, 3);
    assertEquals(ErrorCode.MALFORMED, errorFor(3));
    host.send(outOfRange, 4);
    assertEquals(ErrorCode.HANDSHAKE_REQUIRED, errorFor(4));
    hello(5);
    // OUT_OF_RANGE (geometry) before LIMIT_EXCEEDED (electrical limits).
    host.send(outOfRange, 6);
    assertEquals(ErrorCode.OUT_OF_RANGE, errorFor(6));
    host.send(new Command.Read(CELL, 9000), 7);
    assertEquals(ErrorCode.LIMIT_EXCEEDED, errorFor(7));
    // WATCHDOG before DUPLICATE: a re-sent, already executed pulse after the watchdog expired.
    host.send(new Command.Pulse(CELL, WirePolarity.UP, NOMINAL, 1), 8);
    assertInstanceOf(Response.PulseDone.class, host.expect().message());
    board.tripWatchdog();
    host.send(new Command.Pulse(CELL, WirePolarity.UP, NOMINAL, 1), 8);
    assertEquals(ErrorCode.WATCHDOG, errorFor(8));
    hello(9);
    host.send(new Command.Pulse(CELL, WirePolarity.UP, NOMINAL, 1), 8);
    assertEquals(ErrorCode.DUPLICATE, errorFor(8));
    assertEquals(1, board.emulator().status().pulsesApplied(), "nothing ran twice");
  }

  @Test
  void aResentRunningCommandIsADuplicateAnotherIsBusyAndHelloIsServedWithoutStoppingIt() throws IOException {
    connect(VirtualBoard.Config.defaults().withRealTimePulses(true));
    hello(1);
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
    assertEquals(ErrorCode.BUSY, errorFor(21));
    host.send(new Command.Hello(1, 1), 22);
    assertInstanceOf(Response.Identity.class, host.expect().message(), "HELLO is served while busy");
    host.send(new Command.GetStatus(), 23);
    assertTrue(assertInstanceOf(Response.Status.class, host.expect().message()).busy(), "and the train still runs");
    host.send(new Command.Abort(), 24);
    assertEquals(ErrorCode.ABORTED, errorFor(20));
    assertInstanceOf(Response.Ack.class, host.expect().message());
  }

  @Test
  void statusLastErrorHoldsTheLatestRefusalOrFailureAndIsNotClearedBySuccess() throws IOException {
    connect(VirtualBoard.Config.defaults());
    hello(1);
    assertEquals(ErrorCode.NONE, lastError(2));
    host.send(new Command.Pulse(CELL, WirePolarity.UP, new PulseShape(4000, 100, 200), 1), 3);
    assertEquals(ErrorCode.LIMIT_EXCEEDED, errorFor(3));
    assertEquals(ErrorCode.LIMIT_EXCEEDED, lastError(4));
    sendCrafted(new Command.GetStatus(), 5, 1, 0x7E, 0);
    assertEquals(ErrorCode.UNKNOWN_OPCODE, errorFor(5));
    host.send(new Command.Pulse(CELL, WirePolarity.UP, NOMINAL, 1), 6);
    assertInstanceOf(Response.PulseDone.class, host.expect().message());
    assertEquals(ErrorCode.LIMIT_EXCEEDED, lastError(7), "framing errors and successes leave it");
    board.tripWatchdog();
    assertEquals(ErrorCode.WATCHDOG, lastError(8), "a watchdog expiry sets it");
  }
}
