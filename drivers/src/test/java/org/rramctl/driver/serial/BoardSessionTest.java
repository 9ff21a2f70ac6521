package org.rramctl.driver.serial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.RefusedException;
import org.rramctl.driver.TimeoutNothingRanException;
import org.rramctl.driver.transport.PipeTransport;
import org.rramctl.protocol.CellAddress;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.ExecutionRecord;
import org.rramctl.protocol.Opcode;
import org.rramctl.protocol.Outcome;
import org.rramctl.protocol.PulseShape;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.TileAddress;
import org.rramctl.protocol.WireFormat;
import org.rramctl.protocol.WirePlane;
import org.rramctl.protocol.WirePolarity;

/**
 * The session's rules (PROTOCOL.md section 5) against a board whose every answer the test scripts: what the
 * host sends, in which order, with which sequence numbers, and which exception ends a call. The observable
 * events are the frames on the line, never how long anything took.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BoardSessionTest {
  private static final CellAddress CELL = new CellAddress(0, WirePlane.ACTIVE, 1, 2);
  private static final Command.Read READ = new Command.Read(CELL, 2000);
  private static final PulseShape SHAPE = new PulseShape(1000, 100, 1000);
  private static final Duration WAIT = Duration.ofSeconds(20);

  private ScriptedBoard board;
  private BoardSession session;

  @AfterEach
  void closeAll() {
    if (session != null) session.close();
    if (board != null) board.close();
  }

  /** A fast line and a short response timeout, so that silence is noticed quickly. */
  private static SessionSettings quick(int attempts) {
    return SessionSettings.defaults().withResponseTimeout(Duration.ofMillis(300)).withAttempts(attempts).withBaudRate(10_000_000);
  }

  /** Commands other than HEARTBEAT the handshake took (HELLO and LAST_EXECUTED, more when one was retried). */
  private int handshakeCommands;

  private BoardSession open(ScriptedBoard b, SessionSettings s) throws IOException {
    board = b;
    session = BoardSession.open(b.hostEnd(), s);
    handshakeCommands = b.opcodesWithoutHeartbeats().size();
    return session;
  }

  private static Command.Pulse pulse(long count) {
    return new Command.Pulse(CELL, WirePolarity.UP, SHAPE, count);
  }

  private static ExecutionRecord record(int seq, Opcode op, Outcome outcome, ErrorCode error, long pulses) {
    return new ExecutionRecord(seq, op, outcome, error, pulses);
  }

  private static Response.Error error(ErrorCode code, Opcode op) {
    return new Response.Error(code, op.code(), code.name().toLowerCase());
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + WAIT + ": " + what);
      Thread.sleep(5);
    }
  }

  /** Waits until the board has received {@code n} more heartbeats than it has now. */
  private void moreHeartbeats(ScriptedBoard b, int n) throws InterruptedException {
    int before = b.all(Opcode.HEARTBEAT).size();
    await(() -> b.all(Opcode.HEARTBEAT).size() >= before + n || session.isDead(), n + " more heartbeats");
    assertFalse(session.isDead(), () -> "the session died waiting for heartbeats: " + session.lostCause() + "; " + b.summary());
  }

  /** The opcodes other than HEARTBEAT the board received after the handshake and {@code skip} more. */
  private List<Opcode> afterOpen(int skip) {
    List<Opcode> ops = board.opcodesWithoutHeartbeats();
    return ops.subList(Math.min(handshakeCommands + skip, ops.size()), ops.size());
  }

  // ---------------------------------------------------------------------------------------------
  // handshake

  @Test
  void handshakeIsADelimiterThenHelloLastExecutedHeartbeatAndNumbersContinueAfterTheNewestRecord() throws Exception {
    ScriptedBoard b = new ScriptedBoard(1000);
    b.history(record(500, Opcode.PULSE, Outcome.COMPLETED, ErrorCode.NONE, 3), record(499, Opcode.UPDATE, Outcome.COMPLETED, ErrorCode.NONE, 9));
    open(b, SessionSettings.defaults().withVersionWindow(1, 2));
    assertEquals(WireFormat.DELIMITER, b.rawPrefix()[0], "a lone delimiter ends any noise in the board's receiver first");
    List<ScriptedBoard.Received> log = b.log();
    List<Opcode> ops = new java.util.ArrayList<>();
    for (ScriptedBoard.Received r : log) if (ops.isEmpty() || ops.get(ops.size() - 1) != r.opcode()) ops.add(r.opcode()); // a retried HELLO once
    assertEquals(List.of(Opcode.HELLO, Opcode.LAST_EXECUTED, Opcode.HEARTBEAT), ops.subList(0, 3));
    assertEquals(new Command.Hello(1, 2), log.get(0).command(), "HELLO carries the host's version window");
    assertEquals(b.identity(), session.identity());
    assertEquals(b.hostEnd().endpoint(), session.port());
    assertTrue(b.all(Opcode.HEARTBEAT).get(0).sequence() > 500, "numbers continue after the newest remembered command: " + b.summary());
    session.call(READ, null);
    assertTrue(b.next(Opcode.READ, WAIT).sequence() > 500);
    assertFalse(session.isDead());
  }

  @Test
  void aBoardOutsideTheVersionWindowIsRefusedAndTheLineClosed() throws Exception {
    board = new ScriptedBoard(1000, 3);
    RefusedException e = assertThrows(RefusedException.class, () -> BoardSession.open(board.hostEnd(), SessionSettings.defaults().withVersionWindow(1, 2)));
    assertTrue(e.hasCode(ErrorCode.VERSION_MISMATCH), e.getMessage());
    assertFalse(board.hostEnd().isOpen(), "the session closes the transport it failed to open");
  }

  @Test
  void silenceToTheHandshakeIsATimeoutInWhichNothingRan() throws Exception {
    board = new ScriptedBoard(1000);
    board.always(Opcode.HELLO, r -> List.of());
    assertThrows(TimeoutNothingRanException.class, () -> BoardSession.open(board.hostEnd(), quick(2)));
    List<ScriptedBoard.Received> hellos = board.all(Opcode.HELLO);
    assertEquals(2, hellos.size(), board.summary());
    assertNotEquals(hellos.get(0).sequence(), hellos.get(1).sequence(), "a retry of an idempotent command takes a new number");
    assertFalse(board.hostEnd().isOpen());
  }

  // ---------------------------------------------------------------------------------------------
  // idempotent commands

  @Test
  void malformedIsRetriedWithANewSequenceNumber() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.READ, r -> List.of(error(ErrorCode.MALFORMED, Opcode.READ)));
    List<Response> answer = session.call(READ, null);
    assertEquals(List.of(new Response.Conductance(100)), answer);
    List<ScriptedBoard.Received> reads = board.all(Opcode.READ);
    assertEquals(2, reads.size());
    assertNotEquals(reads.get(0).sequence(), reads.get(1).sequence());
  }

  @Test
  void malformedOnEveryAttemptIsRefusedAfterTheLast() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.always(Opcode.READ, r -> List.of(error(ErrorCode.MALFORMED, Opcode.READ)));
    RefusedException e = assertThrows(RefusedException.class, () -> session.call(READ, null));
    assertTrue(e.hasCode(ErrorCode.MALFORMED));
    assertEquals(3, board.all(Opcode.READ).size());
    assertFalse(session.isDead(), "an answered refusal leaves the link up");
  }

  @Test
  void busyWaitsUntilTheBoardIsIdleAndSendsAgainWithoutSpendingAnAttempt() throws Exception {
    open(new ScriptedBoard(1000), quick(1));
    board.once(Opcode.READ, r -> List.of(error(ErrorCode.BUSY, Opcode.READ)));
    board.once(Opcode.STATUS, r -> List.of(new Response.Status(false, true, false, false, 0, ErrorCode.NONE, 0)));
    assertEquals(List.of(new Response.Conductance(100)), session.call(READ, null));
    assertEquals(List.of(Opcode.READ, Opcode.STATUS, Opcode.STATUS, Opcode.READ), afterOpen(0), board.summary());
  }

  @Test
  void busyOnEverySendIsRefusedBusyAfterAsManyWaitsAsAttempts() throws Exception {
    open(new ScriptedBoard(1000), quick(2));
    board.always(Opcode.READ, r -> List.of(error(ErrorCode.BUSY, Opcode.READ)));
    RefusedException e = assertThrows(RefusedException.class, () -> session.call(READ, null));
    assertTrue(e.hasCode(ErrorCode.BUSY));
    assertEquals(3, board.all(Opcode.READ).size(), "two waits, then the third BUSY is reported: " + board.summary());
  }

  @Test
  void aBoardThatStaysBusyIsATimeoutInWhichNothingRan() throws Exception {
    open(new ScriptedBoard(1000), quick(1));
    board.once(Opcode.READ, r -> List.of(error(ErrorCode.BUSY, Opcode.READ)));
    board.always(Opcode.STATUS, r -> List.of(new Response.Status(false, true, false, false, 0, ErrorCode.NONE, 0)));
    TimeoutNothingRanException e = assertThrows(TimeoutNothingRanException.class, () -> session.call(READ, null));
    assertTrue(e.getMessage().contains("stayed BUSY"), e.getMessage());
    assertEquals(1, board.all(Opcode.READ).size(), "not sent again while the board is busy");
  }

  @Test
  void aWatchdogRefusalOfAReadShakesHandsAgainAndRepeatsIt() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.READ, r -> List.of(error(ErrorCode.WATCHDOG, Opcode.READ)));
    assertEquals(List.of(new Response.Conductance(100)), session.call(READ, null));
    assertEquals(List.of(Opcode.READ, Opcode.HELLO, Opcode.LAST_EXECUTED, Opcode.READ), afterOpen(0), board.summary());
  }

  @Test
  void aRefusalOtherThanTheRetriedOnesIsReportedWithItsCodeAndASessionRefusedHandshakeRequiredShakesHandsFirst() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.READ, r -> List.of(error(ErrorCode.HANDSHAKE_REQUIRED, Opcode.READ)));
    RefusedException e = assertThrows(RefusedException.class, () -> session.call(READ, null));
    assertTrue(e.hasCode(ErrorCode.HANDSHAKE_REQUIRED));
    assertEquals(1, board.all(Opcode.READ).size());
    session.call(READ, null);
    assertEquals(List.of(Opcode.READ, Opcode.HELLO, Opcode.LAST_EXECUTED, Opcode.READ), afterOpen(0), board.summary());
  }

  @Test
  void silenceThroughEveryAttemptIsATimeoutAndDeclaresTheLinkLost() throws Exception {
    open(new ScriptedBoard(1000), quick(2));
    board.always(Opcode.READ, r -> List.of());
    TimeoutNothingRanException e = assertThrows(TimeoutNothingRanException.class, () -> session.call(READ, null));
    assertTrue(e.getMessage().contains("after 2 attempts"), e.getMessage());
    List<ScriptedBoard.Received> reads = board.all(Opcode.READ);
    assertEquals(2, reads.size());
    assertNotEquals(reads.get(0).sequence(), reads.get(1).sequence());
    assertTrue(session.isDead());
    assertInstanceOf(LinkLostException.class, session.lostCause());
    assertThrows(LinkLostException.class, () -> session.call(READ, null));
    assertEquals(2, board.all(Opcode.READ).size(), "a dead session sends nothing");
  }

  @Test
  void aStreamWithAMissingPartIsAskedForAgainWhole() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    Command.ReadRow row = new Command.ReadRow(0, WirePlane.ACTIVE, 1, 2000);
    board.once(Opcode.READ_ROW, r -> List.of(new Response.Conductances(0, true, 0, new short[] {1, 2}), new Response.Conductances(2, false, 4, new short[] {5, 6})));
    board.once(Opcode.READ_ROW, r -> List.of(new Response.Conductances(0, true, 0, new short[] {1, 2}), new Response.Conductances(1, false, 2, new short[] {3, 4})));
    List<Response> parts = session.call(row, null);
    assertEquals(2, parts.size());
    assertEquals(1, ((Response.Conductances) parts.get(1)).part());
    assertArrayEquals(new short[] {3, 4}, ((Response.Conductances) parts.get(1)).codes());
    assertEquals(2, board.all(Opcode.READ_ROW).size());
  }

  @Test
  void answersOfAnotherNumberOrAnotherKindAreStrayAndNeverTakenAsTheAnswer() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.READ, r -> {
      try {
        board.send(r.sequence() + 7, new Response.Conductance(1));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      return List.of(new Response.PulseDone(1), new Response.Conductance(55));
    });
    assertEquals(List.of(new Response.Conductance(55)), session.call(READ, null));
    assertEquals(2, session.strayFrames());
    assertEquals(0, session.framingErrors());
  }

  @Test
  void aDamagedFrameCountsAsAFramingError() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.sendBytes(new byte[] {0x05, 0x11, 0x22, 0x33, 0x44, 0x00}); // COBS-valid, CRC wrong
    session.call(READ, null); // its answer follows the damaged frame on the line
    assertEquals(1, session.framingErrors());
    assertTrue(session.bytesSent() > 0);
  }

  // ---------------------------------------------------------------------------------------------
  // device-changing commands

  @Test
  void anAnsweredPulseIsSentOnceAndNeedsNoHistory() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    assertEquals(List.of(new Response.PulseDone(5)), session.call(pulse(5), null));
    assertEquals(List.of(Opcode.PULSE), afterOpen(0), board.summary());
  }

  @Test
  void anUnansweredPulseTheHistoryListsCompletedIsTakenFromItAndNeverSentAgain() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.PULSE, r -> {
      board.history(record(r.sequence(), Opcode.PULSE, Outcome.COMPLETED, ErrorCode.NONE, 5));
      return List.of();
    });
    assertEquals(List.of(new Response.PulseDone(5)), session.call(pulse(5), null));
    assertEquals(List.of(Opcode.PULSE, Opcode.LAST_EXECUTED), afterOpen(0), board.summary());
  }

  @Test
  void anUnansweredSourceTheHistoryListsCompletedIsAnUnknownMeasurementAndNeverSentAgain() throws Exception {
    open(new ScriptedBoard(1000, 2), quick(3));
    Command.Source source = new Command.Source(new CellAddress(0, WirePlane.ACTIVE, 1, 1), 2000, 100_000, 100_000);
    board.once(Opcode.SOURCE, r -> {
      board.history(record(r.sequence(), Opcode.SOURCE, Outcome.COMPLETED, ErrorCode.NONE, 1));
      return List.of();
    });
    OutcomeUnknownException e = assertThrows(OutcomeUnknownException.class, () -> session.call(source, null));
    assertTrue(e.getMessage().contains("it ran (LAST_EXECUTED: COMPLETED, 1 levels applied) but the measured current was lost on the line; not repeated"),
        e.getMessage());
    assertEquals(List.of(Opcode.SOURCE, Opcode.LAST_EXECUTED), afterOpen(0), board.summary());
    assertEquals(2, board.all(Opcode.SOURCE).get(0).frame()[1], "in the board's version 2");
  }

  @Test
  void aSourceAnswerThatArrivesAfterTheTimeoutIsTakenOnceTheHistorySaysItCompleted() throws Exception {
    open(new ScriptedBoard(1000, 2), quick(3));
    Command.Source source = new Command.Source(new CellAddress(0, WirePlane.ACTIVE, 1, 1), 2000, 100_000, 100_000);
    int[] seq = {-1};
    board.once(Opcode.SOURCE, r -> {
      seq[0] = r.sequence();
      board.history(record(r.sequence(), Opcode.SOURCE, Outcome.COMPLETED, ErrorCode.NONE, 1));
      return List.of(); // the answer is late: it leaves only when the host asks what ran
    });
    board.once(Opcode.LAST_EXECUTED, r -> {
      try {
        board.send(seq[0], new Response.Measured(1e-4f, true));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return List.of(new Response.Executed(List.of(record(seq[0], Opcode.SOURCE, Outcome.COMPLETED, ErrorCode.NONE, 1))));
    });
    assertEquals(List.of(new Response.Measured(1e-4f, true)), session.call(source, null));
    assertEquals(List.of(Opcode.SOURCE, Opcode.LAST_EXECUTED), afterOpen(0), board.summary());
  }

  @Test
  void anUnansweredPulseTheHistoryDoesNotListIsSentAgainByteIdenticalWithItsNumber() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.PULSE, r -> List.of());
    assertEquals(List.of(new Response.PulseDone(4)), session.call(pulse(4), null));
    assertEquals(List.of(Opcode.PULSE, Opcode.LAST_EXECUTED, Opcode.PULSE), afterOpen(0), board.summary());
    List<ScriptedBoard.Received> pulses = board.all(Opcode.PULSE);
    assertEquals(pulses.get(0).sequence(), pulses.get(1).sequence());
    assertArrayEquals(pulses.get(0).frame(), pulses.get(1).frame());
  }

  @Test
  void aPulseTheBoardNeverGetsFailsAsNotExecutedAfterTheAttempts() throws Exception {
    open(new ScriptedBoard(1000), quick(2));
    board.always(Opcode.PULSE, r -> List.of());
    TimeoutNothingRanException e = assertThrows(TimeoutNothingRanException.class, () -> session.call(pulse(4), null));
    assertTrue(e.getMessage().contains("never received it in 2 sends"), e.getMessage());
    assertEquals(List.of(Opcode.PULSE, Opcode.LAST_EXECUTED, Opcode.PULSE, Opcode.LAST_EXECUTED), afterOpen(0), board.summary());
    assertFalse(session.isDead());
  }

  @Test
  void aDuplicateAnswerIsResolvedFromTheHistory() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.PULSE, r -> {
      board.history(record(r.sequence(), Opcode.PULSE, Outcome.COMPLETED, ErrorCode.NONE, 6));
      return List.of(error(ErrorCode.DUPLICATE, Opcode.PULSE));
    });
    assertEquals(List.of(new Response.PulseDone(6)), session.call(pulse(6), null));
    assertEquals(List.of(Opcode.PULSE, Opcode.LAST_EXECUTED), afterOpen(0));
  }

  @Test
  void aRecordOfAnotherOpcodeWithTheSameNumberIsNotThisCommand() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.PULSE, r -> {
      board.history(record(r.sequence(), Opcode.UPDATE, Outcome.COMPLETED, ErrorCode.NONE, 6));
      return List.of();
    });
    assertEquals(List.of(new Response.PulseDone(2)), session.call(pulse(2), null));
    assertEquals(List.of(Opcode.PULSE, Opcode.LAST_EXECUTED, Opcode.PULSE), afterOpen(0), "not listed: sent again");
  }

  @Test
  void abortedInTheHistoryIsReportedAbortedWithItsPulses() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.PULSE, r -> {
      board.history(record(r.sequence(), Opcode.PULSE, Outcome.ABORTED, ErrorCode.ABORTED, 3));
      return List.of();
    });
    DriverAbortedException e = assertThrows(DriverAbortedException.class, () -> session.call(pulse(9), null));
    assertTrue(e.getMessage().contains("after 3 pulses"), e.getMessage());
  }

  @Test
  void stoppedByTheWatchdogIsRefusedWatchdogAndTheNextCallShakesHandsFirst() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.PULSE, r -> {
      board.history(record(r.sequence(), Opcode.PULSE, Outcome.ABORTED, ErrorCode.WATCHDOG, 2));
      return List.of();
    });
    RefusedException e = assertThrows(RefusedException.class, () -> session.call(pulse(9), null));
    assertTrue(e.hasCode(ErrorCode.WATCHDOG));
    assertTrue(e.getMessage().contains("after 2 pulses"), e.getMessage());
    session.call(READ, null);
    assertEquals(List.of(Opcode.PULSE, Opcode.LAST_EXECUTED, Opcode.HELLO, Opcode.LAST_EXECUTED, Opcode.READ), afterOpen(0), board.summary());
  }

  @Test
  void failedInTheHistoryIsRefusedWithItsCode() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.PULSE, r -> {
      board.history(record(r.sequence(), Opcode.PULSE, Outcome.FAILED, ErrorCode.COMPLIANCE, 4));
      return List.of();
    });
    RefusedException e = assertThrows(RefusedException.class, () -> session.call(pulse(9), null));
    assertTrue(e.hasCode(ErrorCode.COMPLIANCE));
    assertTrue(e.getMessage().contains("failed after 4 pulses"), e.getMessage());
  }

  @Test
  void inProgressInTheHistoryWaitsForTheCommandsOwnAnswer() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    AtomicInteger pulseSeq = new AtomicInteger();
    board.once(Opcode.PULSE, r -> {
      pulseSeq.set(r.sequence());
      board.history(record(r.sequence(), Opcode.PULSE, Outcome.IN_PROGRESS, ErrorCode.NONE, 1));
      return List.of();
    });
    board.once(Opcode.LAST_EXECUTED, r -> {
      try {
        board.send(r.sequence(), new Response.Executed(List.of(record(pulseSeq.get(), Opcode.PULSE, Outcome.IN_PROGRESS, ErrorCode.NONE, 1))));
        board.send(pulseSeq.get(), new Response.PulseDone(9));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      return List.of();
    });
    assertEquals(List.of(new Response.PulseDone(9)), session.call(pulse(9), null));
    assertEquals(List.of(Opcode.PULSE, Opcode.LAST_EXECUTED), afterOpen(0), "waited, never sent again: " + board.summary());
  }

  @Test
  void aBoardThatForgotTheHandshakeMakesTheOutcomeUnknown() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.PULSE, r -> List.of());
    board.once(Opcode.LAST_EXECUTED, r -> List.of(error(ErrorCode.HANDSHAKE_REQUIRED, Opcode.LAST_EXECUTED)));
    OutcomeUnknownException e = assertThrows(OutcomeUnknownException.class, () -> session.call(pulse(9), null));
    assertTrue(e.getMessage().contains("LAST_EXECUTED failed"), e.getMessage());
    assertEquals(1, board.all(Opcode.PULSE).size(), "never sent again");
  }

  @Test
  void aBoardWhoseUptimeWentDownDuringAPulseMakesItsOutcomeUnknown() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    // A 2 s train: the keeper's heartbeat (every 250 ms of quiet) reports a lower uptime long before the host
    // gives up waiting; the empty history then cannot mean "never arrived".
    Command.Pulse train = new Command.Pulse(CELL, WirePolarity.UP, new PulseShape(1000, 100, 1_000_000), 2000);
    board.once(Opcode.PULSE, r -> {
      board.uptime(5);
      return List.of();
    });
    OutcomeUnknownException e = assertThrows(OutcomeUnknownException.class, () -> session.call(train, null));
    assertTrue(e.getMessage().contains("rebooted"), e.getMessage());
    assertEquals(1, board.all(Opcode.PULSE).size(), "never sent again");
  }

  @Test
  void aLinkLostWhileAPulseRunsMakesItsOutcomeUnknown() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.PULSE, r -> {
      board.unplug();
      return List.of();
    });
    assertThrows(OutcomeUnknownException.class, () -> session.call(pulse(9), null));
    assertTrue(session.isDead());
  }

  @Test
  void aPulseOnADeadLinkIsNotSentAndIsAPlainLinkLoss() throws Exception {
    open(new ScriptedBoard(1000), quick(2));
    board.always(Opcode.READ, r -> List.of());
    assertThrows(TimeoutNothingRanException.class, () -> session.call(READ, null));
    assertThrows(LinkLostException.class, () -> session.call(pulse(1), null));
    assertEquals(0, board.all(Opcode.PULSE).size());
  }

  @Test
  void anUpdateRecoveredFromTheHistoryEndsInAFinalProgressWithItsPulses() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    Command.Update u = new Command.Update(new TileAddress(0, 0, 0, 2, 2), WirePlane.ACTIVE, 4, SHAPE, SHAPE, new long[] {1, -2}, new long[] {3, 0});
    board.once(Opcode.UPDATE, r -> {
      board.history(record(r.sequence(), Opcode.UPDATE, Outcome.COMPLETED, ErrorCode.NONE, 7));
      return List.of();
    });
    assertEquals(List.of(new Response.UpdateProgress(0, false, 4, 7)), session.call(u, null));
  }

  @Test
  void aPulseThenReadRecoveredFromTheHistoryEndsInPulseDone() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    Command.PulseThenRead ptr = new Command.PulseThenRead(CELL, WirePolarity.DOWN, SHAPE, 3, 2000);
    board.once(Opcode.PULSE_THEN_READ, r -> {
      board.history(record(r.sequence(), Opcode.PULSE_THEN_READ, Outcome.COMPLETED, ErrorCode.NONE, 3));
      return List.of();
    });
    assertEquals(List.of(new Response.PulseDone(3)), session.call(ptr, null), "the caller repeats the read itself");
  }

  @Test
  void anAbortedAnswerIsDriverAborted() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.PULSE, r -> List.of(new Response.Error(ErrorCode.ABORTED, Opcode.PULSE.code(), "by host")));
    DriverAbortedException e = assertThrows(DriverAbortedException.class, () -> session.call(pulse(9), null));
    assertTrue(e.getMessage().contains("(by host)"), e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------
  // abort

  @Test
  void abortIsConfirmedByTheBoardsAck() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    assertTrue(session.abort());
    assertEquals(1, board.all(Opcode.ABORT).size());
  }

  @Test
  void abortWithoutAnAckIsNotConfirmed() throws Exception {
    open(new ScriptedBoard(1000), new SessionSettings(Duration.ofMillis(300), 3, WireFormat.MIN_VERSION, WireFormat.MAX_VERSION, 10_000_000, Duration.ofMillis(50)));
    board.always(Opcode.ABORT, r -> List.of());
    assertFalse(session.abort());
    assertEquals(1, board.all(Opcode.ABORT).size(), "ABORT is sent once, not retried");
  }

  @Test
  void abortOnAClosedSessionSendsNothing() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    session.close();
    assertFalse(session.abort());
    assertTrue(session.isDead());
    assertEquals(0, board.all(Opcode.ABORT).size());
  }

  // ---------------------------------------------------------------------------------------------
  // the keeper

  @Test
  void anIdleSessionFeedsTheWatchdog() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    int before = board.all(Opcode.HEARTBEAT).size();
    await(() -> board.all(Opcode.HEARTBEAT).size() >= before + 2, "two heartbeats from a host with nothing to send");
    assertFalse(session.isDead());
  }

  @Test
  void unansweredHeartbeatsDeclareTheLinkLost() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.always(Opcode.HEARTBEAT, r -> List.of());
    await(session::isDead, "the session gives the link up");
    assertInstanceOf(LinkLostException.class, session.lostCause());
    assertTrue(session.lostCause().getMessage().contains("no answer to 3 heartbeats"), session.lostCause().getMessage());
    assertThrows(LinkLostException.class, () -> session.call(READ, null));
  }

  @Test
  void heartbeatsAnsweredLateButAnsweredKeepTheLinkUp() throws Exception {
    open(new ScriptedBoard(2000), quick(3));
    // Every other heartbeat unanswered: misses never reach 3 in a row.
    AtomicInteger n = new AtomicInteger();
    board.always(Opcode.HEARTBEAT, r -> n.incrementAndGet() % 2 == 0 ? List.of() : List.of(new Response.HeartbeatAck(2_000 + n.get())));
    moreHeartbeats(board, 8);
    assertFalse(session.isDead(), "misses are counted in a row: " + session.lostCause());
  }

  @Test
  void aHeartbeatAnsweredHandshakeRequiredMakesTheNextCallShakeHandsFirst() throws Exception {
    open(new ScriptedBoard(2000), quick(3));
    board.always(Opcode.HEARTBEAT, r -> List.of(error(ErrorCode.HANDSHAKE_REQUIRED, Opcode.HEARTBEAT)));
    moreHeartbeats(board, 3);
    board.always(Opcode.HEARTBEAT, board::standard);
    session.call(READ, null);
    assertEquals(List.of(Opcode.HELLO, Opcode.LAST_EXECUTED, Opcode.READ), afterOpen(0), board.summary());
  }

  @Test
  void anUptimeThatWentDownMeansARebootAndTheNextCallShakesHandsFirst() throws Exception {
    open(new ScriptedBoard(2000), quick(3));
    board.uptime(10);
    moreHeartbeats(board, 3);
    session.call(READ, null);
    assertEquals(List.of(Opcode.HELLO, Opcode.LAST_EXECUTED, Opcode.READ), afterOpen(0), board.summary());
  }

  @Test
  void anUptimeCounterThatWrappedIsNotAReboot() throws Exception {
    ScriptedBoard b = new ScriptedBoard(2000);
    b.uptime(0xFFFF_FFFFL - 100_000); // within 10 minutes of the u32 wrap
    open(b, quick(3));
    b.uptime(10);
    moreHeartbeats(b, 3);
    session.call(READ, null);
    assertEquals(List.of(Opcode.READ), afterOpen(0), b.summary());
  }

  @Test
  void anUptimeDropTenMinutesOrMoreBeforeTheWrapIsAReboot() throws Exception {
    ScriptedBoard b = new ScriptedBoard(2000);
    b.freezeUptime(0xFFFF_FFFFL - 600_000); // exactly 10 minutes before the wrap: not yet "near" it
    open(b, quick(3));
    b.uptime(10);
    moreHeartbeats(b, 3);
    session.call(READ, null);
    assertEquals(List.of(Opcode.HELLO, Opcode.LAST_EXECUTED, Opcode.READ), afterOpen(0), b.summary());
  }

  // ---------------------------------------------------------------------------------------------
  // timeouts (PROTOCOL.md 5.2: watchdog / 4, plus line time, plus the command's own run time)

  @Test
  void theResponseTimeoutIsAQuarterOfTheWatchdogUnlessGiven() throws Exception {
    SessionSettings s = SessionSettings.defaults();
    open(new ScriptedBoard(1000), s);
    assertEquals(Duration.ofMillis(250), session.responseTimeout());
    long line = s.lineTime(WireFormat.MAX_ENCODED_BYTES + 1).toNanos();
    assertEquals(Duration.ofNanos(250_000_000L + line), session.heartbeatPatience());
    assertEquals(250_000_000L + line + 100_000_000L, session.gapTimeout(), "gap: response timeout, a full frame's line time, the progress interval");
  }

  @Test
  void aGivenResponseTimeoutReplacesTheQuarterWatchdog() throws Exception {
    open(new ScriptedBoard(1000), SessionSettings.defaults().withResponseTimeout(Duration.ofMillis(400)));
    assertEquals(Duration.ofMillis(400), session.responseTimeout());
  }

  @Test
  void theFirstAnswerTimeoutAddsLineTimeAndTheCommandsRunTime() throws Exception {
    SessionSettings s = SessionSettings.defaults().withResponseTimeout(Duration.ofMillis(400));
    open(new ScriptedBoard(1000), s);
    long rt = 400_000_000L;
    long line = s.lineTime(60 + WireFormat.MAX_ENCODED_BYTES / 8).toNanos();
    assertEquals(rt + line, session.firstTimeout(READ, 60));
    assertEquals(rt + line + 7 * 1000L, session.firstTimeout(pulse(7), 60), "PULSE: count x period");
    Command.PulseThenRead ptr = new Command.PulseThenRead(CELL, WirePolarity.UP, new PulseShape(1000, 100, 5000), 3, 2000);
    assertEquals(rt + line + 3 * 5000L, session.firstTimeout(ptr, 60), "PULSE_THEN_READ: count x period");
    Command.Update u = new Command.Update(new TileAddress(0, 0, 0, 1, 1), WirePlane.ACTIVE, 4, SHAPE, SHAPE, new long[] {1}, new long[] {1});
    assertEquals(rt + line + 100_000_000L, session.firstTimeout(u, 60), "UPDATE: the progress interval");
    Command.Source source = new Command.Source(CELL, 1500, 2_000_000, 100_000);
    assertEquals(rt + line + 2_000_000, session.firstTimeout(source, 60), "SOURCE: its duration");
    Command.Sweep shortSweep = new Command.Sweep(CELL, 1_000_000, 500_000, 100_000, new short[] {100, 200, 300});
    assertEquals(rt + line + 3 * 1_500_000L, session.firstTimeout(shortSweep, 60), "SWEEP: levels x (step + off) ...");
    Command.Sweep longSweep = new Command.Sweep(CELL, 10_000_000, 0, 100_000, new short[] {100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100});
    assertEquals(rt + line + 100_000_000L, session.firstTimeout(longSweep, 60), "... but at most the progress interval: points stream while it runs");
    Command.Pulse endless = new Command.Pulse(CELL, WirePolarity.UP, new PulseShape(1000, 100, 0xFFFF_FFFFL), 0xFFFF_FFFFL);
    assertEquals(rt + line + Long.MAX_VALUE / 4, session.firstTimeout(endless, 60), "a run time that would overflow is capped");
  }

  // ---------------------------------------------------------------------------------------------
  // more of the same rules, each pinned where a plausible slip would go unnoticed

  @Test
  void anUptimeThatStandsStillIsNotAReboot() throws Exception {
    ScriptedBoard b = new ScriptedBoard(2000);
    b.freezeUptime(5_000);
    open(b, quick(3));
    moreHeartbeats(b, 3);
    session.call(READ, null);
    assertEquals(List.of(Opcode.READ), afterOpen(0), b.summary());
  }

  @Test
  void bytesLeftOnTheLineBeforeTheSessionAreDiscardedUnread() throws Exception {
    board = new ScriptedBoard(1000);
    board.sendBytes(new byte[] {0x05, 0x11, 0x22, 0x33, 0x44, 0x00}); // a damaged frame from before the session
    board.send(1, new Response.Ack()); // and a stale answer
    session = BoardSession.open(board.hostEnd(), quick(3));
    session.call(READ, null);
    assertEquals(0, session.framingErrors(), "purged, not decoded");
    assertEquals(0, session.strayFrames());
  }

  @Test
  void eachCommandAcceptsOnlyItsOwnResponseType() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    Command.ForwardRead fwd = new Command.ForwardRead(new TileAddress(0, 0, 0, 2, 2), org.rramctl.protocol.WireReadMode.ACTIVE, new short[] {100, 100});
    Command.PulseThenRead ptr = new Command.PulseThenRead(CELL, WirePolarity.UP, SHAPE, 2, 2000);
    Command.Update u = new Command.Update(new TileAddress(0, 0, 0, 1, 1), WirePlane.ACTIVE, 4, SHAPE, SHAPE, new long[] {1}, new long[] {1});
    Response.Currents currents = new Response.Currents(0, false, 0, new float[] {1e-6f, 2e-6f});
    Response.Limits limits = new Response.Limits(ScriptedBoard.LIMITS);
    // Each is first answered by a frame of another command's type (stray), then by its own.
    board.once(Opcode.GET_LIMITS, r -> List.of(new Response.Ack(), limits));
    board.once(Opcode.FORWARD_READ, r -> List.of(new Response.Conductance(3), currents));
    board.once(Opcode.PULSE_THEN_READ, r -> List.of(new Response.PulseDone(2), new Response.Conductance(77)));
    board.once(Opcode.UPDATE, r -> List.of(new Response.Conductances(0, false, 0, new short[] {1}), new Response.UpdateProgress(0, false, 4, 2)));
    assertEquals(List.of(limits), session.call(new Command.GetLimits(), null));
    assertEquals(List.of(currents), session.call(fwd, null));
    assertEquals(List.of(new Response.Conductance(77)), session.call(ptr, null));
    assertEquals(List.of(new Response.UpdateProgress(0, false, 4, 2)), session.call(u, null));
    assertEquals(4, session.strayFrames());
  }

  @Test
  void aWatchdogRefusalOnTheLastAttemptIsReportedNotRetriedForever() throws Exception {
    open(new ScriptedBoard(1000), quick(2));
    board.always(Opcode.READ, r -> List.of(error(ErrorCode.WATCHDOG, Opcode.READ)));
    RefusedException e = assertThrows(RefusedException.class, () -> session.call(READ, null));
    assertTrue(e.hasCode(ErrorCode.WATCHDOG));
    assertEquals(List.of(Opcode.READ, Opcode.HELLO, Opcode.LAST_EXECUTED, Opcode.READ), afterOpen(0), board.summary());
    board.always(Opcode.READ, board::standard);
    session.call(READ, null);
    assertEquals(List.of(Opcode.HELLO, Opcode.LAST_EXECUTED, Opcode.READ), afterOpen(4), "a WATCHDOG refusal asks for a HELLO first");
  }

  @Test
  void aRefusalThatNeedsNoHandshakeLeavesTheNextCallWithoutOne() throws Exception {
    open(new ScriptedBoard(1000), quick(2));
    board.once(Opcode.READ, r -> List.of(error(ErrorCode.OUT_OF_RANGE, Opcode.READ)));
    RefusedException e = assertThrows(RefusedException.class, () -> session.call(READ, null));
    assertTrue(e.hasCode(ErrorCode.OUT_OF_RANGE));
    session.call(READ, null);
    assertEquals(List.of(Opcode.READ, Opcode.READ), afterOpen(0), board.summary());
  }

  @Test
  void aPulseRefusedWatchdogThatNeverRanIsSentAgainAfterTheHandshake() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.once(Opcode.PULSE, r -> List.of(error(ErrorCode.WATCHDOG, Opcode.PULSE)));
    assertEquals(List.of(new Response.PulseDone(3)), session.call(pulse(3), null));
    assertEquals(List.of(Opcode.PULSE, Opcode.HELLO, Opcode.LAST_EXECUTED, Opcode.LAST_EXECUTED, Opcode.PULSE), afterOpen(0), board.summary());
    List<ScriptedBoard.Received> pulses = board.all(Opcode.PULSE);
    assertArrayEquals(pulses.get(0).frame(), pulses.get(1).frame(), "byte-identical, same sequence");
  }

  @Test
  void waitedDurationsInTheExceptionsAreTheTimeTheCallTook() throws Exception {
    open(new ScriptedBoard(1000), quick(2));
    board.always(Opcode.PULSE, r -> List.of());
    long t0 = System.nanoTime();
    TimeoutNothingRanException never = assertThrows(TimeoutNothingRanException.class, () -> session.call(pulse(4), null));
    long took = System.nanoTime() - t0;
    assertTrue(never.waited().toNanos() > 0 && never.waited().toNanos() <= took, never.waited() + " within " + took + " ns");
    board.once(Opcode.PULSE, r -> List.of());
    board.once(Opcode.LAST_EXECUTED, r -> List.of(error(ErrorCode.HANDSHAKE_REQUIRED, Opcode.LAST_EXECUTED)));
    t0 = System.nanoTime();
    OutcomeUnknownException unknown = assertThrows(OutcomeUnknownException.class, () -> session.call(pulse(4), null));
    took = System.nanoTime() - t0;
    long waited = unknown.waited().orElseThrow().toNanos();
    assertTrue(waited > 0 && waited <= took, waited + " within " + took + " ns");
    board.always(Opcode.READ, r -> List.of());
    t0 = System.nanoTime();
    TimeoutNothingRanException silent = assertThrows(TimeoutNothingRanException.class, () -> session.call(READ, null));
    took = System.nanoTime() - t0;
    assertTrue(silent.waited().toNanos() > 0 && silent.waited().toNanos() <= took, silent.waited() + " within " + took + " ns");
  }

  @Test
  void aBoardBusyForLongerThanTheWaitIsGivenUpOnlyAfterItAndSaysHowLong() throws Exception {
    open(new ScriptedBoard(1000), quick(2));
    board.once(Opcode.READ, r -> List.of(error(ErrorCode.BUSY, Opcode.READ)));
    board.always(Opcode.STATUS, r -> List.of(new Response.Status(false, true, false, false, 0, ErrorCode.NONE, 0)));
    long wait = session.gapTimeout() * 2;
    long t0 = System.nanoTime();
    TimeoutNothingRanException e = assertThrows(TimeoutNothingRanException.class, () -> session.call(READ, null));
    long took = System.nanoTime() - t0;
    assertTrue(e.getMessage().contains("for " + Duration.ofNanos(wait).toMillis() + " ms"), e.getMessage());
    assertTrue(took >= wait, "polled STATUS for the whole wait (gap timeout x attempts) before giving up: " + took + " < " + wait);
    assertTrue(e.waited().toNanos() > 0 && e.waited().toNanos() <= took, e.waited() + " within " + took + " ns");
  }

  @Test
  void aStreamsLaterPartsMayComeAnyTimeWithinTheGapTimeout() throws Exception {
    open(new ScriptedBoard(1000), SessionSettings.defaults().withResponseTimeout(Duration.ofSeconds(3)).withBaudRate(10_000_000));
    Command.ReadRow row = new Command.ReadRow(0, WirePlane.ACTIVE, 1, 2000);
    board.once(Opcode.READ_ROW, r -> {
      board.sendLater(300, r.sequence(), new Response.Conductances(1, false, 2, new short[] {3, 4}));
      return List.of(new Response.Conductances(0, true, 0, new short[] {1, 2}));
    });
    List<Response> parts = session.call(row, null);
    assertEquals(2, parts.size());
    assertEquals(1, board.all(Opcode.READ_ROW).size(), "waited for the late part instead of asking again");
  }

  @Test
  void numbersOfRecentDeviceChangingCommandsAreSkippedWhenTheCounterWraps() {
    BoardSession s = new BoardSession(PipeTransport.pair().a(), SessionSettings.defaults());
    int[] device = new int[33];
    for (int i = 0; i < device.length; i++) device[i] = s.nextSequence(true); // 1..33
    assertEquals(1, device[0]);
    int last = device[32];
    for (int i = 0; i < 65535 - 33; i++) last = s.nextSequence(false); // up to 65535
    assertEquals(65535, last);
    assertEquals(0, s.nextSequence(false));
    assertEquals(1, s.nextSequence(false), "the oldest of 33 is no longer remembered (the host keeps the last 32)");
    assertEquals(34, s.nextSequence(false), "2..33 are skipped: a new command must not look like a remembered one");
  }

  @Test
  void numbersInTheBoardsHistoryAreSkippedToo() throws Exception {
    ScriptedBoard b = new ScriptedBoard(1000);
    b.history(record(65533, Opcode.PULSE, Outcome.COMPLETED, ErrorCode.NONE, 1), record(2, Opcode.PULSE, Outcome.COMPLETED, ErrorCode.NONE, 1));
    open(b, quick(3));
    for (int i = 0; i < 6; i++) session.call(READ, null);
    List<Integer> seqs = b.log().stream().map(ScriptedBoard.Received::sequence).toList();
    assertTrue(seqs.contains(0) && seqs.contains(3), "wrapped: " + seqs);
    assertFalse(seqs.subList(2, seqs.size()).contains(2), "2 is in the board's history: " + seqs);
  }

  @Test
  void theSessionsThreadsAreDaemonsAndEndWithIt() throws Exception {
    java.util.Set<Thread> before = Thread.getAllStackTraces().keySet(); // earlier tests' sessions may still be ending
    open(new ScriptedBoard(1000), quick(3));
    List<Thread> mine = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.getName().startsWith("rramctl-session-") && t.getName().endsWith(" " + session.port())).toList();
    assertEquals(3, mine.size(), "reader, writer, keeper: " + mine);
    for (Thread t : mine) assertTrue(t.isDaemon(), t.getName());
    session.close();
    for (Thread t : mine) {
      t.join(WAIT.toMillis());
      assertFalse(t.isAlive(), t.getName() + " ended");
    }
  }

  @Test
  void aLinkLostWhileTheCallerWaitsEndsTheCallAndNamesTheCause() throws Exception {
    open(new ScriptedBoard(1000), SessionSettings.defaults().withResponseTimeout(Duration.ofSeconds(5)).withBaudRate(10_000_000));
    board.always(Opcode.READ, r -> {
      board.unplugLater(200);
      return List.of();
    });
    LinkLostException e = assertThrows(LinkLostException.class, () -> session.call(READ, null));
    assertTrue(e.getMessage().contains("peer end closed"), e.getMessage());
    assertTrue(session.isDead());
    assertEquals(1, board.all(Opcode.READ).size(), "an idempotent command on a dead link is not sent again");
    LinkLostException again = assertThrows(LinkLostException.class, () -> session.call(READ, null));
    assertTrue(again.getMessage().contains("peer end closed"), again.getMessage());
  }

  @Test
  void theHeartbeatLossNamesItselfInTheNextCallsError() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.always(Opcode.HEARTBEAT, r -> List.of());
    await(session::isDead, "the session gives the link up");
    long patienceMillis = 3 * session.heartbeatPatience().toNanos() / 1_000_000;
    assertEquals("no answer to 3 heartbeats in " + patienceMillis + " ms", ((LinkLostException) session.lostCause()).reason());
    LinkLostException e = assertThrows(LinkLostException.class, () -> session.call(READ, null));
    assertTrue(e.getMessage().contains("no answer to 3 heartbeats"), e.getMessage());
  }

  @Test
  void aHeartbeatAnsweredLateButWithinItsPatienceIsNoMiss() throws Exception {
    open(new ScriptedBoard(4000), quick(3)); // heartbeats every 1 s of quiet, each given 1 s (plus line time)
    board.always(Opcode.HEARTBEAT, r -> {
      board.sendLater(400, r.sequence(), new Response.HeartbeatAck(9_000));
      return List.of();
    });
    moreHeartbeats(board, 4);
    assertFalse(session.isDead(), "late answers are answers: " + session.lostCause());
  }

  @Test
  void aHostBusyWithCommandsSendsNoHeartbeats() throws Exception {
    open(new ScriptedBoard(60_000), quick(3)); // heartbeats only after 15 s of quiet
    int before = board.all(Opcode.HEARTBEAT).size();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < end) session.call(READ, null);
    assertEquals(before, board.all(Opcode.HEARTBEAT).size(), "no heartbeat while commands feed the watchdog: " + board.summary());
  }

  @Test
  void anAbortFromAnInterruptedThreadIsNotConfirmed() throws Exception {
    open(new ScriptedBoard(1000), quick(3));
    board.always(Opcode.ABORT, r -> {
      board.sendLater(200, r.sequence(), new Response.Ack());
      return List.of();
    });
    Thread.currentThread().interrupt();
    try {
      assertFalse(session.abort(), "the wait for the ACK was interrupted");
    } finally {
      Thread.interrupted();
    }
    assertTrue(session.abort(), "and the next one, not interrupted, is");
  }

  @Test
  void sourceAndSweepAcceptOnlyTheirOwnResponseTypes() throws Exception {
    open(new ScriptedBoard(1000, 2), quick(3));
    Command.Source source = new Command.Source(CELL, 1500, 1_000, 100_000);
    Command.Sweep sweep = new Command.Sweep(CELL, 1_000, 0, 100_000, new short[] {100, 200});
    Response.Measured measured = new Response.Measured(1e-6f, false);
    Response.SweepPoints points = new Response.SweepPoints(0, false, 0, new float[] {1e-6f, 2e-6f}, new boolean[] {false, true});
    board.once(Opcode.SOURCE, r -> List.of(new Response.PulseDone(1), measured));
    board.once(Opcode.SWEEP, r -> List.of(new Response.Measured(3e-6f, false), points));
    assertEquals(List.of(measured), session.call(source, null));
    assertEquals(List.of(points), session.call(sweep, null));
    assertEquals(2, session.strayFrames());
  }
}
