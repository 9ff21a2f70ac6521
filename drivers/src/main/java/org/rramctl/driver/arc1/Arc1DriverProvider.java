package org.rramctl.driver.arc1;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.rramctl.driver.BoardUri;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverProvider;
import org.rramctl.driver.transport.SerialPortTransport;
import org.rramctl.driver.transport.TcpTransport;
import org.rramctl.driver.transport.Transport;

/**
 * Opens an ArC ONE: {@code arc1:/dev/ttyACM0} (USB serial, 921600 baud, even parity) or
 * {@code arc1:tcp://HOST:PORT} (a serial-to-TCP bridge). Parameters, all optional, defaults libarc1's:
 * {@code words}, {@code bits} (the crossbar connected, 1..32, default 32), {@code readVolts} (0.5),
 * {@code readMode} (classic, tia, tia4p; default tia4p), {@code readCycles} (30), {@code sneakPath} (third,
 * half, float; default third), {@code writeDelay} (ms after each unanswered command, default 1),
 * {@code resetWait} (ms after a reset, default 2000), {@code timeout} (ms for an answer, default 7000),
 * {@code parity} (even, none, auto; default auto: even, but none on a pseudo-terminal, which has no wire to carry
 * a parity bit and refuses the setting), {@code baud} (921600),
 * {@code gmin}, {@code gmax} (the devices' conductance window, siemens, default 1e-6 .. 1e-4).
 */
public final class Arc1DriverProvider implements DriverProvider {
  static final List<String> KEYS = List.of("words", "bits", "readVolts", "readMode", "readCycles", "sneakPath", "writeDelay", "resetWait", "timeout",
      "parity", "baud", "gmin", "gmax");

  @Override
  public List<String> schemes() {
    return List.of("arc1");
  }

  @Override
  public String usage() {
    return "arc1:/dev/ttyACM0 or arc1:tcp://HOST:PORT [?words=32&bits=32&readVolts=0.5&readMode=tia4p&readCycles=30&sneakPath=third&writeDelay=1&parity=auto]"
        + " (ArC ONE)";
  }

  @Override
  public CrossbarDriver open(BoardUri uri) throws IOException {
    for (String key : uri.params().keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("board: '" + uri + "': unknown parameter '" + key + "' (expected: " + String.join(", ", KEYS) + ")");
      }
    }
    Arc1Settings s = settings(uri);
    double gmin = number(uri, "gmin", 1e-6, true);
    double gmax = number(uri, "gmax", 1e-4, true);
    if (!(gmax > gmin)) throw new IllegalArgumentException("board: '" + uri + "': gmin=" + gmin + " gmax=" + gmax + " (expected: gmin < gmax)");
    String parity = uri.param("parity", "auto").toLowerCase(Locale.ROOT);
    if (!parity.equals("even") && !parity.equals("none") && !parity.equals("auto")) {
      throw new IllegalArgumentException("board: '" + uri + "': parity=" + parity + " (expected: even, none or auto)");
    }
    int baud = uri.intParam("baud", 921_600, 300, 4_000_000);
    String path = uri.path();
    if (path.isBlank()) throw new IllegalArgumentException("board: '" + uri + "': no port (expected: " + usage() + ")");
    Transport t;
    if (path.startsWith("tcp:")) {
      t = TcpTransport.connect(path);
    } else {
      SerialPortTransport.Options o = SerialPortTransport.Options.of(baud)
          .withParity(parity.equals("even") || parity.equals("auto") && !isPseudoTerminal(path) ? SerialPortTransport.Parity.EVEN : SerialPortTransport.Parity.NONE);
      t = SerialPortTransport.open(path, o);
    }
    return Arc1Driver.open(t, s, gmin, gmax);
  }

  /** Whether {@code path} (a device node or a symlink to one) is a Unix 98 pseudo-terminal slave. */
  static boolean isPseudoTerminal(String path) {
    try {
      return java.nio.file.Path.of(path).toRealPath().startsWith("/dev/pts/");
    } catch (IOException | RuntimeException e) {
      return false; // the open that follows names the port
    }
  }

  /** The settings a URI asks for; bad values throw naming the parameter. */
  static Arc1Settings settings(BoardUri uri) {
    Arc1Settings d = Arc1Settings.defaults();
    int words = uri.intParam("words", d.words(), 1, Arc1Wire.MAX_LINES);
    int bits = uri.intParam("bits", d.bits(), 1, Arc1Wire.MAX_LINES);
    int cycles = uri.intParam("readCycles", d.readCycles(), 1, 1000);
    Arc1Settings.ReadMode mode = choice(uri, "readMode", Arc1Settings.ReadMode.class, d.readMode());
    Arc1Settings.SneakPath sneak = choice(uri, "sneakPath", Arc1Settings.SneakPath.class, d.sneakPath());
    double volts = number(uri, "readVolts", d.readVolts(), true);
    if (volts > Arc1Driver.MAX_VOLTS) {
      throw new IllegalArgumentException("board: '" + uri + "': readVolts=" + volts + " (expected: 0 < V <= " + Arc1Driver.MAX_VOLTS + ")");
    }
    try {
      Arc1Wire.exact("readVolts", volts, "V");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("board: '" + uri + "': " + e.getMessage());
    }
    Duration writeDelay = millis(uri, "writeDelay", d.writeDelay());
    Duration resetWait = millis(uri, "resetWait", d.resetWait());
    Duration timeout = millis(uri, "timeout", d.replyTimeout());
    if (timeout.toMillis() < 1) throw new IllegalArgumentException("board: '" + uri + "': timeout=" + uri.param("timeout", "") + " (expected: >= 1 ms)");
    return new Arc1Settings(words, bits, cycles, mode, sneak, volts, writeDelay, resetWait, timeout);
  }

  private static <E extends Enum<E>> E choice(BoardUri uri, String key, Class<E> type, E fallback) {
    String v = uri.params().get(key);
    if (v == null) return fallback;
    StringBuilder allowed = new StringBuilder();
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v.trim())) return e;
      allowed.append(allowed.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
    }
    throw new IllegalArgumentException("board: '" + uri + "': " + key + "=" + v + " (expected: " + allowed + ")");
  }

  private static Duration millis(BoardUri uri, String key, Duration fallback) {
    String v = uri.params().get(key);
    if (v == null) return fallback;
    double ms;
    try {
      ms = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      ms = Double.NaN;
    }
    if (!(ms >= 0) || ms > 600_000) throw new IllegalArgumentException("board: '" + uri + "': " + key + "=" + v + " (expected: milliseconds, 0 .. 600000)");
    return Duration.ofNanos(Math.round(ms * 1e6));
  }

  private static double number(BoardUri uri, String key, double fallback, boolean positive) {
    String v = uri.params().get(key);
    if (v == null) return fallback;
    double d;
    try {
      d = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      d = Double.NaN;
    }
    if (!(positive ? d > 0 : d >= 0) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("board: '" + uri + "': " + key + "=" + v + " (expected: a positive number)");
    }
    return d;
  }
}
