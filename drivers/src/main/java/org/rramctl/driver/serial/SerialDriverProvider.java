package org.rramctl.driver.serial;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.rramctl.driver.BoardUri;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverProvider;
import org.rramctl.driver.transport.SerialPortTransport;
import org.rramctl.driver.transport.TcpTransport;

/**
 * Opens {@link SerialBoardDriver}s for {@code serial:PATH[?baud=115200&dtr=clear|keep&boot=MS&timeout=MS]}
 * (a serial port or a pseudo-terminal; {@code dtr=keep} with {@code boot=2000} waits out the bootloader
 * of an Arduino-class board that resets on open anyway) and {@code tcp://HOST:PORT[?timeout=MS]} (a
 * board behind ser2net, or {@code rramctl virtual-board --tcp}).
 */
public final class SerialDriverProvider implements DriverProvider {
  private static final Set<String> SERIAL_KEYS = Set.of("baud", "dtr", "boot", "timeout");
  private static final Set<String> TCP_KEYS = Set.of("timeout");

  @Override
  public List<String> schemes() {
    return List.of("serial", "tcp");
  }

  @Override
  public String usage() {
    return "serial:PATH[?baud=115200&dtr=clear|keep&boot=MS&timeout=MS] or tcp://HOST:PORT[?timeout=MS]";
  }

  @Override
  public CrossbarDriver open(BoardUri uri) throws IOException {
    return SerialBoardDriver.open(opener(uri), settings(uri));
  }

  /** The transport opener a URI names, checked before anything is opened. */
  public static SerialBoardDriver.Opener opener(BoardUri uri) {
    if (uri.scheme().equals("tcp")) {
      checkKeys(uri, TCP_KEYS);
      String rest = uri.path().startsWith("//") ? uri.path().substring(2) : uri.path();
      int colon = rest.lastIndexOf(':');
      if (colon <= 0) throw new IllegalArgumentException("board: '" + uri + "' (expected: tcp://HOST:PORT)");
      String host = rest.substring(0, colon).replace("[", "").replace("]", "");
      int port;
      try {
        port = Integer.parseInt(rest.substring(colon + 1));
        if (port < 1 || port > 65_535) throw new NumberFormatException();
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("board: '" + uri + "': port '" + rest.substring(colon + 1) + "' (expected: 1..65535)");
      }
      return () -> TcpTransport.connect(host, port, TcpTransport.DEFAULT_CONNECT_TIMEOUT);
    }
    if (!uri.scheme().equals("serial")) throw new IllegalArgumentException("board: '" + uri + "': scheme (expected: serial: or tcp:)");
    checkKeys(uri, SERIAL_KEYS);
    String path = uri.path();
    if (path.isBlank()) throw new IllegalArgumentException("board: '" + uri + "' (expected: serial:PATH, e.g. serial:/dev/ttyACM0)");
    int baud = uri.intParam("baud", 115_200, 50, 20_000_000);
    String dtr = uri.param("dtr", "clear");
    if (!dtr.equals("clear") && !dtr.equals("keep")) throw new IllegalArgumentException("board: '" + uri + "': dtr=" + dtr + " (expected: clear or keep)");
    int bootMillis = uri.intParam("boot", 0, 0, 60_000);
    SerialPortTransport.Options options = SerialPortTransport.Options.of(baud).withClearDtr(dtr.equals("clear")).withBootloaderWait(Duration.ofMillis(bootMillis));
    return () -> SerialPortTransport.open(path, options);
  }

  /**
   * The session settings a URI names: its baud rate (for line-time budgets) and, when {@code timeout=MS} is
   * given, the response timeout; without it the session derives the timeout from the board's watchdog.
   */
  public static SessionSettings settings(BoardUri uri) {
    SessionSettings s = SessionSettings.defaults().withBaudRate(uri.scheme().equals("serial") ? uri.intParam("baud", 115_200, 50, 20_000_000) : 1_000_000_000);
    return uri.params().containsKey("timeout") ? s.withResponseTimeout(Duration.ofMillis(uri.intParam("timeout", 1000, 1, 600_000))) : s;
  }

  private static void checkKeys(BoardUri uri, Set<String> allowed) {
    for (String key : uri.params().keySet()) {
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException("board: '" + uri + "': unknown parameter '" + key + "' (expected: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
  }
}
