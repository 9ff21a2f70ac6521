package org.rramctl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.BoardUri;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;

/** Symmetry-point drift with cycling ({@link DevicePreset.Drift}, issue 19 point 3). */
class SymmetryPointDriftTest {
  private static final Pulse UP = Pulse.up(1.0, Duration.ofNanos(100));
  private static final Pulse DOWN = Pulse.down(1.0, Duration.ofNanos(100));
  private static final List<int[]> GEOMETRY = List.of(new int[] {4, 4});

  private static DevicePreset drifting(double rate, double dtod, double limit) {
    return DevicePreset.named("rram-imbalanced").withDrift(new DevicePreset.Drift(rate, dtod, limit));
  }

  private static double ratio(EmulatorDriver.DeviceParams p) {
    return (p.aUp() / p.bMax()) / (p.aDown() / -p.bMin());
  }

  /**
   * Each pulse of a drifting device is the soft-bound step with the steps its count has reached: with no
   * cycle-to-cycle noise an UP pulse leaves (G_max - G)(1 - a_up / b_max) to the top, a DOWN pulse
   * (G - G_min)(1 - a_down / -b_min) to the bottom, computed here from the device's parameters before each pulse.
   */
  @Test
  void everyPulseOfADriftingDeviceIsTheSoftBoundStepOfItsCurrentSteps() throws Exception {
    DevicePreset p = drifting(100, 0, 1.0).withNoise(0, 0, 0);
    try (EmulatorDriver d = EmulatorDriver.open(p, GEOMETRY, 3)) {
      Cell c = Cell.active(0, 2, 1);
      double gMax = d.info().gMaxSiemens();
      double gMin = d.info().gMinSiemens();
      double window = gMax - gMin;
      for (int i = 0; i < 300; i++) {
        boolean up = i % 3 != 2;
        EmulatorDriver.DeviceParams q = d.truth().params(c);
        double g = d.truth().conductance(c);
        double expected = up ? gMax - (gMax - g) * (1 - q.aUp() / q.bMax()) : gMin + (g - gMin) * (1 - q.aDown() / -q.bMin());
        d.pulse(c, up ? UP : DOWN, 1);
        assertEquals(expected, d.truth().conductance(c), 1e-6 * window, "pulse " + i);
      }
    }
  }

  @Test
  void theUpDownRatioMovesByTheStatedRatePerMillionPulsesAndTheSymmetryPointFollows() throws Exception {
    double rate = 0.4;
    try (EmulatorDriver d = EmulatorDriver.open(drifting(rate, 0, 1.0), GEOMETRY, 3)) {
      Cell c = Cell.active(0, 1, 2);
      double q0 = ratio(d.truth().params(c));
      double sp0 = d.truth().symmetryPointSiemens(c);
      for (int i = 0; i < 2_000; i++) {
        d.pulse(c, UP, 100);
        d.pulse(c, DOWN, 100);
      }
      long n = d.truth().pulsesSeen(c);
      assertEquals(400_000, n);
      double q = ratio(d.truth().params(c));
      // steps are kept as floats: 7 significant digits
      assertEquals(rate * n / 1e6, Math.log(q / q0), 1e-5);
      double p = q / (1 + q);
      double window = d.info().gMaxSiemens() - d.info().gMinSiemens();
      assertEquals(d.info().gMinSiemens() + window * p, d.truth().symmetryPointSiemens(c), 1e-6 * window);
      assertTrue(d.truth().symmetryPointSiemens(c) > sp0 + 0.02 * window, "a positive rate moves the symmetry point up");
      // another device, never pulsed, has not moved
      assertEquals(0, d.truth().pulsesSeen(Cell.active(0, 0, 0)));
    }
  }

  @Test
  void theDriftStopsAtItsLimit() throws Exception {
    try (EmulatorDriver d = EmulatorDriver.open(drifting(50, 0, 0.2), GEOMETRY, 3)) {
      Cell c = Cell.active(0, 0, 1);
      double q0 = ratio(d.truth().params(c));
      d.pulse(c, UP, 10_000);
      d.pulse(c, DOWN, 10_000);
      assertEquals(0.2, Math.log(ratio(d.truth().params(c)) / q0), 1e-5);
    }
  }

  @Test
  void aDriftingPresetStartsWithTheDevicesOfThePresetWithoutDrift() {
    try (EmulatorDriver plain = EmulatorDriver.open(DevicePreset.named("rram-imbalanced"), GEOMETRY, 9);
        EmulatorDriver drift = EmulatorDriver.open(drifting(0.3, 0.2, 1.0), GEOMETRY, 9)) {
      for (Plane pl : Plane.values()) {
        for (int r = 0; r < 4; r++) {
          for (int col = 0; col < 4; col++) {
            Cell c = new Cell(0, pl, r, col);
            assertEquals(plain.truth().params(c), drift.truth().params(c), c.toString());
            assertEquals(plain.truth().conductance(c), drift.truth().conductance(c), c.toString());
          }
        }
      }
    }
  }

