package org.rramctl.sim;

import java.io.IOException;
import java.time.Duration;
import org.rramctl.driver.transport.Transport;
import org.rramctl.driver.transport.TransportClosedException;

/**
 * Serves a simulated instrument on a {@link Transport} (a pty, a TCP socket): one daemon thread reads what the
 * host writes, hands it to a {@link Handler} and writes back what the handler answers. {@link #close()} from any
 * thread stops it and closes the transport.
 */
public final class ByteServer implements AutoCloseable {
  /** The instrument side: bytes in, the answer out (empty for none). Called on the serving thread only. */
  public interface Handler {
    byte[] feed(byte[] bytes, int len) throws IOException;
  }

  private final Transport transport;
  private final Handler handler;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile IOException failure;

  public ByteServer(String name, Transport transport, Handler handler) {
    this.transport = transport;
    this.handler = handler;
    this.thread = new Thread(this::serve, name + " " + transport.endpoint());
    thread.setDaemon(true);
    thread.start();
  }

  /** Why serving stopped, if it stopped on an error. */
  public IOException failure() {
    return failure;
  }

  private void serve() {
    byte[] buf = new byte[4096];
    try {
      while (running) {
        int n = transport.read(buf, 0, buf.length, Duration.ofMillis(100));
        if (n == 0) continue;
        byte[] reply = handler.feed(buf, n);
        if (reply.length > 0) transport.write(reply);
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
