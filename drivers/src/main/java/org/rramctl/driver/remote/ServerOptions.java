package org.rramctl.driver.remote;

import java.time.Duration;
import org.rramctl.driver.SafetyEnvelope;

/**
 * How a {@link DriverServer} serves.
 *
 * @param bind ROUTER endpoint, e.g. {@code tcp://127.0.0.1:5555} or {@code tcp://127.0.0.1:*} (any free port)
 * @param publish PUB endpoint for status and run documents, or null for none
 * @param leaseTimeout a lease lapses this long after the holder's last message (and the board is set idle)
 * @param heartbeat the interval of the server's "still working" messages and of status publication;
 *     clients heartbeat at the same interval
 * @param envelope the server's own envelope (never wider than the board's), or null for the board's limits
 * @param curve keys and allow-list; required for a non-loopback bind, or null
 * @param maxRequestBytes larger requests are refused with an error reply; 0 for the default (room for a
 *     full-array forward read or update program of the served board, at least 1 MiB)
 * @param maxClients clients tracked at once; beyond it idle ones are forgotten, then new ones refused
 */
public record ServerOptions(
    String bind,
    String publish,
    Duration leaseTimeout,
    Duration heartbeat,
    SafetyEnvelope envelope,
    CurveSecurity curve,
    int maxRequestBytes,
    int maxClients) {

  public ServerOptions {
    if (bind == null || bind.isBlank()) throw new IllegalArgumentException("bind: '" + bind + "' (expected: an endpoint such as tcp://127.0.0.1:5555)");
    if (leaseTimeout == null || leaseTimeout.toMillis() < 10 || leaseTimeout.toMillis() > 86_400_000L) {
      throw new IllegalArgumentException("leaseTimeout: " + leaseTimeout + " (expected: 10 ms .. 24 h)");
    }
    if (heartbeat == null || heartbeat.toMillis() < 5 || heartbeat.compareTo(leaseTimeout) > 0) {
      throw new IllegalArgumentException("heartbeat: " + heartbeat + " (expected: 5 ms .. the lease timeout " + leaseTimeout + ")");
    }
    if (maxRequestBytes < 0) throw new IllegalArgumentException("maxRequestBytes: " + maxRequestBytes + " (expected: >= 0, 0 for the default)");
    if (maxClients < 1) throw new IllegalArgumentException("maxClients: " + maxClients + " (expected: >= 1)");
  }

  /** Loopback defaults: no PUB socket, 10 s lease, 1 s heartbeat, the board's envelope, no CURVE. */
  public static ServerOptions of(String bind) {
    return new ServerOptions(bind, null, Duration.ofSeconds(10), Duration.ofSeconds(1), null, null, 0, 256);
  }

  public ServerOptions withPublish(String endpoint) {
    return new ServerOptions(bind, endpoint, leaseTimeout, heartbeat, envelope, curve, maxRequestBytes, maxClients);
  }

  public ServerOptions withLeaseTimeout(Duration d) {
    return new ServerOptions(bind, publish, d, heartbeat.compareTo(d) > 0 ? d : heartbeat, envelope, curve, maxRequestBytes, maxClients);
  }

  public ServerOptions withHeartbeat(Duration d) {
    return new ServerOptions(bind, publish, leaseTimeout, d, envelope, curve, maxRequestBytes, maxClients);
  }

  public ServerOptions withEnvelope(SafetyEnvelope e) {
    return new ServerOptions(bind, publish, leaseTimeout, heartbeat, e, curve, maxRequestBytes, maxClients);
  }

  public ServerOptions withCurve(CurveSecurity c) {
    return new ServerOptions(bind, publish, leaseTimeout, heartbeat, envelope, c, maxRequestBytes, maxClients);
  }

  public ServerOptions withMaxRequestBytes(int n) {
    return new ServerOptions(bind, publish, leaseTimeout, heartbeat, envelope, curve, n, maxClients);
  }

  public ServerOptions withMaxClients(int n) {
    return new ServerOptions(bind, publish, leaseTimeout, heartbeat, envelope, curve, maxRequestBytes, n);
  }
}
