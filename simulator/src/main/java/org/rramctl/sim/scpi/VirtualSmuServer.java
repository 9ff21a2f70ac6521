package org.rramctl.sim.scpi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.rramctl.driver.transport.Transport;
import org.rramctl.driver.transport.TransportClosedException;

/**
 * Serves a {@link VirtualSmu} on a {@link Transport} (a pty, a TCP socket): reads line-feed terminated
 * lines, answers the ones that produce output. One serving thread; {@link #close()} from any thread stops
 * it and closes the transport.
 */
public final class VirtualSmuServer implements AutoCloseable {
  private final VirtualSmu smu;
  private final Transport transport;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile IOException failure;

  public VirtualSmuServer(VirtualSmu smu, Transport transport) {
    this.smu = smu;
    this.transport = transport;
    this.thread = new Thread(this::serve, "virtual-smu " + transport.endpoint());
    thread.setDaemon(true);
    thread.start();
  }

  public VirtualSmu smu() {
    return smu;
  }

  /** Why serving stopped, if it stopped on an error. */
  public IOException failure() {
    return failure;
  }

  private void serve() {
    byte[] buf = new byte[4096];
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      while (running) {
        int n = transport.read(buf, 0, buf.length, Duration.ofMillis(100));
        for (int i = 0; i < n; i++) {
          byte b = buf[i];
          if (b == '\n') {
            String text = line.toString(StandardCharsets.US_ASCII).replace("\r", "");
            line.reset();
            String reply;
            synchronized (smu) {
              reply = smu.handle(text);
            }
            if (reply != null) transport.write((reply + "\n").getBytes(StandardCharsets.US_ASCII));
          } else if (line.size() < 1 << 16) {
            line.write(b);
          }
        }
      }
    } catch (TransportClosedException e) {
      // closed by close(): the normal way out
    } catch (IOException e) {
      failure = e;
    }
  }

  /** Blocks until the serving thread ends (after {@link #close()} or a lost link). */
  public void join() throws InterruptedException {
    thread.join();
  }

  @Override
  public void close() {
    running = false;
    transport.close();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