  @Test
  void devicesDrawTheirOwnRatesAndParallelUpdatesCountTheirPulses() throws Exception {
    try (EmulatorDriver d = EmulatorDriver.open(drifting(0, 2.0, 1.0), GEOMETRY, 5)) {
      Tile t = new Tile(0, 0, 0, 4, 4);
      StochasticUpdate u = StochasticUpdate.uniform(4, 4, Polarity.UP, UP, DOWN);
      StochasticUpdate v = StochasticUpdate.uniform(4, 4, Polarity.DOWN, UP, DOWN);
      double[] q0 = new double[16];
      for (int k = 0; k < 16; k++) q0[k] = ratio(d.truth().params(Cell.active(0, k / 4, k % 4)));
      for (int i = 0; i < 5_000; i++) {
        d.parallelUpdate(t, Plane.ACTIVE, u);
        d.parallelUpdate(t, Plane.ACTIVE, v);
      }
      int up = 0;
      int down = 0;
      for (int k = 0; k < 16; k++) {
        Cell c = Cell.active(0, k / 4, k % 4);
        assertEquals(10_000, d.truth().pulsesSeen(c), c.toString());
        double h = Math.log(ratio(d.truth().params(c)) / q0[k]);
        if (h > 0) up++;
        if (h < 0) down++;
      }
      assertTrue(up > 2 && down > 2, "a zero mean rate with a spread moves devices both ways: " + up + " up, " + down + " down");
    }
  }

  @Test
  void nPulsesInOneCallEqualNCallsOfOnePulse() throws Exception {
    try (EmulatorDriver a = EmulatorDriver.open(drifting(20, 5, 1.0), GEOMETRY, 4);
        EmulatorDriver b = EmulatorDriver.open(drifting(20, 5, 1.0), GEOMETRY, 4)) {
      Cell c = Cell.active(0, 3, 3);
      a.pulse(c, UP, 500);
      for (int i = 0; i < 500; i++) b.pulse(c, UP, 1);
      assertEquals(a.truth().conductance(c), b.truth().conductance(c));
      assertEquals(a.truth().params(c), b.truth().params(c));
    }
  }

  @Test
  void aSavedStateCarriesThePulseCountsSoARestoredChipDriftsOnBitForBit() throws Exception {
    DevicePreset p = drifting(30, 10, 1.0);
    try (EmulatorDriver a = EmulatorDriver.open(p, GEOMETRY, 8); EmulatorDriver b = EmulatorDriver.open(p, GEOMETRY, 8)) {
      Cell c = Cell.active(0, 2, 1);
      Cell ref = Cell.reference(0, 2, 1);
      for (int i = 0; i < 300; i++) {
        a.pulse(c, UP, 50);
        a.pulse(c, DOWN, 50);
        a.pulse(ref, DOWN, 7);
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      a.writeState(new DataOutputStream(bytes));
      b.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      assertEquals(a.truth().params(c), b.truth().params(c));
      assertEquals(a.truth().params(ref), b.truth().params(ref));
      for (int i = 0; i < 100; i++) {
        for (EmulatorDriver d : new EmulatorDriver[] {a, b}) {
          d.pulse(c, UP, 20);
          d.pulse(c, DOWN, 20);
        }
      }
      assertEquals(a.truth().conductance(c), b.truth().conductance(c));
      assertEquals(a.truth().symmetryPointSiemens(c), b.truth().symmetryPointSiemens(c));
      assertEquals(a.truth().pulsesSeen(c), b.truth().pulsesSeen(c));
    }
  }

  @Test
  void theBoardUriSwitchesDriftOnAndRefusesABadRate() {
    SimDriverProvider provider = new SimDriverProvider();
    try (EmulatorDriver d = (EmulatorDriver) provider.open(BoardUri.parse("sim:rram-imbalanced?arrays=1&rows=2&cols=2&drift=0.5"))) {
      assertEquals(DevicePreset.Drift.ofRate(0.5), d.preset().drift());
      assertEquals(new DevicePreset.Drift(0.5, 0.25, 1.0), d.preset().drift());
    }
    try (EmulatorDriver d = (EmulatorDriver) provider.open(BoardUri.parse("sim:rram-imbalanced?arrays=1&rows=2&cols=2"))) {
      assertNull(d.preset().drift());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> provider.open(BoardUri.parse("sim:rram-imbalanced?arrays=1&rows=2&cols=2&drift=fast")));
    assertTrue(e.getMessage().contains("drift=fast (expected: a number -100 .. 100"), e.getMessage());
  }

  @Test
  void aPresetFileMayCarryADriftBlockAndABadOneIsRefused(@TempDir Path dir) throws Exception {
    String base = Files.readString(Path.of(SymmetryPointDriftTest.class.getResource("/presets/rram-imbalanced.json").toURI()));
    Path good = dir.resolve("good.json");
    Files.writeString(good, base.replaceFirst("\\{", "{ \"drift\": {\"logRatioPerMegapulse\": 0.3, \"logRatioPerMegapulseDtod\": 0.1, \"logRatioLimit\": 0.5},"));
    assertEquals(new DevicePreset.Drift(0.3, 0.1, 0.5), DevicePreset.resolve(good.toString()).drift());
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, base.replaceFirst("\\{", "{ \"drift\": {\"logRatioPerMegapulse\": 0.3, \"logRatioPerMegapulseDtod\": 0.1, \"logRatioLimit\": 0},"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DevicePreset.resolve(bad.toString()));
    assertTrue(e.getMessage().contains("drift.logRatioLimit: 0.0 (expected: > 0 and <= 3)"), e.getMessage());
    assertNotEquals(DevicePreset.named("rram-imbalanced"), DevicePreset.resolve(good.toString()));
  }
}
