package org.rramctl.sim.scpi;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.scpi.SmuDriver;
import org.rramctl.driver.scpi.SmuSettings;
import org.rramctl.sim.DevicePreset;

/** The driver contract, for the operations an SMU has, against the simulated 2400 and 2600B. */
class SmuContractTest {
  static DevicePreset smuPreset() {
    return DevicePreset.named("rram-imbalanced").withNominalPulse(1.0, 1_000_000, 0.5);
  }

  abstract static class Base extends CrossbarDriverContract {
    abstract VirtualSmu.Model model();

    @Override
    protected CrossbarDriver openDriver() throws IOException {
      VirtualSmu smu = new VirtualSmu(model(), smuPreset(), 5);
      return SmuDriver.open(new InMemoryScpiChannel(smu), SmuSettings.defaults());
    }

    @Override
    protected Specified specified() {
      return new Specified(Pulse.up(1.0, Duration.ofMillis(1)), 0.2);
    }

    @Override
    protected boolean hasArrays() {
      return false;
    }
  }

  @Nested
  class Keithley2400 extends Base {
    @Override
    VirtualSmu.Model model() {
      return VirtualSmu.Model.K2400;
    }
  }

  @Nested
  class Keithley2600 extends Base {
    @Override
    VirtualSmu.Model model() {
      return VirtualSmu.Model.K2600;
    }
  }
}
