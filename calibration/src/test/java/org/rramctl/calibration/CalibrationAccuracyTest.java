package org.rramctl.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Tile;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/**
 * The acceptance bars, measured against the emulator's exact symmetry points: with 30 % device-to-device
 * and 30 % cycle-to-cycle variation, the 95th percentile of |estimated - true| symmetry point under 0.5 %
 * of each device's conductance range in parallel mode (the accuracy the project reports; issue 4 asked for
 * 1 %, which the per-device test on 36 devices keeps), no systematic offset (mean signed error under
 * 0.025 % of the range), and the reference programming error under 1 % of
 * the range for 99 % of devices. Each device's range is G_max - G_min of the emulator's linear map (the
 * whole window: the emulator maps [b_min, b_max] onto it).
 */
class CalibrationAccuracyTest {
  private static final double RANGE = 1e-4 - 1e-6;

  static double percentile(double[] v, double q) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[(int) Math.min(c.length - 1, Math.floor(q * c.length))];
  }

  @ParameterizedTest
  @ValueSource(strings = {"aihwkit-like", "rram-imbalanced"})
  void parallelCalibrationMeetsTheSymmetryPointAndReferenceBars(String preset) throws Exception {
    DevicePreset p = DevicePreset.named(preset);
    assertEquals(0.3, p.dwMinDtod());
    assertEquals(0.3, p.dwMinStd());
    EmulatorDriver emu = EmulatorDriver.open(p, List.of(new int[] {32, 32}), 7);
    CalibrationSettings s = CalibrationSettings.defaults(emu.info());
    CalibrationRecord rec = Calibration.run(emu, List.of(Tile.whole(emu.info().array(0))), s, Calibration.Mode.PARALLEL, Monitor.NONE);
    assertTrue(rec.complete());
    CalibrationRecord.TileRecord t = rec.tiles().get(0);
    int n = t.devices();
    double[] spErr = new double[n];
    double[] refErr = new double[n];
    double signedSum = 0;
    int programmed = 0;
    for (int k = 0; k < n; k++) {
      Cell c = Cell.active(0, k / 32, k % 32);
      double signed = (t.spSiemens()[k] - emu.truth().symmetryPointSiemens(c)) / RANGE;
      signedSum += signed;
      spErr[k] = Math.abs(signed);
      double achievedTrue = emu.truth().conductance(c.withPlane(Plane.REFERENCE));
      refErr[k] = Double.isNaN(t.refAchievedSiemens()[k]) ? Double.POSITIVE_INFINITY : Math.abs(achievedTrue - t.spSiemens()[k]) / RANGE;
      if (!Double.isNaN(t.refAchievedSiemens()[k])) programmed++;
    }
    double p95 = percentile(spErr, 0.95);
    double ref99 = percentile(refErr, 0.99);
    double bias = signedSum / n;
    // The accuracy the project reports (BENCHMARKS.md, CALIBRATION-NOTES.md: p95 0.43-0.53 % on 32 x 32); this
    // seed measured p95 0.469 % (aihwkit-like) and 0.414 % (rram-imbalanced).
    assertTrue(p95 < 0.005, preset + ": 95th percentile symmetry-point error " + p95 + " of the range (expected: < 0.005)");
    // No systematic offset: the mean signed error of 1024 devices has a standard error of about 0.006 % of the range;
    // measured -0.002 % and -0.013 %. An estimator shifted by 0.05 % of the range moved p95 by under 0.02 % and the
    // mean by +0.04 to +0.05 %: only this bar sees it.
    assertTrue(Math.abs(bias) < 2.5e-4, preset + ": mean signed symmetry-point error " + bias + " of the range (expected: |bias| < 2.5e-4)");
    java.util.Map<Failure.Reason, Long> reasons = new java.util.TreeMap<>();
    StringBuilder refFails = new StringBuilder();
    for (Failure f : rec.failures()) {
      reasons.merge(f.reason(), 1L, Long::sum);
      if (f.reason() == Failure.Reason.REFERENCE_NOT_REACHED && refFails.length() < 600) refFails.append("\n").append(f.detail());
    }
    assertTrue(ref99 < 0.01, preset + ": 99th percentile reference programming error " + ref99 + " of the range (expected: < 0.01); failures " + reasons + refFails);
    assertTrue(programmed >= 0.99 * n, preset + ": references programmed " + programmed + " of " + n);
    assertTrue(rec.fits().size() == s.fitDevicesPerArray(), "fits: " + rec.fits().size());
  }

  @Test
  void perDeviceModeMeetsTheSameBarOnASmallTile() throws Exception {
    EmulatorDriver emu = EmulatorDriver.open(DevicePreset.named("rram-imbalanced"), List.of(new int[] {32, 32}), 11);
    CalibrationSettings s = CalibrationSettings.defaults(emu.info()).withFit(0, 2, 0);
    Tile tile = new Tile(0, 4, 4, 6, 6);
    CalibrationRecord rec = Calibration.run(emu, List.of(tile), s, Calibration.Mode.PER_DEVICE, Monitor.NONE);
    CalibrationRecord.TileRecord t = rec.tiles().get(0);
    double[] spErr = new double[t.devices()];
    for (int k = 0; k < spErr.length; k++) {
      Cell c = Cell.active(0, 4 + k / 6, 4 + k % 6);
      spErr[k] = Math.abs(t.spSiemens()[k] - emu.truth().symmetryPointSiemens(c)) / RANGE;
    }
    assertTrue(percentile(spErr, 0.95) < 0.01, "per-device 95th percentile error " + percentile(spErr, 0.95));
    assertEquals("per-device", rec.mode());
  }
}
