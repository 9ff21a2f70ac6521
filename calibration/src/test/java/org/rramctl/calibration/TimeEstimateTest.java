package org.rramctl.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rramctl.driver.Tile;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/** The time a run will take, counted from the search's operations at given per-operation times (no clock involved). */
class TimeEstimateTest {
  private static final CalibrationSettings DEFAULTS =
      CalibrationSettings.defaults(EmulatorDriver.open(DevicePreset.named("ideal"), List.of(new int[] {2, 2}), 1).info());

  /**
   * Per-device mode, 2 x 2 devices, 1 ms per command: a device converging at the first check gets the 128-pulse probe
   * each way (4 commands) and 2 reads around it, the 1,024 approach pairs, 2 x 2,048 pulses of alternation with a pair of
   * reads every 32 pairs (6,150 commands, 131 reads: 6.281 s); at the budget 16,384 - 256 - 2,048 = 14,080 pulses of
   * alternation (16,134 commands, 443 reads: 16.577 s). Model fit: 4 devices x 500 reads and pulse commands (4 s);
   * references: 4.5 reads and pulse commands per device (0.036 s).
   */
  @Test
  void perDeviceModeCountsEveryDevicesPulsesAndReads() {
    TimeEstimate e = TimeEstimate.count(List.of(new Tile(0, 0, 0, 2, 2)), DEFAULTS, Calibration.Mode.PER_DEVICE, 1e-3, 1e-3, 1e-3, 1e-3);
    assertEquals(4 * 6.281 + 4 + 0.036, e.fastSeconds(), 1e-9);
    assertEquals(4 * 16.577 + 4 + 0.036, e.budgetSeconds(), 1e-9);
  }

  /** Parallel mode: one tile's worth of commands whatever its size; only the references scale with the devices. */
  @Test
  void parallelModeCostsOneDevicesCommandsPerTile() {
    TimeEstimate small = TimeEstimate.count(List.of(new Tile(0, 0, 0, 2, 2)), DEFAULTS, Calibration.Mode.PARALLEL, 1e-3, 1e-3, 1e-3, 1e-3);
    TimeEstimate large = TimeEstimate.count(List.of(new Tile(0, 0, 0, 256, 256)), DEFAULTS, Calibration.Mode.PARALLEL, 1e-3, 1e-3, 1e-3, 1e-3);
    assertEquals(6.281 + 1 + 4 * 0.009, small.fastSeconds(), 1e-9);
    assertEquals(large.fastSeconds() - small.fastSeconds(), (65_536 - 4) * 0.009, 1e-6);
    assertTrue(large.budgetSeconds() > large.fastSeconds());
  }

  @Test
  void theBudgetsErrorFollowsTheMeasuredCurve() {
    assertEquals(0.28, TimeEstimate.emulatorP95PercentAt(16_384), 1e-12);
    double between = TimeEstimate.emulatorP95PercentAt(12_000);
    assertTrue(between < 0.42 && between > 0.28, "between the 8k and 16k points: " + between);
    assertEquals(0.19 / Math.sqrt(2), TimeEstimate.emulatorP95PercentAt(65_536), 1e-12);
  }
}
