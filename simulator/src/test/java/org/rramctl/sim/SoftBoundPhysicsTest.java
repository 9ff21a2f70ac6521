package org.rramctl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;

/** The emulator against the closed forms of DESIGN.md section 2. */
class SoftBoundPhysicsTest {
  private static final Pulse UP = Pulse.up(1.0, Duration.ofNanos(100));
  private static final Pulse DOWN = Pulse.down(1.0, Duration.ofNanos(100));

  private static EmulatorDriver emulator(DevicePreset p, int rows, int cols, long seed) {
    return EmulatorDriver.open(p, List.of(new int[] {rows, cols}), seed);
  }

  @Test
  void noiseFreeUpPulsesFollowTheNPulseClosedForm() {
    DevicePreset p = DevicePreset.named("ideal");
    try (EmulatorDriver d = emulator(p, 1, 1, 1)) {
      Cell c = Cell.active(0, 0, 0);
      // The emulator stores drawn parameters as floats: the closed form takes the device's own.
      double b = d.truth().params(c).bMax();
      double a = d.truth().params(c).aUp();
      assertEquals(p.wMax(), b, 1e-7 * p.wMax(), "b_max: the nominal value to float precision");
      assertEquals(p.dwMin(), a, 1e-7 * p.dwMin(), "a_up: the nominal value to float precision");
      double w0 = d.truth().weight(c);
      for (int n : new int[] {1, 10, 100, 1000, 5000}) {
        d.truth().setWeight(c, w0);
        d.pulse(c, UP, n);
        double closed = b - (b - w0) * Math.pow(1 - a / b, n);
        assertEquals(closed, d.truth().weight(c), 1e-12, "w after " + n + " up pulses");
      }
    }
  }

  @Test
  void noiseFreeAlternatingPulsesConvergeToTheClosedFormSymmetryPoint() {
    for (double ratio : new double[] {1.0, 1.5, 2.0, 3.0}) {
      DevicePreset p = DevicePreset.named("ideal").withRatio(ratio);
      try (EmulatorDriver d = emulator(p, 1, 1, 1)) {
        Cell c = Cell.active(0, 0, 0);
        double b = p.wMax();
        double expected = b * (ratio - 1) / (ratio + 1);
        EmulatorDriver.DeviceParams q = d.truth().params(c);
        assertEquals(-q.bMax(), q.bMin(), 0, "symmetric bounds");
        double fromParams = q.bMax() * (q.aUp() - q.aDown()) / (q.aUp() + q.aDown());
        assertEquals(fromParams, d.truth().symmetryPointWeight(c), 1e-12, "closed form, symmetric bounds, ratio " + ratio);
        assertEquals(expected, fromParams, 1e-6, "the nominal ratio's symmetry point, parameters stored as floats");
        for (int i = 0; i < 8000; i++) {
          d.pulse(c, UP, 1);
          d.pulse(c, DOWN, 1);
        }
        // In the limit cycle the state after a down pulse sits half a step below w*.
        double aUp = d.truth().params(c).aUp();
        assertEquals(expected, d.truth().weight(c), aUp, "settled at w* within one step, ratio " + ratio);
      }
    }
  }

  @Test
  void deviceToDeviceVariationMatchesThePreset() {
    DevicePreset p = DevicePreset.named("aihwkit-like");
    int n = 100;
    try (EmulatorDriver d = emulator(p, n, n, 9)) {
      double sum = 0;
      double sumSq = 0;
      double bSum = 0;
      for (int r = 0; r < n; r++) {
        for (int col = 0; col < n; col++) {
          EmulatorDriver.DeviceParams dp = d.truth().params(Cell.active(0, r, col));
          double gain = (dp.aUp() + dp.aDown()) / 2 / p.dwMin();
          sum += gain;
          sumSq += gain * gain;
          bSum += dp.bMax();
        }
      }
      int m = n * n;
      double mean = sum / m;
      double std = Math.sqrt(sumSq / m - mean * mean);
      // |1 + 0.3 xi| has mean ~1.0 and std ~0.3 (folding below zero is 4e-4 likely); 10,000 draws: se 0.003.
      assertEquals(1.0, mean, 0.015);
      assertEquals(p.dwMinDtod(), std, 0.015);
      assertEquals(p.wMax(), bSum / m, 0.01);
    }
  }

