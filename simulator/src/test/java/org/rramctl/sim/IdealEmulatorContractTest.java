package org.rramctl.sim;

import java.time.Duration;
import java.util.List;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;
import org.rramctl.driver.Pulse;

/** The driver contract on the "ideal" preset: identical, noise-free devices, so pulse counts are checked exactly. */
class IdealEmulatorContractTest extends CrossbarDriverContract {
  @Override
  protected CrossbarDriver openDriver() {
    return new EmulatorDriver(DevicePreset.named("ideal"), List.of(new int[] {8, 6}, new int[] {4, 4}), 42);
  }

  @Override
  protected boolean idealDevices() {
    return true;
  }

  @Override
  protected Pulse nominalUp() {
    return Pulse.up(1.0, Duration.ofNanos(100));
  }

  @Override
  protected double readVolts() {
    return 0.2;
  }
}
