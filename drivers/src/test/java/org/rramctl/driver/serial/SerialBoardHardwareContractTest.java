package org.rramctl.driver.serial;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.rramctl.driver.Boards;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;
import org.rramctl.driver.Pulse;

/**
 * The driver contract on real hardware: {@code RRAMCTL_HW_PORT=serial:/dev/ttyACM0?baud=115200 mvn verify}
 * (a bare path is taken as {@code serial:PATH}). Optional: {@code RRAMCTL_HW_PULSE_VOLTS},
 * {@code RRAMCTL_HW_PULSE_NANOS}, {@code RRAMCTL_HW_READ_VOLTS} for the board's nominal pulse and read.
 * Skipped when the variable is not set. Runs on the board's own hardware limits, no narrower envelope.
 */
@Tag("hardware")
@EnabledIfEnvironmentVariable(named = "RRAMCTL_HW_PORT", matches = ".+")
class SerialBoardHardwareContractTest extends CrossbarDriverContract {
  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  @Override
  protected CrossbarDriver openDriver() throws IOException {
    String port = System.getenv("RRAMCTL_HW_PORT");
    String uri = port.contains(":") && !port.startsWith("/") ? port : "serial:" + port;
    return Boards.open(uri, null).inner();
  }

  @Override
  protected Specified specified() {
    return new Specified(Pulse.up(Double.parseDouble(env("RRAMCTL_HW_PULSE_VOLTS", "1.0")), Duration.ofNanos(Long.parseLong(env("RRAMCTL_HW_PULSE_NANOS", "100")))), Double.parseDouble(env("RRAMCTL_HW_READ_VOLTS", "0.2")));
  }
}
