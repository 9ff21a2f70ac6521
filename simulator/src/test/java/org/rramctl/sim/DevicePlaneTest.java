package org.rramctl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One plane of soft-bound devices against DESIGN.md section 2, device by device on arrays of several rows and
 * columns: the draws of each device's parameters in their documented order (a seed must give the same chip in
 * every build: saved chips and seeded runs depend on it), the n-pulse soft-bound steps with their
 * cycle-to-cycle draws, the compounded drive of source-measure operations, the symmetry point's closed form,
 * and the differential array kept equal to G_active - G_reference through every change.
 */
class DevicePlaneTest {
  private static final int ROWS = 3;
  private static final int COLS = 4;

  /** Every spread switched on (bounds spread wide enough that some drawn bounds cross zero and are replaced). */
  private static DevicePreset preset(double upDown, double w0Std) {
    return new DevicePreset("plane-test", "DevicePlaneTest", List.of(), 0.01, 0.3, 0.3, upDown, 0.1, 1.2, -0.8, 1.2, 1.2, w0Std,
        0, 0, 12, 14, 1e-6, 1e-4, 1.0, 100, 0.5, null);
  }

  private static DevicePreset withForming(DevicePreset p) {
    return withForming(p, 3.0);
  }

  /** Forming voltages spread wide (90 %), so that some draws fall below the floor of half the mean. */
  private static DevicePreset withForming(DevicePreset p, double formingVolts) {
    DevicePreset.Switching sw = new DevicePreset.Switching(formingVolts, 0.9, 0.3, 100, 1e-8, 0.3, 1, 1, 0, 0, 0);
    return new DevicePreset(p.name(), p.source(), p.assumptions(), p.dwMin(), p.dwMinDtod(), p.dwMinStd(), p.upDown(), p.upDownDtod(), p.wMax(),
        p.wMin(), p.wMaxDtod(), p.wMinDtod(), p.w0Std(), 0, 0, 12, 14, p.gMinSiemens(), p.gMaxSiemens(), 1.0, 100, 0.5, sw);
  }

  @Test
  void eachDevicesParametersAreItsOwnDrawsInTheDocumentedOrder() {
    for (double upDown : new double[] {-0.4, 0.5}) {
      DevicePreset p = preset(upDown, 0.6);
      DevicePlane plane = new DevicePlane(p, ROWS, COLS, new FastRandom(21));
      FastRandom draws = new FastRandom(21);
      double upBias = upDown < 0 ? upDown : 0;
      double downBias = upDown > 0 ? -upDown : 0;
      int replaced = 0;
      for (int k = 0; k < ROWS * COLS; k++) {
        double hi = p.wMax() * (1 + p.wMaxDtod() * draws.nextGaussianExact());
        double lo = p.wMin() * (1 + p.wMinDtod() * draws.nextGaussianExact());
        float top = (float) (hi > 0 ? hi : 0.1 * p.wMax());
        float bottom = (float) (lo < 0 ? lo : 0.1 * p.wMin());
        replaced += (hi > 0 ? 0 : 1) + (lo < 0 ? 0 : 1);
        double gain = 1 + p.dwMinDtod() * draws.nextGaussianExact();
        double r = p.upDownDtod() * draws.nextGaussianExact();
        double aUp = p.dwMin() * Math.abs(gain + r + upBias);
        double aDown = p.dwMin() * Math.abs(gain - r + downBias);
        double w0 = p.w0Std() * draws.nextGaussianExact();
        String at = "upDown " + upDown + ", device " + k;
        assertEquals(top, plane.bMax(k), 0, at);
        assertEquals(bottom, plane.bMin(k), 0, at);
        assertEquals((float) (aUp / top), plane.sUp(k), 0, at);
        assertEquals((float) (aDown / -bottom), plane.sDown(k), 0, at);
        double w = Math.max(bottom, Math.min(top, w0));
        double g = p.gMinSiemens() + (w - bottom) * (p.gMaxSiemens() - p.gMinSiemens()) / ((double) top - bottom);
        assertEquals(g, plane.g(k), 1e-18, at);
        assertEquals(w, plane.w(k), 1e-12, at);
      }
      assertTrue(replaced > 0, "some drawn bounds crossed zero and were replaced by a tenth of the nominal bound");
    }
  }

