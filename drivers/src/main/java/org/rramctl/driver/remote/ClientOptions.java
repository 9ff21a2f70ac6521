package org.rramctl.driver.remote;

import java.time.Duration;

/**
 * How a {@link RemoteDriver} talks to its server.
 *
 * @param connectTimeout how long a request may wait for a usable connection before it is given up unsent
 * @param requestTimeout the longest any request may take, however busy the server says it is
 * @param silenceTimeout a request whose server sends nothing (no reply, no "still working") for this long
 *     fails; never shorter than three server heartbeats
 * @param label how this client introduces itself (shown to others in "board held by ...")
 * @param curve the server's public key and this client's key pair, or null for a plaintext server
 */
public record ClientOptions(Duration connectTimeout, Duration requestTimeout, Duration silenceTimeout, String label, Curve curve) {

  /** CURVE credentials of a client. */
  public record Curve(String serverPublicKey, CurveKeyPair clientKeys) {
    public Curve {
      CurveKeyPair.checkKey("serverPublicKey", serverPublicKey);
      if (clientKeys == null) throw new IllegalArgumentException("clientKeys: null");
    }

    /**
     * Reads client credentials as the {@code zmq+tcp} URI and {@code rramctl watch} name them.
     *
     * @param serverKey the server's public key: a file ({@code keys/server/server.public}) or its 40 Z85 characters
     * @param clientKey this client's key pair without the suffix: {@code keys/alice/alice} reads
     *     {@code keys/alice/alice.public} and {@code keys/alice/alice.secret}
     */
    public static Curve read(String serverKey, String clientKey) throws java.io.IOException {
      String sk = serverKey.length() == 40 && !java.nio.file.Files.exists(java.nio.file.Path.of(serverKey)) ? serverKey
          : CurveKeyPair.readKey(java.nio.file.Path.of(serverKey));
      java.nio.file.Path base = java.nio.file.Path.of(clientKey);
      java.nio.file.Path dir = base.getParent() == null ? java.nio.file.Path.of(".") : base.getParent();
      return new Curve(sk, CurveKeyPair.read(dir, base.getFileName().toString()));
    }

    /** Sets these credentials on a client socket (DEALER or SUB) before it connects. */
    public void apply(org.zeromq.ZMQ.Socket s) {
      s.setCurveServerKey(CurveKeyPair.decode(serverPublicKey));
      s.setCurvePublicKey(CurveKeyPair.decode(clientKeys.publicKey()));
      s.setCurveSecretKey(CurveKeyPair.decode(clientKeys.secretKey()));
    }
  }

  public ClientOptions {
    positive("connectTimeout", connectTimeout);
    positive("requestTimeout", requestTimeout);
    positive("silenceTimeout", silenceTimeout);
    if (label == null) throw new IllegalArgumentException("label: null");
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.toMillis() < 1 || d.toMillis() > Integer.MAX_VALUE) throw new IllegalArgumentException(name + ": " + d + " (expected: 1 ms .. 24 days)");
  }

  /** Connect within 5 s, at most 60 s per request, 3 s of server silence; labelled user@pid. */
  public static ClientOptions defaults() {
    return new ClientOptions(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(3),
        System.getProperty("user.name", "user") + "@pid" + ProcessHandle.current().pid(), null);
  }

  public ClientOptions withConnectTimeout(Duration d) {
    return new ClientOptions(d, requestTimeout, silenceTimeout, label, curve);
  }

  public ClientOptions withRequestTimeout(Duration d) {
    return new ClientOptions(connectTimeout, d, silenceTimeout, label, curve);
  }

  public ClientOptions withSilenceTimeout(Duration d) {
    return new ClientOptions(connectTimeout, requestTimeout, d, label, curve);
  }

  public ClientOptions withLabel(String l) {
    return new ClientOptions(connectTimeout, requestTimeout, silenceTimeout, l, curve);
  }

  public ClientOptions withCurve(Curve c) {
    return new ClientOptions(connectTimeout, requestTimeout, silenceTimeout, label, c);
  }
}
