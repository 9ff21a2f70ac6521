package org.rramctl.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.rramctl.calibration.CalibrationRecord;
import org.rramctl.calibration.CalibrationRecords;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.sim.EmulatorDriver;

/**
 * Symmetry-point errors of a calibration record of an emulated board, against the exact symmetry points of
 * an emulator opened with the same URI (the same preset, geometry and seed draw the same devices), as % of
 * each device's conductance range: p50 / p95 / p99 / max over the devices the record has a symmetry point for.
 *
 * <pre>
 *   rramctl calibrate --board URI --out cal.json
 *   java -cp bench/target/benchmarks.jar org.rramctl.bench.CalibrationErrors URI cal.json
 * </pre>
 */
public final class CalibrationErrors {
  private CalibrationErrors() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: CalibrationErrors BOARD_URI RECORD.json");
      System.exit(2);
    }
    CalibrationRecord record = CalibrationRecords.read(Path.of(args[1]));
    try (EnvelopedDriver driver = Boards.open(args[0], null)) {
      if (!(driver.inner() instanceof EmulatorDriver emu)) throw new IllegalArgumentException("board: " + args[0] + " (expected: an emulator, sim:...)");
      EmulatorDriver.Truth truth = emu.truth();
      double[] errors = new double[0];
      int n = 0;
      for (CalibrationRecord.TileRecord t : record.tiles()) {
        errors = Arrays.copyOf(errors, n + t.rows() * t.cols());
        for (int r = 0; r < t.rows(); r++) {
          for (int c = 0; c < t.cols(); c++) {
            float sp = t.spSiemens()[r * t.cols() + c];
            if (Float.isNaN(sp)) continue;
            Cell cell = Cell.active(t.array(), t.row0() + r, t.col0() + c);
            EmulatorDriver.DeviceParams p = truth.params(cell);
            double range = (p.bMax() - p.bMin()) * p.siemensPerWeight();
            errors[n++] = 100 * Math.abs(sp - truth.symmetryPointSiemens(cell)) / range;
          }
        }
      }
      double[] e = Arrays.copyOf(errors, n);
      Arrays.sort(e);
      System.out.printf(Locale.ROOT, "%d devices with a symmetry point; |error| %% of range: p50 %.3f, p95 %.3f, p99 %.3f, max %.3f%n",
          n, e[(int) (0.50 * (n - 1))], e[(int) (0.95 * (n - 1))], e[(int) (0.99 * (n - 1))], e[n - 1]);
    }
  }
}
