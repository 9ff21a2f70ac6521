package org.rramctl.sim.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Cell;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.Outcome;

/**
 * ABORT while the board is busy with a long command (PROTOCOL.md 5.6), from another thread while the caller
 * still waits for the command's answer: the board stops before its next pulse (train) or slot (UPDATE), the
 * command ends as aborted, the abort is confirmed, and nothing more is applied.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AbortWhileBusyTest {
  private static final Cell CELL = Cell.active(0, 1, 1);

  private VirtualBoard board;

  @AfterEach
  void closeBoard() {
    if (board != null) board.close();
  }

  private SerialBoardDriver connect() throws IOException {
    // A 10 s watchdog: a test JVM stalled for a second by a loaded machine must not trip it (not what this tests).
    board = new VirtualBoard(Boards4Test.emulator(12), VirtualBoard.Config.defaults().withWatchdogMillis(10_000).withRealTimePulses(true));
    return Boards4Test.overPipe(board, Boards4Test.pipeSettings());
  }

  private interface Work {
    void run() throws IOException;
  }

  private static CompletableFuture<Void> inBackground(Work w) {
    return CompletableFuture.runAsync(() -> {
      try {
        w.run();
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    });
  }

  private VirtualBoard.LogEntry awaitRunning() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (board.executionLog().isEmpty()) {
      if (System.nanoTime() > deadline) throw new AssertionError("the command never started");
      Thread.onSpinWait();
    }
    return board.executionLog().get(0);
  }

  private VirtualBoard.LogEntry abortAndCheck(SerialBoardDriver driver, CompletableFuture<Void> running) throws Exception {
    awaitRunning();
    assertTrue(driver.abortAndConfirm(), "the board confirmed the abort (ACK)");
    ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(10, TimeUnit.SECONDS));
    assertInstanceOf(DriverAbortedException.class, e.getCause(), "the command ends as aborted");
    VirtualBoard.LogEntry entry = board.executionLog().get(0);
    assertEquals(Outcome.ABORTED, entry.outcome(), entry.toString());
    assertEquals(ErrorCode.ABORTED, entry.stopReason(), entry.toString());
    assertTrue(driver.status().outputsIdle(), "outputs idle");
    assertEquals(entry.pulsesApplied(), driver.status().pulsesApplied(), "nothing applied after the command ended");
    return entry;
  }

  @Test
  void abortDuringALongTrainStopsWithinThePulseInProgress() throws Exception {
    try (SerialBoardDriver driver = connect()) {
      Pulse slow = new Pulse(Polarity.UP, 1.0, 100, 5_000_000); // 1,000 pulses at 5 ms: 5 s of board time
      VirtualBoard.LogEntry entry = abortAndCheck(driver, inBackground(() -> driver.pulse(CELL, slow, 1000)));
      assertTrue(entry.pulsesApplied() < 1000, entry.toString());
      assertTrue(entry.pulsesApplied() - entry.pulsesAtStop() <= 1, "pulses after the ABORT arrived, beyond the one in progress: " + entry);
    }
  }

  @Test
  void abortDuringALongUpdateStopsWithinTheSlotInProgress() throws Exception {
    try (SerialBoardDriver driver = connect()) {
      // Every row and column of a 4 x 4 tile fires in all 40 slots: 16 pulses per slot, one slot per 50 ms (2 s).
      Pulse up = new Pulse(Polarity.UP, 1.0, 100, 50_000_000);
      Pulse down = new Pulse(Polarity.DOWN, 1.0, 100, 50_000_000);
      long all = (1L << 40) - 1;
      long[] bits = {all, all, all, all};
      byte[] signs = {1, 1, 1, 1};
      StochasticUpdate u = new StochasticUpdate(40, bits, signs, bits.clone(), signs.clone(), up, down);
      Tile tile = new Tile(1, 0, 0, 4, 4);
      VirtualBoard.LogEntry entry = abortAndCheck(driver, inBackground(() -> driver.parallelUpdate(tile, Plane.ACTIVE, u)));
      assertTrue(entry.pulsesApplied() < 40 * 16, entry.toString());
      assertTrue(entry.pulsesApplied() - entry.pulsesAtStop() <= 16, "pulses after the ABORT arrived, beyond the slot in progress: " + entry);
    }
  }
}
