package org.rramctl.sim;

import java.time.Duration;
import java.util.List;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;
import org.rramctl.driver.Pulse;

class EmulatorDriverContractTest extends CrossbarDriverContract {
  @Override
  protected CrossbarDriver openDriver() {
    return EmulatorDriver.open(DevicePreset.named("aihwkit-like"), List.of(new int[] {8, 6}, new int[] {4, 4}), 42);
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
