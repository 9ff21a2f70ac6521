package org.rramctl.firmware;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.driver.transport.SerialPortTransport;

/**
 * The driver contract against the reference firmware in C (its host port, a soft-bound model behind the HAL), over
 * a real pseudo-terminal opened by jSerialComm, as a lab board on a USB port would be: an 8 x 6 and a 4 x 4 array,
 * streamed in parts of 5 values so that every row, column and array read arrives in several frames.
 */
class FirmwareContractTest extends CrossbarDriverContract {
  @TempDir Path dir;
  private FirmwareHost firmware;

  /**
   * The firmware's options (geometry, model, streaming); variants add to them. A 10 s watchdog, as for every test not
   * about the watchdog: the host waits a quarter of it for an answer, longer than a loaded machine keeps the firmware
   * process from the CPU (FirmwareCalibrationAndTrainingTest).
   */
  protected java.util.List<String> firmwareOptions() {
    return java.util.List.of("--geometry", "8x6,4x4", "--seed", "42", "--preset", "aihwkit-like", "--part", "5", "--watchdog", "10000");
  }

  /** The firmware build to test; the sanitized variant overrides it. */
  protected Path binary() {
    return FirmwareHost.binary();
  }

  @Override
  protected CrossbarDriver openDriver() throws IOException {
    firmware = FirmwareHost.start(binary(), dir, firmwareOptions().toArray(String[]::new));
    String path = firmware.pty().toString();
    return SerialBoardDriver.open(() -> SerialPortTransport.open(path, 115_200), SessionSettings.defaults());
  }

  @AfterEach
  void closeTheFirmwareToo() {
    driver.close();
    try {
      firmware.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected Specified specified() {
    return Specified.EMULATOR;
  }
}
