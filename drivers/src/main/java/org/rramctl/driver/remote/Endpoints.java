package org.rramctl.driver.remote;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** Classifies ZeroMQ endpoints: which ones stay on this host. */
public final class Endpoints {
  private Endpoints() {}

  /** The host part of {@code tcp://HOST:PORT}, without IPv6 brackets. */
  public static String tcpHost(String endpoint) {
    if (endpoint == null || !endpoint.startsWith("tcp://")) {
      throw new IllegalArgumentException("endpoint: '" + endpoint + "' (expected: tcp://HOST:PORT, e.g. tcp://127.0.0.1:5555)");
    }
    String rest = endpoint.substring("tcp://".length());
    int colon = rest.lastIndexOf(':');
    if (colon <= 0 || colon == rest.length() - 1) {
      throw new IllegalArgumentException("endpoint: '" + endpoint + "' (expected: tcp://HOST:PORT, PORT a number or *)");
    }
    String host = rest.substring(0, colon);
    String port = rest.substring(colon + 1);
    if (!port.equals("*") && !(port.matches("[0-9]{1,5}") && Integer.parseInt(port) <= 65535)) {
      throw new IllegalArgumentException("endpoint: '" + endpoint + "': port '" + port + "' (expected: 0..65535 or *)");
    }
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    return host;
  }

  /**
   * Why a bind failed, in words: JeroMQ reports an address in use as "Errno 48" (its BSD-style code, whatever
   * the operating system) and a bad port as "port out of range:N".
   */
  public static String bindFailure(String endpoint, RuntimeException e) {
    if (e instanceof org.zeromq.ZMQException z) {
      org.zeromq.ZMQ.Error err;
      try {
        err = org.zeromq.ZMQ.Error.findByCode(z.getErrorCode());
      } catch (IllegalArgumentException unknown) {
        err = null;
      }
      if (err == org.zeromq.ZMQ.Error.EADDRINUSE) return "address in use: another process (another rramctl serve?) is bound to it";
      if (err == org.zeromq.ZMQ.Error.EADDRNOTAVAIL) return "address not available: not an address of this host";
      if (err == org.zeromq.ZMQ.Error.EACCESS) return "permission denied (ports below 1024 need privileges)";
      if (err != null) return err.getMessage();
    }
    if (endpoint != null && endpoint.startsWith("tcp://")) tcpHost(endpoint); // names a bad port or form
    return e.getMessage();
  }

  /**
   * Whether a bind endpoint keeps traffic on this host: inproc and ipc always; tcp when its host is a
   * loopback name or address. Wildcards ({@code *}, 0.0.0.0, ::) and interface names are not loopback.
   */
  public static boolean isLocal(String endpoint) {
    if (endpoint.startsWith("inproc://") || endpoint.startsWith("ipc://")) return true;
    String host = tcpHost(endpoint).toLowerCase(Locale.ROOT);
    if (host.equals("*") || host.equals("0.0.0.0") || host.equals("::")) return false;
    if (host.equals("localhost")) return true;
    // Only literal addresses: resolving a name here would make the security decision depend on DNS.
    if (!host.matches("[0-9.]+|[0-9a-f:]+")) return false;
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
