package org.rramctl.driver.transport;

import com.fazecast.jSerialComm.SerialPort;
import com.fazecast.jSerialComm.SerialPortInvalidPortException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rramctl.driver.LinkLostException;

/**
 * A {@link Transport} over a serial port (USB CDC, RS-232 adapter, or the slave side of a
 * pseudo-terminal) through jSerialComm. This is the only class in the project that imports
 * {@code com.fazecast}: jSerialComm's {@code false} / {@code -1} returns and
 * {@code getLastErrorCode()} become {@link SerialPortException}, {@link LinkLostException} or
 * {@link TransportClosedException}, all naming the port.
 *
 * <p>Opening: 8 data bits, one stop bit, no parity unless {@link Options#withParity} asks for even parity
 * (the ArC ONE runs 8E1), no flow control; DTR is cleared before the port opens so that Arduino-class boards
 * do not reset (or, for boards that reset anyway, {@link Options#withBootloaderWait} waits out the
 * bootloader); stale input is purged before {@link #open} returns.
 *
 * <p>Reads use jSerialComm's semi-blocking mode: they return what is there, or 0 after the timeout.
 * A read whose timeout differs from the previous one reconfigures the port (a native call), so a
 * session's reader loop should use one steady timeout and keep its own deadlines.
 * {@link #close()} from another thread unblocks a blocked read (jSerialComm ignores
 * {@code Thread.interrupt()}). A peer that disappears (USB device unplugged, pty master closed) makes
 * reads fail with {@link LinkLostException}; a peer that merely stops talking is only noticed by the
 * session's heartbeat. A write that makes no progress for {@link Options#writeTimeout()} is reported
 * as a lost link: with flow control off, a serial device that stops draining its input is gone or hung.
 *
 * <p>Thread rules are those of {@link Transport}. The caller of {@link #open} closes.
 */
public final class SerialPortTransport implements Transport {

  static {
    // jSerialComm otherwise extracts its native library into a shared, world-writable temp folder;
    // a per-application folder keeps other users' copies out of our process.
    if (System.getProperty("fazecast.jSerialComm.appid") == null) {
      System.setProperty("fazecast.jSerialComm.appid", "rramctl");
    }
  }

  /**
   * How to open a port.
   *
   * @param baudRate bits per second (ignored by pseudo-terminals and USB CDC, which run at bus speed)
   * @param clearDtr clear DTR before opening, so that Arduino-class boards do not reset
   * @param bootloaderWait how long to wait after opening before purging, for boards that reset on
   *     open anyway (about 2 s for an Arduino bootloader); zero for none
   * @param writeTimeout the longest a write may make no progress before the link is reported lost
   * @param parity the parity bit ({@link Parity#NONE} for pseudo-terminals, which refuse parity)
   */
  public record Options(int baudRate, boolean clearDtr, Duration bootloaderWait, Duration writeTimeout, Parity parity) {
    public Options {
      if (parity == null) throw new IllegalArgumentException("parity: null (expected: NONE or EVEN)");
      if (baudRate < 1) throw new IllegalArgumentException("baudRate: " + baudRate + " (expected: >= 1)");
      if (bootloaderWait == null || bootloaderWait.isNegative()) {
        throw new IllegalArgumentException("bootloaderWait: " + bootloaderWait + " (expected: zero or positive)");
      }
      if (writeTimeout == null || writeTimeout.toMillis() < 1) {
        throw new IllegalArgumentException("writeTimeout: " + writeTimeout + " (expected: at least 1 ms)");
      }
    }

    /** {@code baudRate}, DTR cleared, no bootloader wait, a 5 s write timeout. */
    public static Options of(int baudRate) {
      return new Options(baudRate, true, Duration.ZERO, Duration.ofSeconds(5), Parity.NONE);
    }

    public Options withClearDtr(boolean clear) {
      return new Options(baudRate, clear, bootloaderWait, writeTimeout, parity);
    }

    public Options withBootloaderWait(Duration wait) {
      return new Options(baudRate, clearDtr, wait, writeTimeout, parity);
    }

    public Options withWriteTimeout(Duration timeout) {
      return new Options(baudRate, clearDtr, bootloaderWait, timeout, parity);
    }

