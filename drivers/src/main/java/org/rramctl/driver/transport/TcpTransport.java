package org.rramctl.driver.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import org.rramctl.driver.LinkLostException;

/**
 * A {@link Transport} over a TCP connection, for boards behind a serial-to-network bridge such as
 * ser2net ({@code tcp://host:port}), with {@code TCP_NODELAY} so that small frames leave at once.
 *
 * <p>The peer closing the connection or resetting it is reported as {@link LinkLostException}. A
 * silently dead peer (cable cut, host powered off) is only noticed by the session's heartbeat.
 * Writes block while the socket's send buffer is full and have no timeout of their own; a session
 * that must bound them closes the transport from its watchdog. Thread rules are those of
 * {@link Transport}; the caller that connects closes.
 */
public final class TcpTransport implements Transport {

  /** The connect timeout used by {@link #connect(String)}. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String endpoint;
  private volatile boolean closed;
  private int soTimeoutMillis = -1; // reader thread only: avoids a setsockopt per read

  private TcpTransport(Socket socket, String endpoint) throws IOException {
    this.socket = socket;
    this.endpoint = endpoint;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /**
   * Connects to {@code tcp://host:port} with {@link #DEFAULT_CONNECT_TIMEOUT}.
   *
   * @throws IllegalArgumentException if {@code uri} is not of that form
   */
  public static TcpTransport connect(String uri) throws IOException {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("uri: " + uri + " (expected: tcp://host:port)", e);
    }
    if (!"tcp".equalsIgnoreCase(parsed.getScheme()) || parsed.getHost() == null || parsed.getPort() < 0) {
      throw new IllegalArgumentException("uri: " + uri + " (expected: tcp://host:port)");
    }
    return connect(parsed.getHost(), parsed.getPort(), DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * Connects to {@code host:port}, waiting at most {@code connectTimeout}.
   *
   * @throws org.rramctl.driver.LinkLostException naming the endpoint if the connection cannot be made
   */
  public static TcpTransport connect(String host, int port, Duration connectTimeout) throws IOException {
    if (host == null || host.isBlank()) throw new IllegalArgumentException("host: '" + host + "' (expected: a host name or address)");
    if (port < 1 || port > 65535) throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: positive)");
    }
    String endpoint = "tcp://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.setKeepAlive(true);
      socket.connect(new InetSocketAddress(host, port), Timeouts.millisCeil(connectTimeout));
      return new TcpTransport(socket, endpoint);
    } catch (IOException e) {
      closeQuietly(socket);
      throw new LinkLostException(endpoint, "connect failed within " + connectTimeout.toMillis() + " ms: " + e, e);
    }
  }

  /**
   * Wraps an already connected socket (e.g. one accepted by a virtual board's server). The transport
   * takes ownership and sets {@code TCP_NODELAY}.
   */
  public static TcpTransport wrap(Socket connected) throws IOException {
    if (!connected.isConnected()) throw new IllegalArgumentException("socket: " + connected + " (expected: connected)");
    connected.setTcpNoDelay(true);
    InetSocketAddress remote = (InetSocketAddress) connected.getRemoteSocketAddress();
    return new TcpTransport(connected, "tcp://" + remote.getHostString() + ":" + remote.getPort());
  }

  @Override
  public void write(byte[] bytes, int offset, int len) throws IOException {
    Transport.checkRange(bytes, offset, len);
    if (closed) throw new TransportClosedException(endpoint);
    try {
      out.write(bytes, offset, len);
    } catch (IOException e) {
      throw translate(e, "write");
    }
  }

  @Override
  public int read(byte[] buffer, int offset, int len, Duration timeout) throws IOException {
    Transport.checkRange(buffer, offset, len);
    Transport.checkTimeout(timeout);
    if (closed) throw new TransportClosedException(endpoint);
    if (len == 0) return 0;
    try {
      if (timeout.isZero()) {
        int available = in.available();
        if (available == 0) return 0;
        len = Math.min(len, available);
      } else {
        // SO_TIMEOUT 0 would mean "forever"; a sub-millisecond wait becomes 1 ms.
        int millis = Math.max(1, Timeouts.millisCeil(timeout));
        if (millis != soTimeoutMillis) {
          socket.setSoTimeout(millis);
          soTimeoutMillis = millis;
        }
      }
      int n = in.read(buffer, offset, len);
      if (n < 0) throw new LinkLostException(endpoint, "connection closed by peer");
      return n;
    } catch (SocketTimeoutException e) {
      return 0;
    } catch (LinkLostException e) {
      throw e;
    } catch (IOException e) {
      throw translate(e, "read");
    }
  }

  @Override
  public void purgeInput() throws IOException {
    if (closed) throw new TransportClosedException(endpoint);
    try {
      long available;
      while ((available = in.available()) > 0) {
        if (in.skip(available) <= 0) break;
      }
    } catch (IOException e) {
      throw translate(e, "purge");
    }
  }

  @Override
  public boolean isOpen() {
    return !closed;
  }

  @Override
  public String endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(socket);
  }

  @Override
  public String toString() {
    return "TcpTransport[" + endpoint + (closed ? ", closed" : "") + "]";
  }

  private IOException translate(IOException e, String operation) {
    if (closed) return new TransportClosedException(endpoint);
    // Connection reset, broken pipe and friends: the JDK reports them as SocketException.
    if (e instanceof SocketException) return new LinkLostException(endpoint, operation + ": " + e.getMessage(), e);
    return new LinkLostException(endpoint, operation + " failed: " + e, e);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Nothing useful to do: the socket is being discarded.
    }
  }
}
