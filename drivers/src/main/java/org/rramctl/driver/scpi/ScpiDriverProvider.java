package org.rramctl.driver.scpi;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.rramctl.driver.BoardUri;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverProvider;
import org.rramctl.driver.transport.SerialPortTransport;
import org.rramctl.driver.transport.TcpTransport;
import org.rramctl.driver.transport.Transport;

/**
 * Opens a source-measure unit: {@code scpi:serial:/dev/ttyUSB0?baud=9600&model=auto} or
 * {@code scpi:tcp://host:5025} (raw SCPI socket). Optional: {@code compliance=AMPS} (default 1e-3),
 * {@code gmin=S&gmax=S} (the devices' conductance window, default 1e-6..1e-4), {@code timeout=MS}
 * (reply timeout, default 3000).
 */
public final class ScpiDriverProvider implements DriverProvider {
  @Override
  public List<String> schemes() {
    return List.of("scpi");
  }

  @Override
  public String usage() {
    return "scpi:serial:PORT?baud=9600&model=auto|2400|2600 or scpi:tcp://HOST:5025 (Keithley 2400 / 2600B source-measure units)";
  }

  @Override
  public CrossbarDriver open(BoardUri uri) throws IOException {
    for (String key : uri.params().keySet()) {
      if (!List.of("baud", "model", "compliance", "gmin", "gmax", "timeout").contains(key)) {
        throw new IllegalArgumentException("board: '" + uri + "': unknown parameter '" + key + "' (expected: baud, model, compliance, gmin, gmax, timeout)");
      }
    }
    String model = uri.param("model", "auto");
    double compliance = number(uri, "compliance", 1e-3);
    double gmin = number(uri, "gmin", 1e-6);
    double gmax = number(uri, "gmax", 1e-4);
    Duration timeout = Duration.ofMillis(uri.intParam("timeout", 3000, 1, 600_000));
    Transport t;
    String path = uri.path();
    if (path.startsWith("serial:")) {
      String port = path.substring("serial:".length());
      if (port.isBlank()) throw new IllegalArgumentException("board: '" + uri + "': no port (expected: scpi:serial:/dev/ttyUSB0)");
      t = SerialPortTransport.open(port, uri.intParam("baud", 9600, 300, 4_000_000));
    } else if (path.startsWith("tcp:")) {
      t = TcpTransport.connect(path);
    } else {
      throw new IllegalArgumentException("board: '" + uri + "' (expected: " + usage() + ")");
    }
    TransportScpiChannel channel = new TransportScpiChannel(t, timeout);
    try {
      channel.purge();
      return SmuDriver.open(channel, SmuSettings.defaults().withModel(model).withComplianceAmps(compliance).withConductanceWindowSiemens(gmin, gmax));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static double number(BoardUri uri, String key, double fallback) {
    String v = uri.params().get(key);
    if (v == null) return fallback;
    try {
      double d = Double.parseDouble(v);
      if (!(d > 0) || Double.isInfinite(d)) throw new NumberFormatException();
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("board: '" + uri + "': " + key + "=" + v + " (expected: a positive number)");
    }
  }
}
