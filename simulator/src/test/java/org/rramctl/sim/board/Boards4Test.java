package org.rramctl.sim.board;

import java.time.Duration;
import java.util.List;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/** The boards and settings the serial tests share: small arrays, seeded, quick timeouts. */
final class Boards4Test {
  private Boards4Test() {}

  static final Pulse NOMINAL_UP = Pulse.up(1.0, Duration.ofNanos(100));
  static final double READ_VOLTS = 0.2;

  /** An 8 x 6 and a 4 x 4 array, as the emulator's own contract test uses, seeded. */
  static EmulatorDriver emulator(long seed) {
    return EmulatorDriver.open(DevicePreset.named("aihwkit-like"), List.of(new int[] {8, 6}, new int[] {4, 4}), seed);
  }

  /** Streams in parts of 5 values, so that every row, column and array read arrives in several frames. */
  static VirtualBoard board(long seed) {
    return new VirtualBoard(emulator(seed), VirtualBoard.Config.defaults().withMaxValuesPerPart(5));
  }

  /** A serial driver for {@code board}, each connection (the first and every reconnect) on a fresh in-memory pipe. */
  static org.rramctl.driver.serial.SerialBoardDriver overPipe(VirtualBoard board, SessionSettings settings) throws java.io.IOException {
    return org.rramctl.driver.serial.SerialBoardDriver.open(() -> {
      org.rramctl.driver.transport.PipeTransport.Pair pair = org.rramctl.driver.transport.PipeTransport.pair();
      board.serve(pair.b());
      return pair.a();
    }, settings);
  }

  /** In-memory links have no line time worth budgeting; timeouts are short so that faults cost little. */
  static SessionSettings pipeSettings() {
    return SessionSettings.defaults().withBaudRate(100_000_000).withResponseTimeout(Duration.ofMillis(250));
  }
}
