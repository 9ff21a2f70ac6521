package org.rramctl.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.Cell;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.driver.transport.FaultyTransport;
import org.rramctl.driver.transport.FaultyTransport.Direction;
import org.rramctl.driver.transport.SerialPortTransport;

/**
 * The serial driver against the C firmware over a line that drops bytes and flips bits in both directions (frames
 * lost and corrupted on the way to the board and back), and a board that reboots in the middle of a pulse train.
 * Each pulse command carries a unique count, so the firmware's own log names it: every confirmed pulse ran exactly
 * once, nothing reported failed completed, nothing ran twice, and the device model received exactly the logged
 * pulses.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FirmwareFaultInjectionTest {
  private static final int OPERATIONS = 600;
  private static final Pulse UP = Pulse.up(1.0, Duration.ofNanos(100));

  private enum Fate { CONFIRMED, FAILED, UNKNOWN }

  @TempDir Path dir;

  private static SessionSettings quick() {
    return SessionSettings.defaults().withBaudRate(100_000_000).withResponseTimeout(Duration.ofMillis(250));
  }

  @Test
  void lostAndCorruptedFramesNeverRunAPulseTwiceNorReportOneDoneThatWasNot(TestReporter report) throws Exception {
    try (FirmwareHost fw = FirmwareHost.start(FirmwareHost.binary(), dir, "--geometry", "8x6,4x4", "--seed", "11", "--preset", "aihwkit-like", "--part", "5")) {
      String path = fw.pty().toString();
      double[] drop = {0};
      double[] flip = {0};
      AtomicReference<FaultyTransport> line = new AtomicReference<>();
      List<FaultyTransport> lines = new CopyOnWriteArrayList<>(); // every connection: the driver reconnects after a lost link
      AtomicLong seeds = new AtomicLong(29);
      Map<Long, Fate> pulses = new HashMap<>();
      int updates = 0;
      int updatesConfirmed = 0;
      long faults;
      try (SerialBoardDriver driver = SerialBoardDriver.open(() -> {
        FaultyTransport f = new FaultyTransport(SerialPortTransport.open(path, 115_200), seeds.getAndIncrement());
        f.dropBytes(drop[0], Direction.BOTH).flipBits(flip[0], Direction.BOTH);
        line.set(f);
        lines.add(f);
        return f;
      }, quick())) {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < OPERATIONS; i++) {
          if (i == 100) line.get().dropBytes(drop[0] = 0.001, Direction.BOTH);
          if (i == 300) line.get().dropBytes(drop[0] = 0, Direction.BOTH).flipBits(flip[0] = 0.001, Direction.BOTH);
          if (i == 500) line.get().flipBits(flip[0] = 0, Direction.BOTH);
          Cell cell = Cell.active(0, random.nextInt(8), random.nextInt(6));
          int kind = random.nextInt(8);
          if (kind < 2) {
            try {
              if (kind == 0) driver.read(cell, 0.2);
              else driver.readRow(0, Plane.ACTIVE, cell.row(), 0.2); // two streamed parts
            } catch (IOException e) {
              // a read that failed is simply not a result
            }
            continue;
          }
          if (kind == 2) {
            updates++;
            Polarity p = i % 2 == 0 ? Polarity.UP : Polarity.DOWN;
            try {
              driver.parallelUpdate(new Tile(1, 0, 0, 2, 2), Plane.ACTIVE, StochasticUpdate.uniform(2, 2, p, UP, UP.withPolarity(Polarity.DOWN)));
              updatesConfirmed++;
            } catch (IOException e) {
              // failed or unknown: checked against the log below
            }
            continue;
          }
          long count = i + 1; // unique: the firmware's log names the operation
          Pulse p = i % 2 == 0 ? UP : UP.withPolarity(Polarity.DOWN);
          Fate fate;
          try {
            if (random.nextBoolean()) driver.pulse(cell, p, (int) count);
            else driver.pulseThenRead(cell, p, (int) count, 0.2);
            fate = Fate.CONFIRMED;
          } catch (OutcomeUnknownException e) {
            fate = Fate.UNKNOWN;
          } catch (IOException e) {
            fate = Fate.FAILED;
          }
          pulses.put(count, fate);
        }
        faults = lines.stream().mapToLong(f -> f.bytesDropped() + f.bitsFlipped()).sum();
      }
      List<FirmwareHost.LogEntry> log = fw.log();
      Map<Long, FirmwareHost.LogEntry> ran = new HashMap<>();
      long logged = 0;
      int updatesRun = 0;
      for (FirmwareHost.LogEntry e : log) {
        logged += e.pulses();
        if (e.opcode() == 0x18) {
          updatesRun++;
          continue;
        }
        FirmwareHost.LogEntry before = ran.put(e.count(), e);
        assertEquals(null, before, "pulse " + e.count() + " ran twice: " + before + " and " + e);
      }
      int confirmed = 0;
      for (Map.Entry<Long, Fate> op : pulses.entrySet()) {
        FirmwareHost.LogEntry e = ran.get(op.getKey());
        switch (op.getValue()) {
          case CONFIRMED -> {
            confirmed++;
            assertTrue(e != null && e.outcome() == 0 && e.pulses() == op.getKey(), "confirmed pulse " + op.getKey() + " ran once, completely: " + e);
          }
          case FAILED -> assertTrue(e == null || e.outcome() != 0, "a pulse reported failed did not complete: " + e);
          case UNKNOWN -> { }
        }
      }
      for (Long count : ran.keySet()) assertTrue(pulses.containsKey(count), "the board ran only pulses the host asked for: " + count);
      assertTrue(updatesRun >= updatesConfirmed, "updates: " + updatesRun + " ran, " + updatesConfirmed + " confirmed of " + updates);
      assertEquals(fw.pulses(), logged, "the device model received exactly the logged pulses");
      assertTrue(confirmed > OPERATIONS / 2, "most operations got through: " + confirmed + " confirmed of " + pulses.size());
      assertTrue(faults > 0, "the line did drop or corrupt bytes");
      report.publishEntry("tally", confirmed + " of " + pulses.size() + " pulse commands confirmed, " + updatesConfirmed + " of " + updates
          + " updates confirmed (" + updatesRun + " ran); " + faults + " bytes dropped or corrupted; " + log.size() + " commands in the firmware's log");
    }
  }

  @Test
  void aBoardThatRebootsMidTrainLeavesTheOutcomeUnknownAndTheTrainIsNotResent() throws Exception {
    try (FirmwareHost fw = FirmwareHost.start(FirmwareHost.binary(), dir, "--geometry", "8x6", "--seed", "6", "--preset", "aihwkit-like", "--realtime")) {
      String path = fw.pty().toString();
      Cell cell = Cell.active(0, 1, 1);
      try (SerialBoardDriver driver = SerialBoardDriver.open(() -> SerialPortTransport.open(path, 115_200), quick())) {
        driver.pulse(cell, UP, 3);
        Pulse slow = new Pulse(Polarity.UP, 1.0, 100, 20_000); // 50,000 x 20 us: 1 s of board time
        CompletableFuture<Void> train = CompletableFuture.runAsync(() -> {
          try {
            driver.pulse(cell, slow, 50_000);
          } catch (IOException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!fw.running().startsWith("running ") || fw.running().equals("running none")) {
          if (System.nanoTime() > deadline) throw new AssertionError("the pulse train never started");
          Thread.onSpinWait();
        }
        fw.reset();
        ExecutionException e = assertThrows(ExecutionException.class, () -> train.get(20, TimeUnit.SECONDS));
        assertInstanceOf(OutcomeUnknownException.class, e.getCause(), "the train's outcome: " + e.getCause());
        List<FirmwareHost.LogEntry> log = fw.log();
        assertEquals(2, log.size(), "log: " + log);
        assertTrue(log.get(1).count() == 50_000 && log.get(1).pulses() < 50_000, "the reboot stopped it part-way: " + log.get(1));
        // After a new handshake the driver works again, and the train was never sent a second time.
        driver.pulse(cell, UP, 5);
        log = fw.log();
        assertEquals(3, log.size(), "log: " + log);
        assertEquals(5, log.get(2).count());
        assertTrue(driver.status().outputsIdle());
        assertEquals(fw.pulses(), 3 + log.get(1).pulses() + 5, "every pulse accounted for");
      }
    }
  }
}
