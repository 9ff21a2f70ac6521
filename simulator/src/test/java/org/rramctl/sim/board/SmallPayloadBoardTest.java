package org.rramctl.sim.board;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.MessageCodec;
import org.rramctl.protocol.WireFormat;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/**
 * A board that accepts only 64-byte payloads, the smallest IDENTITY allows (PROTOCOL.md 1.2): the host splits
 * every UPDATE by rows and by columns until each part fits, and the devices end up exactly as one unsplit
 * program leaves them (noise-free preset, so conductances are a function of the pulse counts alone).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SmallPayloadBoardTest {
  private static final Pulse UP = Pulse.up(1.0, Duration.ofNanos(100));
  private static final Pulse DOWN = Pulse.down(1.0, Duration.ofNanos(100));

  private VirtualBoard board;

  @AfterEach
  void closeBoard() {
    if (board != null) board.close();
  }

  private static EmulatorDriver emulator() {
    return EmulatorDriver.open(DevicePreset.named("ideal"), List.of(new int[] {20, 24}), 3);
  }

  private SerialBoardDriver connect() throws IOException {
    // A 10 s watchdog: a test JVM stalled for a second by a loaded machine must not trip it (not what this tests).
    board = new VirtualBoard(emulator(), VirtualBoard.Config.defaults().withWatchdogMillis(10_000).withMaxPayloadBytes(64));
    return Boards4Test.overPipe(board, Boards4Test.pipeSettings());
  }

  /** A seeded BL-63 program on a 20 x 24 tile: some rows and columns silent, the rest fire at random. */
  private static StochasticUpdate denseProgram(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    long[] rb = new long[20];
    byte[] rs = new byte[20];
    long[] cb = new long[24];
    byte[] cs = new byte[24];
    for (int j = 0; j < rb.length; j++) {
      rb[j] = j % 5 == 3 ? 0 : r.nextLong() & ((1L << 63) - 1);
      rs[j] = (byte) (rb[j] == 0 ? 0 : r.nextBoolean() ? 1 : -1);
    }
    for (int i = 0; i < cb.length; i++) {
      cb[i] = i % 7 == 2 ? 0 : r.nextLong() & ((1L << 63) - 1);
      cs[i] = (byte) (cb[i] == 0 ? 0 : r.nextBoolean() ? 1 : -1);
    }
    return new StochasticUpdate(63, rb, rs, cb, cs, UP, DOWN);
  }

  @Test
  void anUpdateLargerThanTheBoardsPayloadIsSplitByRowsAndColumnsAndPulsesEveryDeviceAsOneProgramWould() throws IOException {
    EmulatorDriver reference = emulator();
    try (SerialBoardDriver driver = connect()) {
      Tile tile = Tile.whole(driver.info().array(0));
      for (long seed = 1; seed <= 3; seed++) {
        StochasticUpdate u = denseProgram(seed);
        driver.parallelUpdate(tile, Plane.ACTIVE, u);
        reference.parallelUpdate(tile, Plane.ACTIVE, u);
      }
      assertEquals(reference.status().pulsesApplied(), driver.status().pulsesApplied(), "pulses applied");
      assertArrayEquals(reference.readArray(0, Plane.ACTIVE, 0.2).siemens(), board.emulator().readArray(0, Plane.ACTIVE, 0.2).siemens(), "conductances");
      List<VirtualBoard.LogEntry> log = board.executionLog();
      assertTrue(log.size() > 3, "split into several commands: " + log.size());
      int columnBlocks = 0;
      for (VirtualBoard.LogEntry e : log) {
        Command.Update c = (Command.Update) e.command();
        int payload = MessageCodec.encode(c, e.sequence()).length + WireFormat.CRC_BYTES;
        assertTrue(payload <= 64, "payload " + payload + " bytes (expected: <= 64): " + c.tile());
        if (c.tile().cols() < 24) columnBlocks++;
      }
      assertTrue(columnBlocks > 0, "a 24-column section at BL 63 does not fit 64 bytes: columns were split");
    } finally {
      reference.close();
    }
  }

  @Test
  void aUniformUpdateOfTheWholeArrayFitsASmallBoardToo() throws IOException {
    try (SerialBoardDriver driver = connect()) {
      Tile tile = Tile.whole(driver.info().array(0));
      driver.parallelUpdate(tile, Plane.ACTIVE, StochasticUpdate.uniform(20, 24, org.rramctl.driver.Polarity.UP, UP, DOWN));
      assertEquals(20 * 24, driver.status().pulsesApplied());
    }
  }
}
