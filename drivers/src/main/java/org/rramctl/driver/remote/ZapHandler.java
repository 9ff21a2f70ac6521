package org.rramctl.driver.remote;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The ZAP handler (ZeroMQ RFC 27) of a CURVE server: admits the client public keys on the allow-list and
 * logs every rejection. One per context, bound to the well-known inproc endpoint before any CURVE socket
 * binds. Runs its own thread; the REP socket lives and dies in it.
 */
final class ZapHandler implements Runnable {
  static final String ENDPOINT = "inproc://zeromq.zap.01";
  private static final Logger LOG = System.getLogger(DriverServer.class.getName());

  private final ZMQ.Socket rep;
  private final Set<String> allowed;
  private volatile boolean stop;
  private final Thread thread;

  ZapHandler(ZContext ctx, Set<String> allowedZ85, String name) {
    this.allowed = Set.copyOf(allowedZ85);
    this.rep = ctx.createSocket(SocketType.REP);
    rep.setLinger(0);
    rep.bind(ENDPOINT);
    this.thread = new Thread(this, name);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void stop() throws InterruptedException {
    stop = true;
    thread.join(5_000);
  }

  @Override
  public void run() {
    try {
      rep.setReceiveTimeOut(50);
      while (!stop) {
        byte[] first = rep.recv(0);
        if (first == null) continue;
        List<byte[]> frames = new ArrayList<>();
        frames.add(first);
        while (rep.hasReceiveMore() && frames.size() < 16) frames.add(rep.recv(0));
        while (rep.hasReceiveMore()) rep.recv(0);
        answer(frames);
      }
    } catch (RuntimeException e) {
      if (!stop) LOG.log(Level.ERROR, "ZAP handler stopped: " + e, e);
    } finally {
      rep.close();
    }
  }

  private void answer(List<byte[]> f) {
    // Request: version, request id, domain, address, identity, mechanism, credentials...
    byte[] requestId = f.size() > 1 ? f.get(1) : new byte[0];
    String address = f.size() > 3 ? new String(f.get(3), StandardCharsets.UTF_8) : "?";
    String mechanism = f.size() > 5 ? new String(f.get(5), StandardCharsets.UTF_8) : "?";
    String status;
    String text;
    String user = "";
    if (f.size() < 7 || !"CURVE".equals(mechanism) || f.get(6).length != 32) {
      status = "400";
      text = "CURVE with a 32-byte client key required";
      LOG.log(Level.WARNING, "rejected client from " + address + ": mechanism " + mechanism + " (expected: CURVE)");
    } else {
      String key = ZMQ.Curve.z85Encode(f.get(6));
      if (allowed.contains(key)) {
        status = "200";
        text = "OK";
        user = key;
      } else {
        status = "400";
        text = "client key not on the allow-list";
        LOG.log(Level.WARNING, "rejected CURVE client key " + key + " from " + address + ": not on the allow-list");
      }
    }
    rep.sendMore("1.0");
    rep.send(requestId, ZMQ.SNDMORE);
    rep.sendMore(status);
    rep.sendMore(text);
    rep.sendMore(user);
    rep.send(new byte[0], 0);
  }
}
