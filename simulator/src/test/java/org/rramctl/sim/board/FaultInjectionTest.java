package org.rramctl.sim.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Cell;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.RefusedException;
import org.rramctl.driver.TimeoutNothingRanException;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.transport.FaultyTransport.Direction;
import org.rramctl.driver.transport.FaultyTransport;
import org.rramctl.driver.transport.PipeTransport;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.Outcome;

/**
 * Thousands of operations over a line that drops bytes, reorders and duplicates frames late, flips bits,
 * stalls and is unplugged. Each pulse
 * carries a unique count, so the board's execution log identifies it: afterwards every operation was
 * either confirmed (and ran exactly once), or reported failed (and never ran), or reported unknown (and
 * ran at most once). No pulse ever runs twice.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FaultInjectionTest {
  private static final int OPERATIONS = 3000;

  private enum Fate { CONFIRMED, FAILED, UNKNOWN }

  @Test
  void everyOperationIsConfirmedOnceOrReportedAndNoPulseRunsTwice(org.junit.jupiter.api.TestReporter report) throws Exception {
    VirtualBoard board = Boards4Test.board(11);
    AtomicReference<FaultyTransport> line = new AtomicReference<>();
    List<FaultyTransport> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    ScheduledExecutorService faults = Executors.newSingleThreadScheduledExecutor();
    SerialBoardDriver driver = SerialBoardDriver.open(() -> {
      PipeTransport.Pair pair = PipeTransport.pair();
      FaultyTransport faulty = new FaultyTransport(pair.b(), 29);
      line.set(faulty);
      lines.add(faulty);
      board.serve(faulty);
      return pair.a();
    }, Boards4Test.pipeSettings());
    SplittableRandom random = new SplittableRandom(5);
    Map<Long, Fate> pulses = new HashMap<>(); // unique count -> what the driver said
    Map<String, Integer> failures = new HashMap<>();
    Map<Long, String> failedWith = new HashMap<>();
    int reads = 0;
    int readFailures = 0;
    int updates = 0;
    int updatesConfirmed = 0;
    int updatesFailed = 0;
    int updatesUnknown = 0;
    try {
      for (int i = 0; i < OPERATIONS; i++) {
        if (i == 500) line.get().dropBytes(0.0005, Direction.BOTH);
        // The board sees the host's frames late, twice or out of order: its duplicate check must hold.
        if (i == 1000) line.get().dropBytes(0, Direction.BOTH).reorderAndDuplicateFrames(0.06);
        if (i == 1500) line.get().reorderAndDuplicateFrames(0).flipBits(0.0005, Direction.BOTH);
        if (i == 2400) {
          line.get().flipBits(0, Direction.BOTH).stall();
          FaultyTransport stalled = line.get();
          faults.schedule(stalled::resume, 400, TimeUnit.MILLISECONDS);
        }
        if (i == 2700) line.get().disconnect();
        Cell cell = Cell.active(0, random.nextInt(8), random.nextInt(6));
        int kind = random.nextInt(8);
        if (kind < 2) {
          reads++;
          try {
            if (kind == 0) {
              driver.read(cell, Boards4Test.READ_VOLTS);
            } else {
              driver.readRow(0, org.rramctl.driver.Plane.ACTIVE, cell.row(), Boards4Test.READ_VOLTS); // 2 streamed parts
            }
          } catch (TimeoutNothingRanException | LinkLostException | RefusedException e) {
            readFailures++;
          }
          continue;
        }
        if (kind == 2) {
          updates++;
          org.rramctl.driver.Polarity polarity = i % 2 == 0 ? org.rramctl.driver.Polarity.UP : org.rramctl.driver.Polarity.DOWN;
          try {
            driver.parallelUpdate(new org.rramctl.driver.Tile(1, 0, 0, 2, 2), org.rramctl.driver.Plane.ACTIVE,
                org.rramctl.driver.StochasticUpdate.uniform(2, 2, polarity, Boards4Test.NOMINAL_UP, Boards4Test.NOMINAL_UP.withPolarity(org.rramctl.driver.Polarity.DOWN)));
            updatesConfirmed++;
          } catch (OutcomeUnknownException e) {
            updatesUnknown++;
          } catch (TimeoutNothingRanException | LinkLostException | RefusedException | DriverAbortedException e) {
            updatesFailed++;
          }
          continue;
        }
        long count = i + 1; // unique per operation: the board's log names the operation
        Pulse p = (i % 2 == 0 ? Boards4Test.NOMINAL_UP : Boards4Test.NOMINAL_UP.withPolarity(org.rramctl.driver.Polarity.DOWN));
        Fate fate;
        try {
          if (random.nextBoolean()) {
            driver.pulse(cell, p, (int) count);
          } else {
            driver.pulseThenRead(cell, p, (int) count, Boards4Test.READ_VOLTS);
          }
          fate = Fate.CONFIRMED;
        } catch (OutcomeUnknownException e) {
          fate = Fate.UNKNOWN;
        } catch (TimeoutNothingRanException | LinkLostException | RefusedException | DriverAbortedException e) {
          fate = Fate.FAILED;
          failures.merge(e.getClass().getSimpleName(), 1, Integer::sum);
          failedWith.put(count, e.toString());
        }
        pulses.put(count, fate);
      }
    } finally {
      driver.close();
      faults.shutdownNow();
    }
    long emulatorPulses = board.emulator().status().pulsesApplied();
    board.close();

    Map<Long, Integer> runs = new HashMap<>();
    java.util.Set<String> executed = new java.util.HashSet<>();
    long logged = 0;
    int updatesRun = 0;
    for (VirtualBoard.LogEntry e : board.executionLog()) {
      // Whatever the command, a blind re-send would reuse its sequence number on the same connection.
      assertTrue(executed.add(e.connection() + "/" + e.sequence() + "/" + e.command().opcode()), "executed twice: " + e);
      logged += e.pulsesApplied();
      if (e.command() instanceof Command.Update) {
        updatesRun++;
        continue;
      }
      long count = e.command() instanceof Command.Pulse p ? p.count() : ((Command.PulseThenRead) e.command()).count();
      runs.merge(count, 1, Integer::sum);
    }
    assertTrue(updatesRun >= updatesConfirmed && updatesRun <= updatesConfirmed + updatesUnknown + updatesFailed,
        "updates: " + updatesRun + " ran, " + updatesConfirmed + " confirmed, " + updatesUnknown + " unknown, " + updatesFailed + " failed");
    int confirmed = 0;
    int unknown = 0;
    int failed = 0;
    for (Map.Entry<Long, Fate> op : pulses.entrySet()) {
      int ran = runs.getOrDefault(op.getKey(), 0);
      assertTrue(ran <= 1, "pulse " + op.getKey() + " ran " + ran + " times");
      switch (op.getValue()) {
        case CONFIRMED -> {
          confirmed++;
          assertEquals(1, ran, "confirmed pulse " + op.getKey() + " ran once");
        }
        case FAILED -> {
          failed++;
          // Refusals and "never arrived" mean nothing ran; an abort or watchdog stop would be in the log.
          if (ran == 1) assertTrue(outcomeOf(board, op.getKey()) != Outcome.COMPLETED,
              "a failed pulse did not complete: " + op.getKey() + " (" + failedWith.get(op.getKey()) + ")");
        }
        case UNKNOWN -> unknown++;
      }
    }
    assertEquals(runs.keySet(), filter(runs, pulses), "the board ran only pulses the host asked for");
    assertEquals(emulatorPulses, logged, "the emulator applied exactly the logged pulses");
    assertTrue(confirmed > OPERATIONS / 2, "most operations got through: " + confirmed + " confirmed, " + failed + " failed " + failures + ", " + unknown + " unknown; "
        + readFailures + " of " + reads + " reads failed; updates " + updatesConfirmed + "/" + updates + " confirmed");
    assertTrue(board.framesDropped() > 0, "the faults did corrupt frames");
    long duplicated = lines.stream().mapToLong(FaultyTransport::framesDuplicated).sum();
    long delayed = lines.stream().mapToLong(FaultyTransport::framesDelayed).sum();
    assertTrue(duplicated > 10 && delayed > 10, "late duplicates " + duplicated + " and reordered frames " + delayed + " reached the board");
    report.publishEntry("tally", confirmed + " pulses confirmed, " + failed + " failed " + failures + ", " + unknown + " unknown; " + readFailures + " of " + reads
        + " reads failed; updates " + updatesConfirmed + " confirmed, " + updatesFailed + " failed, " + updatesUnknown + " unknown of " + updates
        + "; board dropped " + board.framesDropped() + " frames; " + board.connections() + " connections; " + duplicated + " frames duplicated late, "
        + delayed + " reordered");
  }

  private static java.util.Set<Long> filter(Map<Long, Integer> runs, Map<Long, Fate> asked) {
    java.util.Set<Long> s = new java.util.HashSet<>(runs.keySet());
    s.retainAll(asked.keySet());
    return s;
  }

  private static Outcome outcomeOf(VirtualBoard board, long count) {
    List<VirtualBoard.LogEntry> log = board.executionLog();
    for (VirtualBoard.LogEntry e : log) {
      if (e.command() instanceof Command.Update) continue;
      long c = e.command() instanceof Command.Pulse p ? p.count() : ((Command.PulseThenRead) e.command()).count();
      if (c == count) return e.outcome();
    }
    return null;
  }
}
