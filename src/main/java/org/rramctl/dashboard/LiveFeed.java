package org.rramctl.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.rramctl.journal.Json;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * {@code dashboard --subscribe ENDPOINT}: the documents a ZeroMQ publisher sends ({@code procedure --publish},
 * {@code serve --publish}; LIVE-DATA.md), received as {@code rramctl watch} receives them, for pages that are open now
 * and, for the last {@link #KEEP}, for pages that open later. Heartbeats only say that the subscription is live. Like
 * {@code watch}, the subscription is renewed on a new socket after 2 s, then 4, 8 and every 16 s, until the first
 * message arrives (JeroMQ may lose a fresh connection's subscription). A page sees what PUB dropped as gaps in
 * {@code seq}.
 *
 * <p>One receiving thread owns the socket; {@link #stream} may be called from any number of threads.
 */
final class LiveFeed implements AutoCloseable {
  /** Documents kept for pages that connect later. */
  static final int KEEP = 20_000;
  static final long RESUBSCRIBE_MILLIS = 2_000;
  static final long RESUBSCRIBE_MAX_MILLIS = 16_000;
  static final int POLL_MILLIS = 100;

  private final String endpoint;
  private final byte[][] kept = new byte[KEEP][];
  private final Object lock = new Object();
  /** Documents received so far; document i sits in kept[i % KEEP] while i >= received - KEEP. */
  private long received;
  private long unreadable;
  private volatile boolean connected;
  private volatile boolean closing;
  private final Thread thread;

  private LiveFeed(String endpoint) {
    this.endpoint = endpoint;
    this.thread = new Thread(this::receive, "dashboard-subscribe");
    thread.setDaemon(true);
  }

  /**
   * Subscribes to {@code endpoint} (for example {@code tcp://127.0.0.1:5556}).
   *
   * @throws IllegalArgumentException when the endpoint is not a ZeroMQ endpoint to connect to
   */
  static LiveFeed subscribe(String endpoint) {
    if (endpoint == null || !endpoint.matches("(tcp://[^\\s*]+:\\d{1,5}|ipc://\\S+|inproc://\\S+)")) {
      throw new IllegalArgumentException("--subscribe: '" + endpoint + "' (expected: a publisher's endpoint such as tcp://127.0.0.1:5556)");
    }
    LiveFeed f = new LiveFeed(endpoint);
    f.thread.start();
    return f;
  }

  String endpoint() {
    return endpoint;
  }

  /** True once any message (a heartbeat included) arrived. */
  boolean connected() {
    return connected;
  }

  long received() {
    synchronized (lock) {
      return received;
    }
  }

  private void receive() {
    try (ZContext ctx = new ZContext()) {
      ZMQ.Socket sub = socket(ctx);
      long subscribedAt = System.nanoTime();
      long wait = RESUBSCRIBE_MILLIS;
      while (!closing) {
        String topic = sub.recvStr();
        if (topic == null) {
          if (!connected && System.nanoTime() - subscribedAt > TimeUnit.MILLISECONDS.toNanos(wait)) {
            ctx.destroySocket(sub);
            sub = socket(ctx);
            subscribedAt = System.nanoTime();
            wait = Math.min(2 * wait, RESUBSCRIBE_MAX_MILLIS);
          }
          continue;
        }
        byte[] body = sub.hasReceiveMore() ? sub.recv() : new byte[0];
        while (sub.hasReceiveMore()) sub.recv(); // tolerate extra frames from future versions
        connected = true;
        if (topic.equals("heartbeat")) continue;
        keep(body);
      }
    } catch (RuntimeException e) {
      // The context was closed under the socket while stopping: nothing more to receive.
    }
  }

  private ZMQ.Socket socket(ZContext ctx) {
    ZMQ.Socket s = ctx.createSocket(SocketType.SUB);
    s.setReceiveTimeOut(POLL_MILLIS);
    s.connect(endpoint);
    s.subscribe(new byte[0]);
    return s;
  }

  /** Keeps one document: a JSON object on one line (re-written compactly when it spans lines), else counted and dropped. */
  private void keep(byte[] body) {
    byte[] line = body;
    try {
      JsonNode n = Json.MAPPER.readTree(body);
      if (!(n instanceof com.fasterxml.jackson.databind.node.ObjectNode)) throw new IOException("not an object");
      for (byte b : body) {
        if (b == '\n' || b == '\r') {
          line = Json.MAPPER.writeValueAsBytes(n);
          break;
        }
      }
    } catch (IOException e) {
      synchronized (lock) {
        unreadable++;
      }
      return;
    }
    synchronized (lock) {
      kept[(int) (received % KEEP)] = line;
      received++;
      lock.notifyAll();
    }
  }

  /**
   * Streams the kept documents from number {@code from} on, then each new one, as server-sent events (one
   * {@code data:} line per document, its id the document's number in this feed), until the feed or the server closes or
   * the client goes away.
   */
  void stream(OutputStream out, long from, BooleanSupplier serverClosing) throws IOException, InterruptedException {
    long next;
    synchronized (lock) {
      next = Math.max(from, received - KEEP);
    }
    long lastWrite = System.nanoTime();
    while (!closing && !serverClosing.getAsBoolean()) {
      byte[][] batch;
      long first;
      synchronized (lock) {
        if (next == received) lock.wait(RunsView.KEEPALIVE_NANOS / 1_000_000 / 10);
        next = Math.max(next, received - KEEP); // a client too slow for KEEP documents skips; seq shows the gap
        first = next;
        batch = new byte[(int) (received - next)][];
        for (int i = 0; i < batch.length; i++) batch[i] = kept[(int) ((next + i) % KEEP)];
        next = received;
      }
      for (int i = 0; i < batch.length; i++) {
        out.write(("id: " + (first + i) + "\ndata: ").getBytes(StandardCharsets.UTF_8));
        out.write(batch[i]);
        out.write("\n\n".getBytes(StandardCharsets.UTF_8));
      }
      if (batch.length > 0) {
        out.flush();
        lastWrite = System.nanoTime();
      } else if (System.nanoTime() - lastWrite > RunsView.KEEPALIVE_NANOS) {
        out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        lastWrite = System.nanoTime();
      }
    }
  }

  /** What the page shows about the subscription. */
  com.fasterxml.jackson.databind.node.ObjectNode describe() {
    var o = Json.object();
    o.put("endpoint", endpoint);
    o.put("connected", connected);
    synchronized (lock) {
      o.put("received", received);
      o.put("unreadable", unreadable);
    }
    return o;
  }

  @Override
  public void close() {
    closing = true;
    synchronized (lock) {
      lock.notifyAll();
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