  @Test
  void formingDrawsComeAfterEverySoftBoundDrawAndPristineDevicesIgnorePulses() {
    DevicePreset plain = preset(0.5, 0.6);
    DevicePreset forming = withForming(plain);
    DevicePlane a = new DevicePlane(plain, ROWS, COLS, new FastRandom(5));
    DevicePlane b = new DevicePlane(forming, ROWS, COLS, new FastRandom(5));
    assertFalse(a.hasForming());
    assertTrue(b.hasForming());
    assertFalse(new DevicePlane(withForming(plain, 0), ROWS, COLS, new FastRandom(5)).hasForming(), "a forming voltage of 0: formed at birth");
    FastRandom draws = new FastRandom(5);
    for (int k = 0; k < ROWS * COLS * 5; k++) draws.nextGaussianExact(); // the soft-bound draws: 5 per device
    int floored = 0;
    for (int k = 0; k < ROWS * COLS; k++) {
      assertEquals(a.sUp(k), b.sUp(k), 0, "same soft-bound device " + k);
      assertTrue(b.pristine(k));
      assertEquals(1e-8, b.g(k), 0);
      double drawn = 3.0 * (1 + 0.9 * draws.nextGaussianExact());
      floored += drawn < 1.5 ? 1 : 0;
      assertEquals((float) Math.max(1.5, drawn), b.formingVolts(k), 0, "device " + k);
      assertEquals(0, a.formingVolts(k));
    }
    assertTrue(floored > 0, "some drawn forming voltages fell below half the mean and were raised to it");
    FastRandom noise = new FastRandom(1);
    b.pulse(1, 2, 5, 1, noise);
    b.pulse(1, 2, -5, 1, noise);
    b.drive(1 * COLS + 2, true, 3, 1, noise);
    assertEquals(1e-8, b.g(1 * COLS + 2), 0, "a pristine device does not switch");

    double[][] diff = DevicePlane.linkDifferential(b, new DevicePlane(forming, ROWS, COLS, new FastRandom(6)));
    b.form(1 * COLS + 2, 5e-5);
    assertFalse(b.pristine(1 * COLS + 2));
    assertEquals(5e-5, b.g(1 * COLS + 2), 0);
    assertEquals(5e-5 - 1e-8, diff[1][2], 1e-18, "the differential entry of that device, and only that one");
    assertEquals(0, diff[2][1], 1e-18);
    b.form(1 * COLS + 2, 9e-5); // formed already: nothing happens
    assertEquals(5e-5, b.g(1 * COLS + 2), 0);
    b.form(2 * COLS + 3, 1.0); // clipped to G_max
    assertEquals(1e-4, b.g(2 * COLS + 3), 0);
    b.restorePristine(2 * COLS + 1, false, 0);
    assertFalse(b.pristine(2 * COLS + 1));
    b.restorePristine(2 * COLS + 3, true, 2e-8);
    assertTrue(b.pristine(2 * COLS + 3));
    assertEquals(2e-8, b.g(2 * COLS + 3), 0);
    assertTrue(b.pristine(0) && b.pristine(COLS - 1), "neighbours untouched");
    // the formed device (1,2) switches, its pristine neighbours do not
    b.pulse(1, 2, 3, 1, noise);
    assertTrue(b.g(1 * COLS + 2) > 5e-5, "a formed device switches up");
    double formed = b.g(1 * COLS + 2);
    b.pulse(1, 2, -3, 1, noise);
    assertTrue(b.g(1 * COLS + 2) < formed, "and down");
    b.pulse(0, 2, 3, 1, noise);
    b.pulse(0, 2, -3, 1, noise);
    assertEquals(1e-8, b.g(2), 0, "device (0,2) is still pristine");
  }

  @Test
  void nPulsesShrinkTheDistanceToTheBoundByTheDevicesStepWithEachPulsesOwnNoise() {
    DevicePreset p = preset(0.5, 0.6);
    DevicePlane plane = new DevicePlane(p, ROWS, COLS, new FastRandom(8));
    FastRandom noise = new FastRandom(99);
    FastRandom replay = new FastRandom(99);
    double gMin = p.gMinSiemens();
    double gMax = p.gMaxSiemens();
    int[][] program = {{0, 1, 7}, {2, 3, -6}, {1, 0, 40}, {2, 2, -200}, {0, 3, 1}, {1, 1, 0}};
    for (int[] step : program) {
      int k = step[0] * COLS + step[1];
      int n = step[2];
      double strength = 0.75;
      double g = plane.g(k);
      double s = (n > 0 ? plane.sUp(k) : plane.sDown(k)) * strength;
      for (int i = 0; i < Math.abs(n); i++) {
        double dist = n > 0 ? gMax - g : g - gMin;
        dist -= s * dist * (1 + p.dwMinStd() * replay.nextGaussian());
        dist = Math.min(gMax - gMin, Math.max(0, dist));
        g = n > 0 ? gMax - dist : gMin + dist;
      }
      double[] before = new double[ROWS * COLS];
      for (int j = 0; j < before.length; j++) before[j] = plane.g(j);
      plane.pulse(step[0], step[1], n, strength, noise);
      assertEquals(g, plane.g(k), 0, "device " + step[0] + "," + step[1] + " after " + n + " pulses");
      for (int j = 0; j < before.length; j++) if (j != k) assertEquals(before[j], plane.g(j), 0, "device " + j + " untouched");
    }
    for (int i = 0; i < 8; i++) assertEquals(replay.nextGaussian(), noise.nextGaussian(), "one noise draw per pulse, none for n = 0");
  }

