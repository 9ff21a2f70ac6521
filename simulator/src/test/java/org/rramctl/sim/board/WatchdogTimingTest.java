package org.rramctl.sim.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.Outcome;

/**
 * The host's timing follows the board (PROTOCOL.md 5.2): timeouts derived from the announced watchdog and the
 * line speed, and a re-handshake when the board's watchdog has expired, so that the next command runs instead
 * of failing with WATCHDOG; a command the watchdog stopped part-way is reported with its pulses, never re-sent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WatchdogTimingTest {
  private static final Cell CELL = Cell.active(0, 2, 3);

  private VirtualBoard board;

  @AfterEach
  void closeBoard() {
    if (board != null) board.close();
  }

  private SerialBoardDriver connect(VirtualBoard.Config config, SessionSettings settings) throws IOException {
    board = new VirtualBoard(Boards4Test.emulator(21), config);
    return Boards4Test.overPipe(board, settings);
  }

  @Test
  void timeoutsAreDerivedFromTheBoardsWatchdogAndTheLineSpeedUnlessATimeoutIsGiven() throws IOException {
    SessionSettings slowLine = SessionSettings.defaults().withBaudRate(115_200);
    try (SerialBoardDriver driver = connect(VirtualBoard.Config.defaults().withWatchdogMillis(1000), slowLine)) {
      assertEquals(Duration.ofMillis(250), driver.session().responseTimeout(), "a quarter of the 1000 ms watchdog");
      // 250 ms plus one largest frame (8,226 bytes with its delimiter) at 115,200 baud, 10 bits a byte: 714.0625 ms.
      assertEquals(Duration.ofNanos(250_000_000L + 714_062_500L), driver.session().heartbeatPatience());
    }
    try (SerialBoardDriver driver = connect(VirtualBoard.Config.defaults().withWatchdogMillis(400), slowLine.withResponseTimeout(Duration.ofMillis(700)))) {
      assertEquals(Duration.ofMillis(700), driver.session().responseTimeout(), "timeout= wins");
      assertEquals(Duration.ofNanos(100_000_000L + 714_062_500L), driver.session().heartbeatPatience(), "heartbeats follow the watchdog whatever timeout= says");
    }
  }

  @Test
  void afterTheBoardsWatchdogExpiredTheHostReHandshakesAndTheNextCommandsRun() throws IOException {
    try (SerialBoardDriver driver = connect(VirtualBoard.Config.defaults(), Boards4Test.pipeSettings())) {
      driver.pulse(CELL, Boards4Test.NOMINAL_UP, 1);
      board.tripWatchdog();
      assertTrue(driver.read(CELL, Boards4Test.READ_VOLTS) > 0, "an idempotent read after a re-handshake");
      board.tripWatchdog();
      driver.pulse(CELL, Boards4Test.NOMINAL_UP, 2);
      assertEquals(3, driver.status().pulsesApplied(), "the refused pulse ran once after the re-handshake");
      assertEquals(2, board.executionLog().size(), "log: " + board.executionLog());
      assertEquals(0, driver.reconnects(), "the same session, re-handshaken");
    }
  }

  @Test
  void aTrainTheWatchdogStoppedIsReportedWithItsPulsesAndNotResent() throws Exception {
    try (SerialBoardDriver driver = connect(VirtualBoard.Config.defaults().withRealTimePulses(true), Boards4Test.pipeSettings())) {
      Pulse slow = new Pulse(Polarity.UP, 1.0, 100, 5_000_000);
      CompletableFuture<Void> train = CompletableFuture.runAsync(() -> {
        try {
          driver.pulse(CELL, slow, 1000);
        } catch (IOException e) {
          throw new CompletionException(e);
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (board.executionLog().isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "the train never started");
        Thread.onSpinWait();
      }
      board.tripWatchdog();
      ExecutionException e = assertThrows(ExecutionException.class, () -> train.get(20, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof IOException && e.getCause().getMessage().contains("watchdog"), "reported as stopped by the watchdog: " + e.getCause());
      VirtualBoard.LogEntry entry = board.executionLog().get(0);
      assertEquals(Outcome.ABORTED, entry.outcome());
      assertEquals(ErrorCode.WATCHDOG, entry.stopReason());
      assertTrue(e.getCause().getMessage().contains("after " + entry.pulsesApplied() + " pulses"), e.getCause().getMessage());
      driver.pulse(CELL, Boards4Test.NOMINAL_UP, 1);
      assertEquals(2, board.executionLog().size(), "the train was not re-sent: " + board.executionLog());
      assertEquals(1, ((Command.Pulse) board.executionLog().get(1).command()).count());
    }
  }
}
