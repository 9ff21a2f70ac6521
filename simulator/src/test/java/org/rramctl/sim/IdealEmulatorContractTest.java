package org.rramctl.sim;

import java.util.List;
import org.rramctl.driver.CrossbarDriver;

/** The driver contract on the "ideal" preset: identical, noise-free devices, so pulse counts are checked exactly. */
class IdealEmulatorContractTest extends EmulatorDriverContractTest {
  @Override
  protected CrossbarDriver openDriver() {
    return EmulatorDriver.open(DevicePreset.named("ideal"), List.of(new int[] {8, 6}, new int[] {4, 4}), 42);
  }

  @Override
  protected boolean idealDevices() {
    return true;
  }
}
