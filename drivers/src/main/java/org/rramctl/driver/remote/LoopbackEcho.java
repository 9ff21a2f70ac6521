package org.rramctl.driver.remote;

import java.io.IOException;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A bare ZeroMQ DEALER/ROUTER echo over tcp loopback: the floor under any remote-driver round trip,
 * measured next to it by the benchmarks (so other modules need not import JeroMQ). Not for production.
 * One caller thread at a time; {@link #close()} from that thread.
 */
public final class LoopbackEcho implements AutoCloseable {
  private final ZContext ctx = new ZContext(1);
  private final ZMQ.Socket dealer;
  private final Thread echo;
  private volatile boolean stop;

  private LoopbackEcho() {
    ctx.setLinger(0);
    ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
    router.bind("tcp://127.0.0.1:*");
    String ep = router.getLastEndpoint();
    echo = new Thread(() -> {
      try {
        router.setReceiveTimeOut(50);
        while (!stop) {
          byte[] id = router.recv(0);
          if (id == null) continue;
          byte[] body = router.recv(0);
          router.send(id, ZMQ.SNDMORE);
          router.send(body, 0);
        }
      } finally {
        router.close();
      }
    }, "rramctl-loopback-echo");
    echo.setDaemon(true);
    echo.start();
    dealer = ctx.createSocket(SocketType.DEALER);
    dealer.setReceiveTimeOut(5_000);
    dealer.connect(ep);
  }

  public static LoopbackEcho start() {
    return new LoopbackEcho();
  }

  /** Sends {@code body} and waits for it to come back. */
  public void roundTrip(byte[] body) throws IOException {
    dealer.send(body, 0);
    if (dealer.recv(0) == null) throw new IOException("loopback echo: no answer within 5 s");
  }

  @Override
  public void close() {
    stop = true;
    try {
      echo.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    dealer.close();
    ctx.close();
  }
}
