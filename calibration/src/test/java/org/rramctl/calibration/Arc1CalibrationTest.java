package org.rramctl.calibration;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Tile;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.arc1.VirtualArc1;
import org.rramctl.sim.arc1.VirtualArc1Server;
import org.rramctl.sim.pty.PtyTransport;

/**
 * Per-device calibration on an ArC ONE, through the whole stack: the {@code arc1:} driver opened by URI with the
 * references mapped onto the same crossbar ({@code references=cols+16}: columns 16-31 hold the references of
 * columns 0-15), jSerialComm on a pseudo-terminal, the virtual ArC ONE at the far end. An 8 x 8 region; the
 * symmetry points against the emulator's exact ones, the references' true conductances against their targets.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class Arc1CalibrationTest {
  @Test
  void perDeviceCalibrationWithReferencesOnTheSameChip() throws Exception {
    VirtualArc1 board = new VirtualArc1(VirtualArc1.arcScale(DevicePreset.named("rram-imbalanced")), 32, 32, 7);
    EmulatorDriver.Truth truth = board.devices().truth();
    double window = board.devices().info().gMaxSiemens() - board.devices().info().gMinSiemens();
    try (PtyTransport pty = PtyTransport.open(); VirtualArc1Server server = new VirtualArc1Server(board, pty);
        EnvelopedDriver d = Boards.open("arc1:" + pty.clientPath() + "?resetWait=0&writeDelay=0&references=cols+16", null)) {
      CalibrationSettings s = CalibrationSettings.defaults(d.info()).withPulse(VirtualArc1.NOMINAL_VOLTS, VirtualArc1.NOMINAL_WIDTH_NANOS);
      CalibrationRecord rec = Calibration.run(d, List.of(new Tile(0, 0, 0, 8, 8)), s, Calibration.Mode.PER_DEVICE, Monitor.NONE);
      CalibrationRecord.TileRecord t = rec.tiles().get(0);
      double[] spErr = new double[64];
      double[] refErr = new double[64];
      for (int k = 0; k < 64; k++) {
        int r = k / 8;
        int c = k % 8;
        spErr[k] = Math.abs(t.spSiemens()[k] - truth.symmetryPointSiemens(Cell.active(0, r, c))) / window;
        // the reference of (r, c) is device (r, c + 16) of the chip
        refErr[k] = Math.abs(truth.conductance(Cell.active(0, r, c + 16)) - t.spSiemens()[k]) / window;
      }
      Arrays.sort(spErr);
      Arrays.sort(refErr);
      double p95 = spErr[(int) Math.ceil(0.95 * 64) - 1];
      assertTrue(p95 < 0.01, "symmetry-point error p95 " + p95 + " of the window (expected: < 0.01); sorted " + Arrays.toString(spErr));
      double refP95 = refErr[(int) Math.ceil(0.95 * 64) - 1];
      assertTrue(refP95 < 0.01, "reference error p95 " + refP95 + " of the window (expected: < 0.01)");
      assertTrue(board.errors().isEmpty(), "no protocol errors: " + board.errors());
    }
  }
}