    public Options withParity(Parity p) {
      return new Options(baudRate, clearDtr, bootloaderWait, writeTimeout, p);
    }
  }

  /** The parity bit of each character. */
  public enum Parity {
    NONE,
    EVEN
  }

  /** A serial port the operating system lists: its path (e.g. {@code /dev/ttyACM0}) and a description. */
  public record PortInfo(String path, String description) {}

  private static final int MODE = SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING;
  private static final AtomicBoolean SHUTDOWN_HOOK = new AtomicBoolean();

  private final SerialPort port;
  private final String endpoint;
  private final int writeTimeoutMillis;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile LinkLostException lost; // the first loss seen; later calls fail fast with it
  private final byte[] purgeScratch = new byte[4096]; // reader thread only
  private int readTimeoutMillis; // reader thread only: avoids reconfiguring the port on every read

  private SerialPortTransport(SerialPort port, String endpoint, int readTimeoutMillis, int writeTimeoutMillis) {
    this.port = port;
    this.endpoint = endpoint;
    this.readTimeoutMillis = readTimeoutMillis;
    this.writeTimeoutMillis = writeTimeoutMillis;
  }

  /** Opens {@code path} at {@code baudRate} with the defaults of {@link Options#of}. */
  public static SerialPortTransport open(String path, int baudRate) throws IOException {
    return open(path, Options.of(baudRate));
  }

  /**
   * Opens the serial port at {@code path} (a device node or a symlink to one, e.g. a pty slave).
   *
   * @throws SerialPortException if the port does not exist, is busy, or cannot be configured
   * @throws org.rramctl.driver.LinkLostException if jSerialComm's native library cannot be loaded on this machine
   */
  public static SerialPortTransport open(String path, Options options) throws IOException {
    if (path == null || path.isBlank()) throw new IllegalArgumentException("path: '" + path + "' (expected: a serial port such as /dev/ttyACM0)");
    SerialPort port;
    try {
      port = SerialPort.getCommPort(path);
    } catch (SerialPortInvalidPortException e) {
      throw new SerialPortException(path, "open", -1, "no such port: " + e.getMessage());
    } catch (LinkageError e) {
      throw new LinkLostException(path, "jSerialComm's native library could not be loaded: " + e, e);
    }
    // jSerialComm runs the hooks given to it, and waits for them, before it releases its native library at
    // JVM shutdown: this one holds the release back while an abort still needs the port (ShutdownHold).
    if (SHUTDOWN_HOOK.compareAndSet(false, true)) {
      SerialPort.addShutdownHook(new Thread(() -> ShutdownHold.awaitReleased(ShutdownHold.MAX_WAIT), "rramctl-serial-shutdown-hold"));
    }
    int initialReadMillis = 100;
    int writeMillis = (int) Math.min(options.writeTimeout().toMillis(), Integer.MAX_VALUE);
    // Settings made before openPort() are stored and applied by it, so DTR is never raised.
    port.setComPortParameters(options.baudRate(), 8, SerialPort.ONE_STOP_BIT,
        options.parity() == Parity.EVEN ? SerialPort.EVEN_PARITY : SerialPort.NO_PARITY);
    port.setFlowControl(SerialPort.FLOW_CONTROL_DISABLED);
    port.setComPortTimeouts(MODE, initialReadMillis, writeMillis);
    if (options.clearDtr()) port.clearDTR();
    if (!port.openPort(0)) {
      // A port that is already open elsewhere or lacks permission lands here.
      throw new SerialPortException(path, "open", port.getLastErrorCode(), "jSerialComm source line " + port.getLastErrorLocation() + "; busy, missing or no permission?");
    }
    // openPort() succeeding leaves getLastErrorCode() at 25 (ENOTTY) on ptys: harmless, not checked.
    SerialPortTransport transport = new SerialPortTransport(port, path, initialReadMillis, writeMillis);
    try {
      if (!options.bootloaderWait().isZero()) {
        try {
          Thread.sleep(options.bootloaderWait().toMillis()); // the board is booting; nothing to wait on
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException(path + ": interrupted while waiting for the bootloader");
        }
      }
      port.flushIOBuffers();
      transport.purgeInput();
      return transport;
    } catch (IOException | RuntimeException e) {
      transport.close();
      throw e;
    }
  }

