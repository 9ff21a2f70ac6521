package org.rramctl.sim.arc1;

import java.io.IOException;
import org.rramctl.driver.transport.Transport;
import org.rramctl.sim.ByteServer;

/** Serves a {@link VirtualArc1} on a {@link Transport} (a pty, a TCP socket); see {@link ByteServer}. */
public final class VirtualArc1Server implements AutoCloseable {
  private final VirtualArc1 board;
  private final ByteServer server;

  public VirtualArc1Server(VirtualArc1 board, Transport transport) {
    this.board = board;
    this.server = new ByteServer("virtual-arc1", transport, (bytes, len) -> {
      synchronized (board) {
        return board.feed(bytes, 0, len);
      }
    });
  }

  public VirtualArc1 board() {
    return board;
  }

  /** Why serving stopped, if it stopped on an error. */
  public IOException failure() {
    return server.failure();
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
