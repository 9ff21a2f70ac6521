package org.rramctl.calibration;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Tile;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.driver.transport.PipeTransport;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.board.VirtualBoard;

/**
 * Array-parallel calibration through the serial driver on a board that accepts only 64-byte payloads (the
 * smallest IDENTITY allows): every alternating-pulse UPDATE of the 16 x 16 tile is larger than that and must
 * be split by the host, and the symmetry points still come out within 2 % of the range.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SmallPayloadCalibrationTest {
  private static final double RANGE = 1e-4 - 1e-6;

  @Test
  void parallelCalibrationWorksOnASixtyFourByteBoard() throws IOException {
    EmulatorDriver emu = EmulatorDriver.open(DevicePreset.named("rram-imbalanced"), List.of(new int[] {16, 16}), 4);
    // A 10 s watchdog: a test JVM stalled for a second by a loaded machine must not trip it (not what this tests).
    VirtualBoard board = new VirtualBoard(emu, VirtualBoard.Config.defaults().withWatchdogMillis(10_000).withMaxPayloadBytes(64));
    try (SerialBoardDriver driver = SerialBoardDriver.open(() -> {
      PipeTransport.Pair pair = PipeTransport.pair();
      board.serve(pair.b());
      return pair.a();
    }, SessionSettings.defaults().withBaudRate(100_000_000))) {
      CalibrationSettings s = CalibrationSettings.defaults(driver.info()).withFit(0, 2, 0);
      CalibrationRecord rec = Calibration.run(driver, List.of(Tile.whole(driver.info().array(0))), s, Calibration.Mode.PARALLEL, Monitor.NONE);
      assertTrue(rec.complete(), "complete: " + rec.failures());
      CalibrationRecord.TileRecord t = rec.tiles().get(0);
      double[] err = new double[t.devices()];
      for (int k = 0; k < err.length; k++) err[k] = Math.abs(t.spSiemens()[k] - emu.truth().symmetryPointSiemens(Cell.active(0, k / 16, k % 16))) / RANGE;
      double p95 = CalibrationAccuracyTest.percentile(err, 0.95);
      assertTrue(p95 < 0.02, "95th percentile symmetry-point error " + p95 + " of the range (expected: < 0.02)");
    } finally {
      board.close();
    }
  }
}