  @Test
  void eachDevicesUpAndDownStepsCarryItsUpDownDrawWithOppositeSigns() {
    // DESIGN.md section 2: a_up = dw_min |gain + r + up_bias|, a_down = dw_min |gain - r + down_bias|, with
    // r = up_down_dtod xi. The spread of r is symmetric, so only the draws themselves tell +r from -r: they are
    // replayed here from the same seed, in the order the emulator takes them (per device: b_max, b_min, gain,
    // r; the active plane, then the reference plane), and each device's steps must match its own r.
    DevicePreset p = DevicePreset.named("rram-imbalanced").withVariation(0.0, 0.1, 0.3); // no gain spread: a_up - a_down shows r alone
    assertEquals(0.0, p.w0Std(), "no initial-state draw to replay");
    int rows = 20;
    int cols = 20;
    long seed = 17;
    FastRandom draws = new FastRandom(seed);
    try (EmulatorDriver d = emulator(p, rows, cols, seed)) {
      double sumHalfDiff = 0;
      double sumHalfDiffSq = 0;
      for (Plane plane : new Plane[] {Plane.ACTIVE, Plane.REFERENCE}) {
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            draws.nextGaussianExact(); // b_max
            draws.nextGaussianExact(); // b_min
            double gain = 1 + p.dwMinDtod() * draws.nextGaussianExact();
            double upDown = p.upDownDtod() * draws.nextGaussianExact();
            double downBias = -p.upDown(); // upDown > 0 biases the down step
            EmulatorDriver.DeviceParams dp = d.truth().params(new Cell(0, plane, r, c));
            String where = plane + " " + r + "," + c;
            assertEquals(p.dwMin() * Math.abs(gain + upDown), dp.aUp(), 1e-6 * p.dwMin(), "a_up of " + where);
            assertEquals(p.dwMin() * Math.abs(gain - upDown + downBias), dp.aDown(), 1e-6 * p.dwMin(), "a_down of " + where);
            double halfDiff = (dp.aUp() - dp.aDown() + downBias * p.dwMin()) / 2 / p.dwMin();
            sumHalfDiff += halfDiff;
            sumHalfDiffSq += halfDiff * halfDiff;
          }
        }
      }
      // With no gain spread, (a_up - a_down - up_down dw_min) / 2 dw_min is r itself: its spread is the preset's.
      int n = 2 * rows * cols;
      double mean = sumHalfDiff / n;
      assertEquals(p.upDownDtod(), Math.sqrt(sumHalfDiffSq / n - mean * mean), 0.01, "spread of r over " + n + " devices");
    }
  }

  @Test
  void cycleToCycleNoiseSpreadsSinglePulseSteps() {
    DevicePreset p = DevicePreset.named("ideal").withNoise(0.3, 0, 0);
    try (EmulatorDriver d = emulator(p, 1, 1, 5)) {
      Cell c = Cell.active(0, 0, 0);
      int n = 20000;
      double sum = 0;
      double sumSq = 0;
      for (int i = 0; i < n; i++) {
        d.truth().setWeight(c, 0);
        d.pulse(c, UP, 1);
        double rel = d.truth().weight(c) / p.dwMin();
        sum += rel;
        sumSq += rel * rel;
      }
      double mean = sum / n;
      double std = Math.sqrt(sumSq / n - mean * mean);
      assertEquals(1.0, mean, 0.01);
      assertEquals(0.3, std, 0.01);
    }
  }

  @Test
  void pulsesBelowTheSwitchingThresholdDoNothing() {
    DevicePreset p = DevicePreset.named("ideal");
    try (EmulatorDriver d = emulator(p, 1, 1, 1)) {
      Cell c = Cell.active(0, 0, 0);
      d.pulse(c, Pulse.up(p.thresholdVolts(), Duration.ofNanos(100)), 1000);
      assertEquals(0, d.truth().weight(c), 0);
      d.pulse(c, Pulse.up(p.thresholdVolts() + 0.5 * (p.pulseVolts() - p.thresholdVolts()), Duration.ofNanos(100)), 1);
      assertEquals(0.5 * d.truth().params(c).aUp(), d.truth().weight(c), 1e-15, "half-way to the nominal amplitude gives half a step");
    }
  }

  @Test
  void readsReturnTheLinearConductanceMapThroughTheAdc() {
    DevicePreset p = DevicePreset.named("ideal");
    try (EmulatorDriver d = emulator(p, 1, 1, 1)) {
      Cell c = Cell.active(0, 0, 0);
      d.truth().setWeight(c, 0.5);
      double expected = p.gMinSiemens() + (0.5 - p.wMin()) / (p.wMax() - p.wMin()) * (p.gMaxSiemens() - p.gMinSiemens());
      double lsb = 1.25 * p.gMaxSiemens() / ((1 << p.adcBits()) - 1);
      assertEquals(expected, d.read(c, 0.2), lsb / 2 + 1e-18);
      assertEquals(expected, d.truth().conductance(c), 1e-15);
    }
  }

  @Test
  void parallelUpdateAppliesTheCoincidenceCountWithTheProductSign() throws Exception {
    DevicePreset p = DevicePreset.named("ideal");
    try (EmulatorDriver d = emulator(p, 3, 3, 1)) {
      long[] rb = {0b1111L, 0b0011L, 0L};
      byte[] rs = {1, -1, 0};
      long[] cb = {0b0101L, 0b1111L, 0b1000L};
      byte[] cs = {1, 1, -1};
      StochasticUpdate u = new StochasticUpdate(4, rb, rs, cb, cs, UP, DOWN);
      d.parallelUpdate(new Tile(0, 0, 0, 3, 3), Plane.ACTIVE, u);
      double a = d.truth().params(Cell.active(0, 0, 0)).aUp(); // ideal: every device the same, aUp == aDown
      double b = d.truth().params(Cell.active(0, 0, 0)).bMax();
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 3; c++) {
          int n = u.signedPulses(r, c);
          double expected = n >= 0 ? b - b * Math.pow(1 - a / b, n) : -b + b * Math.pow(1 - a / b, -n);
          assertEquals(expected, d.truth().weight(Cell.active(0, r, c)), 1e-12, "device " + r + "," + c + " with " + n + " pulses");
        }
      }
      assertEquals(4 + 2 + 1 + 1 + 2 + 0, d.status().pulsesApplied());
    }
  }

  @Test
  void theFastUpdateAgreesWithTheSingleDeviceComposition() throws Exception {
    DevicePreset p = DevicePreset.named("ideal").withRatio(1.7).withVariation(0.3, 0.1, 0.3);
    java.util.SplittableRandom r = new java.util.SplittableRandom(12);
    for (int trial = 0; trial < 20; trial++) {
      try (EmulatorDriver fast = emulator(p, 10, 12, trial); EmulatorDriver slow = emulator(p, 10, 12, trial)) {
        int bl = 1 + r.nextInt(63);
        Tile t = new Tile(0, 1 + r.nextInt(3), r.nextInt(3), 7, 9);
        long mask = bl == 63 ? Long.MAX_VALUE : (1L << bl) - 1;
        long[] rb = new long[7];
        byte[] rs = new byte[7];
        for (int j = 0; j < 7; j++) {
          rb[j] = r.nextInt(3) == 0 ? 0 : r.nextLong() & r.nextLong() & mask;
          rs[j] = (byte) (rb[j] == 0 ? 0 : r.nextBoolean() ? 1 : -1);
        }
        long[] cb = new long[9];
        byte[] cs = new byte[9];
        for (int i = 0; i < 9; i++) {
          cb[i] = r.nextInt(3) == 0 ? 0 : r.nextLong() & r.nextLong() & mask;
          cs[i] = (byte) (r.nextBoolean() ? 1 : -1);
        }
        StochasticUpdate u = new StochasticUpdate(bl, rb, rs, cb, cs, UP, DOWN);
        Plane plane = trial % 2 == 0 ? Plane.ACTIVE : Plane.REFERENCE;
        fast.parallelUpdate(t, plane, u);
        org.rramctl.driver.SingleDeviceFallback.parallelUpdate(slow, t, plane, u);
        for (int row = 0; row < 10; row++) {
          for (int col = 0; col < 12; col++) {
            Cell c = new Cell(0, plane, row, col);
            assertEquals(slow.truth().weight(c), fast.truth().weight(c), 0, "trial " + trial + " device " + c);
          }
        }
        assertEquals(slow.status().pulsesApplied(), fast.status().pulsesApplied());
      }
    }
  }

  @Test
  void sameSeedSameDevicesAndSameNoise() {
    DevicePreset p = DevicePreset.named("rram-imbalanced");
    try (EmulatorDriver a = emulator(p, 4, 4, 77); EmulatorDriver b = emulator(p, 4, 4, 77); EmulatorDriver c = emulator(p, 4, 4, 78)) {
      Cell cell = Cell.active(0, 1, 2);
      assertEquals(a.truth().symmetryPointSiemens(cell), b.truth().symmetryPointSiemens(cell), 0);
      assertTrue(a.truth().symmetryPointSiemens(cell) != c.truth().symmetryPointSiemens(cell));
      for (int i = 0; i < 50; i++) {
        assertEquals(a.pulseThenRead(cell, UP, 3, 0.2), b.pulseThenRead(cell, UP, 3, 0.2), 0);
      }
    }
  }

  @Test
  void imbalancedPresetPutsSymmetryPointsFarFromMidRange() {
    DevicePreset p = DevicePreset.named("rram-imbalanced");
    try (EmulatorDriver d = emulator(p, 40, 40, 11)) {
      double sum = 0;
      for (int r = 0; r < 40; r++) for (int c = 0; c < 40; c++) sum += d.truth().symmetryPointWeight(Cell.active(0, r, c));
      double mean = sum / 1600;
      assertEquals(1.0 / 3, mean, 0.05, "nominal ratio 2 puts w* at b/3");
      assertEquals(2.0, p.nominalRatio(), 1e-12);
    }
  }
}
