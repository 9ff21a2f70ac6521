package org.rramctl.sim;

import java.util.List;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;

class EmulatorDriverContractTest extends CrossbarDriverContract {
  @Override
  protected CrossbarDriver openDriver() {
    return EmulatorDriver.open(DevicePreset.named("aihwkit-like"), List.of(new int[] {8, 6}, new int[] {4, 4}), 42);
  }

  @Override
  protected Specified specified() {
    return Specified.EMULATOR;
  }
}
