package org.rramctl.sim.scpi;

import java.io.IOException;
import org.rramctl.driver.scpi.ScpiChannel;

/**
 * A ScpiChannel wired straight to a VirtualSmu, no bytes and no port: the SCPI driver against the simulated
 * instrument in-process (driver logic tests, fast offline studies). Use a pty for the real byte path.
 */
public final class InMemoryScpiChannel implements ScpiChannel {
  private final VirtualSmu smu;
  private boolean closed;

  public InMemoryScpiChannel(VirtualSmu smu) {
    this.smu = smu;
  }

  @Override
  public synchronized void send(String line) throws IOException {
    if (closed) throw new IOException("closed");
    String reply = smu.handle(line);
    if (reply != null) throw new IOException("unexpected reply to '" + line + "': " + reply);
  }

  @Override
  public synchronized String query(String line) throws IOException {
    if (closed) throw new IOException("closed");
    String reply = smu.handle(line);
    if (reply == null) throw new IOException("no reply to '" + line + "' (the instrument queued an error?)");
    return reply;
  }

  @Override
  public String endpoint() {
    return "virtual-" + smu.model();
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