  /**
   * The serial ports the operating system lists, for {@code rramctl ports}. Pseudo-terminals are not
   * listed (jSerialComm does not see them); open them by path.
   *
   * @throws org.rramctl.driver.LinkLostException if jSerialComm's native library cannot be loaded on this machine
   */
  public static List<PortInfo> listPorts() throws IOException {
    SerialPort[] ports;
    try {
      ports = SerialPort.getCommPorts();
    } catch (LinkageError e) {
      throw new LinkLostException("serial", "jSerialComm's native library could not be loaded: " + e, e);
    }
    List<PortInfo> list = new ArrayList<>(ports.length);
    for (SerialPort p : ports) {
      String description = p.getPortDescription();
      if (description == null || description.isBlank()) description = p.getDescriptivePortName();
      list.add(new PortInfo(p.getSystemPortPath(), description));
    }
    return List.copyOf(list);
  }

  @Override
  public void write(byte[] bytes, int offset, int len) throws IOException {
    Transport.checkRange(bytes, offset, len);
    while (len > 0) {
      checkUsable();
      int n = port.writeBytes(bytes, len, offset);
      if (n <= 0) {
        // -1, or 0 with an error code (EIO once a pty master is gone): the device is gone.
        // 0 without one: no progress within the write timeout.
        int code = port.getLastErrorCode();
        throw lostOrClosed(n < 0 || code != 0
            ? "write returned " + n
            : "no write progress in " + writeTimeoutMillis + " ms");
      }
      offset += n;
      len -= n;
    }
  }

  @Override
  public int read(byte[] buffer, int offset, int len, Duration timeout) throws IOException {
    Transport.checkRange(buffer, offset, len);
    Transport.checkTimeout(timeout);
    checkUsable();
    if (len == 0) return 0;
    if (timeout.isZero()) {
      int available = port.bytesAvailable();
      if (available < 0) throw lostOrClosed("bytesAvailable returned -1");
      if (available == 0) return 0;
      len = Math.min(len, available); // data is there, so the semi-blocking read returns at once
    } else {
      int millis = Timeouts.millisCeil(timeout); // >= 1: jSerialComm treats 0 as "wait forever"
      if (millis != readTimeoutMillis) {
        if (!port.setComPortTimeouts(MODE, millis, writeTimeoutMillis)) {
          if (closed.get()) throw new TransportClosedException(endpoint);
          throw new SerialPortException(endpoint, "set timeouts", port.getLastErrorCode(), "jSerialComm source line " + port.getLastErrorLocation());
        }
        readTimeoutMillis = millis;
      }
    }
    int n = port.readBytes(buffer, len, offset);
    if (n < 0) throw lostOrClosed("read returned -1");
    return n;
  }

  @Override
  public void purgeInput() throws IOException {
    checkUsable();
    int available;
    while ((available = port.bytesAvailable()) > 0) {
      if (port.readBytes(purgeScratch, Math.min(available, purgeScratch.length), 0) < 0) {
        throw lostOrClosed("read returned -1 while purging");
      }
    }
    if (available < 0) throw lostOrClosed("bytesAvailable returned -1 while purging");
  }

  @Override
  public boolean isOpen() {
    return !closed.get();
  }

  @Override
  public String endpoint() {
    return endpoint;
  }

  /** Closes the port; a read blocked in another thread returns within about a millisecond. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) port.closePort();
  }

  @Override
  public String toString() {
    return "SerialPortTransport[" + endpoint + (closed.get() ? ", closed" : "") + "]";
  }

  private IOException lostOrClosed(String what) {
    if (closed.get()) return new TransportClosedException(endpoint);
    LinkLostException e = new LinkLostException(endpoint, what + " (" + describeLastError(port) + ")");
    if (lost == null) lost = e;
    return e;
  }

  /** Closed first, then a loss already seen: jSerialComm would otherwise wait out a write timeout again. */
  private void checkUsable() throws IOException {
    if (closed.get()) throw new TransportClosedException(endpoint);
    LinkLostException seen = lost;
    if (seen != null) throw new LinkLostException(endpoint, seen.reason(), seen);
  }

  private static String describeLastError(SerialPort port) {
    return "error code " + port.getLastErrorCode() + " at jSerialComm source line " + port.getLastErrorLocation();
  }
}
