package org.rramctl.sim.scpi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.rramctl.driver.transport.Transport;
import org.rramctl.sim.ByteServer;

/**
 * Serves a {@link VirtualSmu} on a {@link Transport} (a pty, a TCP socket): reads line-feed terminated
 * lines, answers the ones that produce output. One serving thread ({@link ByteServer}); {@link #close()} from any
 * thread stops it and closes the transport.
 */
public final class VirtualSmuServer implements AutoCloseable {
  private final VirtualSmu smu;
  private final ByteServer server;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(); // serving thread only

  public VirtualSmuServer(VirtualSmu smu, Transport transport) {
    this.smu = smu;
    this.server = new ByteServer("virtual-smu", transport, this::feed);
  }

  public VirtualSmu smu() {
    return smu;
  }

  /** Why serving stopped, if it stopped on an error. */
  public IOException failure() {
    return server.failure();
  }

  private byte[] feed(byte[] buf, int n) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      byte b = buf[i];
      if (b == '\n') {
        String text = line.toString(StandardCharsets.US_ASCII).replace("\r", "");
        line.reset();
        String reply;
        synchronized (smu) {
          reply = smu.handle(text);
        }
        if (reply != null) out.writeBytes((reply + "\n").getBytes(StandardCharsets.US_ASCII));
      } else if (line.size() < 1 << 16) {
        line.write(b);
      }
    }
    return out.toByteArray();
  }

  /** Blocks until the serving thread ends (after {@link #close()} or a lost link). */
  public void join() throws InterruptedException {
    server.join();
  }

  @Override
  public void close() {
    server.close();
  }
}
