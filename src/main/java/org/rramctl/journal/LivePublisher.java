package org.rramctl.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Publishes run documents on a ZeroMQ PUB socket as two-frame messages {@code [topic, JSON document]},
 * the topic being the document type. The JSON is byte for byte the journal line, so its {@code seq} lets a
 * subscriber see what it missed (PUB drops for slow subscribers, and a subscriber that joins late misses
 * the beginning). The format is described in LIVE-DATA.md.
 *
 * <p>Thread-safety: one publishing thread (ZeroMQ sockets are not thread-safe). {@link #close()} waits up
 * to {@link #LINGER_MILLIS} for queued messages, so a stop document just sent still goes out.
 */
public final class LivePublisher implements DocumentSink, AutoCloseable {
  /** How long close waits for unsent messages, ms. */
  public static final int LINGER_MILLIS = 2000;

  private final ZContext context;
  private final ZMQ.Socket socket;
  private final String endpoint;
  private long heartbeats;

  private LivePublisher(ZContext context, ZMQ.Socket socket, String endpoint) {
    this.context = context;
    this.socket = socket;
    this.endpoint = endpoint;
  }

  /**
   * Binds a PUB socket, e.g. {@code tcp://127.0.0.1:5556}, or {@code tcp://127.0.0.1:*} for any free port
   * ({@link #endpoint()} tells which).
   *
   * @throws IllegalArgumentException naming the endpoint when it cannot be bound
   */
  public static LivePublisher bind(String endpoint) {
    ZContext ctx = new ZContext();
    ctx.setLinger(LINGER_MILLIS);
    try {
      ZMQ.Socket s = ctx.createSocket(SocketType.PUB);
      s.setLinger(LINGER_MILLIS);
      s.setSndHWM(100_000);
      s.bind(endpoint);
      String actual = s.getLastEndpoint();
      return new LivePublisher(ctx, s, actual == null ? endpoint : actual);
    } catch (RuntimeException e) {
      ctx.close();
      throw new IllegalArgumentException("publish: '" + endpoint + "': cannot bind (" + org.rramctl.driver.remote.Endpoints.bindFailure(endpoint, e)
          + ") (expected: a free endpoint such as tcp://127.0.0.1:5556)", e);
    }
  }

  /** The bound endpoint with the actual port. */
  public String endpoint() {
    return endpoint;
  }

  @Override
  public void accept(String type, ObjectNode document, byte[] json) {
    socket.sendMore(type);
    socket.send(json, 0);
  }

  /**
   * Sends a {@code heartbeat} message ({@code {"type":"heartbeat","seq":n,"time":...}}, its own sequence),
   * which a subscriber can use to learn that it is connected before a run starts.
   */
  public void heartbeat() {
    String json = "{\"type\":\"heartbeat\",\"seq\":" + heartbeats++ + ",\"time\":\"" + Instant.now() + "\"}";
    socket.sendMore("heartbeat");
    socket.send(json.getBytes(StandardCharsets.UTF_8), 0);
  }

  @Override
  public void close() {
    context.close();
  }
}
