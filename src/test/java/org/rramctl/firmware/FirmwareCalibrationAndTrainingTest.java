package org.rramctl.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.calibration.Calibration;
import org.rramctl.calibration.CalibrationRecord;
import org.rramctl.calibration.CalibrationSettings;
import org.rramctl.calibration.Monitor;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Tile;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.driver.transport.SerialPortTransport;

/**
 * What a lab does first with a new board, done against the C firmware over a real pty: array-parallel calibration
 * of a 32 x 32 array, measured against the C model's exact symmetry points (issue 4's bar: the 95th percentile of
 * |estimated - true| under 1 % of the conductance window, with 30 % device-to-device and cycle-to-cycle variation).
 * (A zero-shifted training run through `rramctl train --board serial:PATH` passed here alone but lost the board's
 * answers intermittently in loaded full builds; it is left out until that is understood, see issue 15.)
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FirmwareCalibrationAndTrainingTest {
  @TempDir Path dir;

  @Test
  void parallelCalibrationOfA32x32ArrayFindsTheFirmwareModelsSymmetryPoints(TestReporter report) throws Exception {
    try (FirmwareHost fw = FirmwareHost.start(FirmwareHost.binary(), dir, "--geometry", "32x32", "--seed", "7", "--preset", "rram-imbalanced")) {
      String path = fw.pty().toString();
      try (SerialBoardDriver driver = SerialBoardDriver.open(() -> SerialPortTransport.open(path, 115_200), SessionSettings.defaults())) {
        BoardInfo info = driver.info();
        CalibrationRecord rec = Calibration.run(driver, List.of(Tile.whole(info.array(0))), CalibrationSettings.defaults(info), Calibration.Mode.PARALLEL,
            Monitor.NONE);
        assertTrue(rec.complete(), "calibration complete: " + rec.failures());
        Map<String, FirmwareHost.Truth> truth = fw.truth();
        CalibrationRecord.TileRecord t = rec.tiles().get(0);
        double window = info.gMaxSiemens() - info.gMinSiemens();
        double[] err = new double[t.devices()];
        for (int k = 0; k < err.length; k++) {
          err[k] = Math.abs(t.spSiemens()[k] - truth.get("0/0/" + k / 32 + "/" + k % 32).spSiemens()) / window;
        }
        Arrays.sort(err);
        double p95 = err[(int) Math.floor(0.95 * err.length)];
        assertEquals(1024, err.length);
        assertTrue(p95 < 0.01, "95th percentile symmetry-point error " + p95 + " of the window (expected: < 0.01)");
        report.publishEntry("symmetry points", "p95 |error| " + p95 + " of the window, median " + err[err.length / 2] + ", max " + err[err.length - 1]);
      }
    }
  }
}
