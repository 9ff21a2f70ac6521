package org.rramctl.driver.remote;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.rramctl.driver.BoardUri;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverProvider;
import org.rramctl.driver.Durations;

/**
 * Opens {@link RemoteDriver}s for {@code zmq+tcp://HOST:PORT[?timeout=60s&silence=3s&connect=5s&label=NAME]}
 * and, for a CURVE server, {@code &server-key=FILE|Z85&client-key=DIR/NAME} (NAME.public and NAME.secret).
 */
public final class RemoteDriverProvider implements DriverProvider {
  private static final List<String> PARAMS = List.of("timeout", "silence", "connect", "label", "server-key", "client-key");

  @Override
  public List<String> schemes() {
    return List.of("zmq+tcp");
  }

  @Override
  public String usage() {
    return "zmq+tcp://HOST:PORT[?timeout=60s&silence=3s&connect=5s&label=NAME&server-key=FILE&client-key=DIR/NAME] (a board served by 'rramctl serve')";
  }

  @Override
  public CrossbarDriver open(BoardUri uri) throws IOException {
    for (String key : uri.params().keySet()) {
      if (!PARAMS.contains(key)) {
        throw new IllegalArgumentException("board: '" + uri + "': unknown parameter '" + key + "' (expected: " + String.join(", ", PARAMS) + ")");
      }
    }
    if (!uri.path().startsWith("//")) throw new IllegalArgumentException("board: '" + uri + "' (expected: zmq+tcp://HOST:PORT)");
    String endpoint = "tcp:" + uri.path();
    String host = Endpoints.tcpHost(endpoint);
    if (endpoint.endsWith(":*") || host.equals("*")) throw new IllegalArgumentException("board: '" + uri + "' (expected: a concrete HOST:PORT to connect to)");
    ClientOptions o = ClientOptions.defaults();
    o = o.withRequestTimeout(duration(uri, "timeout", o.requestTimeout()));
    o = o.withSilenceTimeout(duration(uri, "silence", o.silenceTimeout()));
    o = o.withConnectTimeout(duration(uri, "connect", o.connectTimeout()));
    o = o.withLabel(uri.param("label", o.label()));
    String serverKey = uri.params().get("server-key");
    String clientKey = uri.params().get("client-key");
    if ((serverKey == null) != (clientKey == null)) {
      throw new IllegalArgumentException("board: '" + uri + "': server-key and client-key (expected: both for a CURVE server, or neither)");
    }
    if (serverKey != null) {
      o = o.withCurve(ClientOptions.Curve.read(serverKey, clientKey));
    } else if (!Endpoints.isLocal(endpoint)) {
      throw new IllegalArgumentException("board: '" + uri + "': " + host + " is not this host, and servers beyond loopback require CURVE"
          + " (expected: &server-key=FILE&client-key=DIR/NAME)");
    }
    return RemoteDriver.open(endpoint, o);
  }

  private static Duration duration(BoardUri uri, String key, Duration fallback) {
    String v = uri.params().get(key);
    if (v == null) return fallback;
    try {
      return Duration.ofNanos(Durations.parseNanos(v));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("board: '" + uri + "': " + key + "=" + v + " (expected: a duration such as 500ms or 3s)");
    }
  }
}
