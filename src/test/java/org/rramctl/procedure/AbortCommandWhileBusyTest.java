package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.cli.Main;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.driver.transport.PipeTransport;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunStatus;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.Outcome;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.board.VirtualBoard;

/**
 * {@code rramctl abort RUN} while the run's board is busy with a long pulse train (1,000 pulses at a 6 ms period):
 * the run's board gets ABORT at once, not when the train has finished and the procedure reaches its next safe
 * point; the train stops within the pulse in progress, and the command reports the board's confirmation.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AbortCommandWhileBusyTest {
  @TempDir Path tmp;

  @Test
  void abortCommandStopsTheTrainInFlightAndReportsTheBoardsConfirmation() throws Exception {
    EmulatorDriver emu = EmulatorDriver.open(DevicePreset.named("ideal"), List.of(new int[] {2, 2}), 3);
    // A 10 s watchdog: a test JVM stalled for a second by a loaded machine must not trip it (not what this tests).
    VirtualBoard board = new VirtualBoard(emu, VirtualBoard.Config.defaults().withWatchdogMillis(10_000).withRealTimePulses(true));
    SerialBoardDriver serial = SerialBoardDriver.open(() -> {
      PipeTransport.Pair pair = PipeTransport.pair();
      board.serve(pair.b());
      return pair.a();
    }, SessionSettings.defaults().withBaudRate(100_000_000));
    try (EnvelopedDriver driver = new EnvelopedDriver(serial, SafetyEnvelope.of(serial.info()))) {
      RunDirectory runs = new RunDirectory(tmp);
      Runner runner = new Runner(runs, driver, "serial:pipe");
      CompletableFuture<Runner.Outcome> run = CompletableFuture.supplyAsync(() -> {
        try {
          return runner.run(ReadStatistics.of(new ReadStatistics.Params("0,0", 2, 1000, 1.0, "3ms", 0.2)));
        } catch (java.io.IOException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (board.executionLog().isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "the train never started");
        Thread.onSpinWait();
      }
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = Main.run(new String[] {"abort", "--runs", tmp.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
      assertEquals(0, code, err.toString());
      Runner.Outcome o = run.get(30, TimeUnit.SECONDS);
      assertEquals(RunStatus.ABORTED, o.status(), o.reason());
      assertTrue(o.outputsIdle());
      assertTrue(out.toString().contains("run " + o.runId() + ": aborted; outputs idle (confirmed by the board)"), out.toString());
      VirtualBoard.LogEntry train = board.executionLog().get(0);
      assertEquals(1000, ((Command.Pulse) train.command()).count());
      assertEquals(Outcome.ABORTED, train.outcome(), "the train was stopped in flight: " + train);
      assertEquals(ErrorCode.ABORTED, train.stopReason(), train.toString());
      assertTrue(train.pulsesApplied() - train.pulsesAtStop() <= 1, "pulses after the ABORT arrived, beyond the one in progress: " + train);
      assertEquals(1, board.executionLog().size(), "nothing ran after the abort: " + board.executionLog());
    } finally {
      board.close();
    }
  }
}
