package org.rramctl.sim.pty;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.rramctl.driver.transport.Transport;

/**
 * The serving side of a {@link PseudoTerminal} as a {@link Transport}: a virtual board or instrument
 * reads what the host wrote to the slave and writes its answers back. The host opens
 * {@link #clientPath()} like any serial port.
 *
 * <p>This transport owns its terminal: {@link #close()} closes it (and removes its symlink), which the
 * client sees as a lost link. It cannot see the client leave (see {@link PseudoTerminal}): reads just
 * time out. Thread rules are those of {@link Transport}.
 */
public final class PtyTransport implements Transport {
  private final PseudoTerminal terminal;

  private PtyTransport(PseudoTerminal terminal) {
    this.terminal = terminal;
  }

  /** Creates a pseudo-terminal and serves its master; clients open {@link #clientPath()}. */
  public static PtyTransport open() throws IOException {
    return new PtyTransport(PseudoTerminal.open());
  }

  /** Like {@link #open()}, with a symlink at {@code link} pointing to the slave (see {@link PseudoTerminal#open(Path)}). */
  public static PtyTransport open(Path link) throws IOException {
    return new PtyTransport(PseudoTerminal.open(link));
  }

  /** The terminal served. */
  public PseudoTerminal terminal() {
    return terminal;
  }

  /** The path a client opens as a serial port: the symlink if any, else the slave device. */
  public String clientPath() {
    return terminal.path();
  }

  @Override
  public void write(byte[] bytes, int offset, int len) throws IOException {
    Transport.checkRange(bytes, offset, len);
    terminal.write(bytes, offset, len);
  }

  @Override
  public int read(byte[] buffer, int offset, int len, Duration timeout) throws IOException {
    Transport.checkRange(buffer, offset, len);
    Transport.checkTimeout(timeout);
    return terminal.read(buffer, offset, len, timeout);
  }

  @Override
  public void purgeInput() throws IOException {
    terminal.purgeInput();
  }

  @Override
  public boolean isOpen() {
    return terminal.isOpen();
  }

  @Override
  public String endpoint() {
    return terminal.endpoint();
  }

  @Override
  public void close() {
    terminal.close();
  }

  @Override
  public String toString() {
    return "PtyTransport[" + terminal.endpoint() + (terminal.isOpen() ? "" : ", closed") + "]";
  }
}
