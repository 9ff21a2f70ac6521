package org.rramctl.sim.arc1;

import java.io.IOException;
import java.time.Duration;
import org.rramctl.driver.transport.Transport;
import org.rramctl.driver.transport.TransportClosedException;

/**
 * Serves a {@link VirtualArc1} on a {@link Transport} (a pty, a TCP socket): feeds it what the host writes and
 * writes back what it answers. One serving thread; {@link #close()} from any thread stops it and closes the
 * transport.
 */
public final class VirtualArc1Server implements AutoCloseable {
  private final VirtualArc1 board;
  private final Transport transport;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile IOException failure;

  public VirtualArc1Server(VirtualArc1 board, Transport transport) {
    this.board = board;
    this.transport = transport;
    this.thread = new Thread(this::serve, "virtual-arc1 " + transport.endpoint());
    thread.setDaemon(true);
    thread.start();
  }

  public VirtualArc1 board() {
    return board;
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
        byte[] reply;
        synchronized (board) {
          reply = board.feed(buf, 0, n);
        }
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