  @Test
  void aDriveCompoundsOneNominalStepAndASetStopsAtItsCapWithoutLowering() {
    DevicePreset p = preset(0.5, 0.6);
    DevicePlane plane = new DevicePlane(p, ROWS, COLS, new FastRandom(13));
    double gMin = p.gMinSiemens();
    double gMax = p.gMaxSiemens();
    FastRandom noise = new FastRandom(4);
    FastRandom replay = new FastRandom(4);
    int k = 2 * COLS + 1;
    plane.setConductance(k, 3e-5);
    double g0 = plane.g(k);
    double s = plane.sUp(k) * (1 + p.dwMinStd() * replay.nextGaussian());
    double expected = gMax - Math.min(gMax - gMin, Math.max(0, (gMax - g0) * Math.pow(1 - s, 2.5)));
    plane.drive(k, true, 2.5, 1.0, noise);
    assertEquals(expected, plane.g(k), 1e-18, "SET, no cap");
    g0 = plane.g(k);
    s = plane.sDown(k) * (1 + p.dwMinStd() * replay.nextGaussian());
    expected = gMin + Math.min(gMax - gMin, Math.max(0, (g0 - gMin) * Math.pow(1 - s, 4)));
    plane.drive(k, false, 4, 1.0, noise);
    assertEquals(expected, plane.g(k), 1e-18, "RESET");
    plane.drive(k, true, 1000, 4e-5, noise); // would saturate near G_max: stops at the cap
    replay.nextGaussian();
    assertEquals(4e-5, plane.g(k), 0);
    plane.drive(k, true, 1000, 2e-5, noise); // a cap below the present state does not lower it
    replay.nextGaussian();
    assertEquals(4e-5, plane.g(k), 0);
    plane.drive(k, true, 0, 1.0, noise);
    plane.drive(k, true, Double.NaN, 1.0, noise);
    assertEquals(4e-5, plane.g(k), 0, "no strength, no change");
    for (int i = 0; i < 8; i++) assertEquals(replay.nextGaussian(), noise.nextGaussian(), "one draw per drive with a strength, none without");
  }

  @Test
  void theSymmetryPointBalancesTheUpAndDownStepsOfEachDevice() {
    DevicePreset p = preset(0.5, 0.6);
    DevicePlane plane = new DevicePlane(p, ROWS, COLS, new FastRandom(17));
    for (int k = 0; k < ROWS * COLS; k++) {
      double gs = plane.symmetryPointSiemens(k);
      assertEquals(plane.sUp(k) * (p.gMaxSiemens() - gs), plane.sDown(k) * (gs - p.gMinSiemens()), 1e-18, "device " + k);
      double ws = plane.symmetryPointWeight(k);
      assertEquals(gs, plane.toSiemens(k, ws), 1e-15, "the same point in both units, device " + k);
    }
  }

  @Test
  void theDifferentialArrayIsAlwaysActiveMinusReference() {
    DevicePreset p = preset(0.5, 0.6);
    DevicePlane active = new DevicePlane(p, ROWS, COLS, new FastRandom(30));
    DevicePlane reference = new DevicePlane(p, ROWS, COLS, new FastRandom(31));
    double[][] d = DevicePlane.linkDifferential(active, reference);
    checkDifferential(active, reference, d, "linked");
    FastRandom noise = new FastRandom(2);
    active.pulse(2, 3, 9, 1, noise);
    reference.pulse(2, 3, -4, 1, noise);
    reference.pulse(0, 1, 12, 1, noise);
    active.drive(1 * COLS + 2, false, 3, 1, noise);
    reference.setConductance(2 * COLS + 0, 7e-5);
    active.set(0, 5.0); // clipped to the device's upper bound
    assertEquals(active.bMax(0), active.w(0), 1e-9);
    reference.set(1, -5.0);
    assertEquals(reference.bMin(1), reference.w(1), 1e-9);
    active.setConductance(COLS - 1, 1.0);
    assertEquals(p.gMaxSiemens(), active.g(COLS - 1), 0);
    active.setConductance(COLS, -1.0);
    assertEquals(p.gMinSiemens(), active.g(COLS), 0);
    checkDifferential(active, reference, d, "after pulses, drives and sets on both planes");
    double[][] fresh = new double[ROWS][COLS];
    DevicePlane.recomputeDifferential(active, reference, fresh);
    for (int r = 0; r < ROWS; r++) for (int c = 0; c < COLS; c++) assertEquals(d[r][c], fresh[r][c], 1e-18, r + "," + c);
  }

  private static void checkDifferential(DevicePlane active, DevicePlane reference, double[][] d, String when) {
    for (int r = 0; r < ROWS; r++) {
      for (int c = 0; c < COLS; c++) {
        assertEquals(active.g(r * COLS + c) - reference.g(r * COLS + c), d[r][c], 1e-18, when + ": " + r + "," + c);
      }
    }
  }
}
