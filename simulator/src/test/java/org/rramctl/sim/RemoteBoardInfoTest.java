package org.rramctl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.Tile;
import org.rramctl.driver.remote.ClientOptions;
import org.rramctl.driver.remote.DriverServer;
import org.rramctl.driver.remote.RemoteDriver;
import org.rramctl.driver.remote.ServerOptions;

/** What a remote client learns about a served emulator from its board info, checked against what it measures. */
class RemoteBoardInfoTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void theVectorReadsFullScaleIsInTheBoardInfoAndTheReadsSaturateThere() throws Exception {
    int adcBits = 10;
    DevicePreset preset = DevicePreset.named("aihwkit-like").withReadout(0.05, adcBits);
    try (EmulatorDriver emulator = EmulatorDriver.open(preset, List.of(new int[] {8, 6}), 42);
        DriverServer server = DriverServer.start(emulator, ServerOptions.of("tcp://127.0.0.1:*"));
        RemoteDriver client = RemoteDriver.open(server.endpoint(), ClientOptions.defaults().withLabel("info"))) {
      double fullScale = client.info().vectorReadFullScaleAmps();
      assertEquals(EmulatorDriver.vectorFullScaleAmps(preset), fullScale, "the served board's value reaches the client");
      assertTrue(fullScale > 0);
      double[] volts = new double[8];
      Arrays.fill(volts, 0.5);
      double[] currents = client.forwardRead(new Tile(0, 0, 0, 8, 6), ReadMode.ACTIVE, volts);
      double step = 2 * fullScale / ((1 << adcBits) - 1);
      for (double i : currents) {
        assertTrue(i <= fullScale && i >= fullScale - step, "saturated within one ADC step below the full scale: " + i + " A vs " + fullScale + " A");
      }
    }
  }
}
