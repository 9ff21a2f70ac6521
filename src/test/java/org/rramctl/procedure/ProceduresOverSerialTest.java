package org.rramctl.procedure;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.rramctl.sim.DevicePreset;

/**
 * Every procedure test again, through the serial driver and a virtual board on a real pseudo-terminal: the
 * results must match the emulator's known device parameters exactly as in-process.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProceduresOverSerialTest extends ProceduresOnEmulatorTest {
  @Override
  protected Bench open(DevicePreset preset, int rows, int cols) throws Exception {
    return Bench.overSerial(preset, rows, cols, dir);
  }

  @org.junit.jupiter.api.Test
  void theBoardIsReallyAtTheFarEndOfAPty() throws Exception {
    try (Bench b = open(DevicePreset.named("ideal"), 1, 1)) {
      org.junit.jupiter.api.Assertions.assertTrue(b.driver.info().protocolVersion() > 0, "spoke the firmware protocol: " + b.driver.info());
      org.junit.jupiter.api.Assertions.assertTrue(b.driver.inner() instanceof org.rramctl.driver.serial.SerialBoardDriver);
    }
  }
}
