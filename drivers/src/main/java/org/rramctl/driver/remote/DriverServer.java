package org.rramctl.driver.remote;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.DriverException;
import org.rramctl.driver.DriverStatus;
import org.rramctl.driver.EnvelopeViolationException;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.MalformedMessageException;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.RefusedException;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.StochasticUpdate;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * Serves one {@link CrossbarDriver} to {@link RemoteDriver} clients (and clients in other languages, per
 * drivers/REMOTE.md) on a ZeroMQ ROUTER socket, with an optional PUB socket beside it.
 *
 * <h2>Threads</h2>
 * An I/O thread owns the ROUTER socket: it decodes requests, answers the cheap ones (hello, heartbeat,
 * lease, abort) itself and queues board operations. A single board thread executes the queued operations
 * in arrival order, so pulses from different clients never interleave within an operation and the driver
 * sees one caller at a time, as its contract requires. The only driver call made from another thread is
 * {@link CrossbarDriver#abort()}, which the driver contract allows from any thread.
 *
 * <h2>Sessions and the lease</h2>
 * Anyone connected may read {@code info}, status and devices. Programming (pulses, update programs) needs
 * the lease: a client gets it by asking ({@link Request.Acquire}) or by its first programming request while
 * the board is free, and keeps it while it sends anything at least every lease timeout. Others get a
 * {@link Reply.Held} naming the holder. A lease that lapses (the holder vanished) is dropped, logged, and
 * the board is set idle with {@code abort()}.
 *
 * <h2>Abort</h2>
 * An {@link Request.Abort} from any client calls the driver's {@code abort()} at once from the I/O thread (the
 * operation in progress ends as the driver allows: cut, or completed if it cannot be cut), ends the lease,
 * answers {@code ABORTED} to every queued request that changes devices and to everything the holder had
 * queued, and <em>fences</em> the holder: its later board operations (all but status) are answered
 * {@code ABORTED} until it sends {@link Request.Acquire}, so a procedure driving the board through this server
 * stops at its next request. A lapsed lease fences its holder the same way with {@code LEASE_LOST}. The
 * status flag {@code aborted} stays set until the lease is next granted.
 *
 * <h2>Safety</h2>
 * The board is wrapped in the server's own {@link SafetyEnvelope} (possibly stricter than any client's);
 * malformed, oversized or refused requests get an error reply and a log line and never reach the board.
 * A non-loopback bind needs {@link CurveSecurity}: starting without it is refused.
 *
 * <h2>Ownership</h2>
 * The server does not own the driver: {@link #close()} sets the board idle and stops serving; the caller
 * closes the driver. Thread-safe: {@link #publish} and {@link #close} may be called from any thread.
 */
public final class DriverServer implements AutoCloseable {
  private static final Logger LOG = System.getLogger(DriverServer.class.getName());
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  /** Requests one client may have queued or running; more pipelined ones are refused as BUSY. */
  static final int MAX_PENDING_PER_CLIENT = 64;
  private static final int MAX_QUEUED = 4096;
  private static final int MAX_FRAMES = 8;

  private final CrossbarDriver board;
  private final ServerOptions options;
  private final BoardInfo advertised;
  private final int maxRequestBytes;
  private final ZContext ctx;
  private final ZMQ.Socket router;
  private final ZMQ.Socket pairIo;
  private final ZMQ.Socket pairBoard;
  private final ZMQ.Socket pub;
  private final Object pubLock = new Object();
  /** Sequence number of the next status document (board thread only). */
  private long statusSeq;
  private final ZapHandler zap;
  private final String endpoint;
  private final String publishEndpoint;
  private final BlockingQueue<Task> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
  private final Thread ioThread;
  private final Thread boardThread;
  private final AtomicBoolean statusQueued = new AtomicBoolean();
  private final ObjectMapper json = new ObjectMapper();
  private final long leaseNanos;
  private final long heartbeatNanos;
  private final RateLimitedLog refusals = new RateLimitedLog();
  private volatile boolean stop;
  private volatile boolean pubClosed;

  /** Who holds the lease and until when (System.nanoTime); replaced whole, read by the board thread. */
  private record Lease(Session holder, long untilNanos) {}

  private volatile Lease lease;
  private volatile int clientCount;
  /** Set by an abort or a lapsed lease, cleared when the lease is next granted: the status flag {@code aborted}. */
  private volatile boolean aborted;

  // I/O thread only.
  private final Map<String, Session> sessions = new LinkedHashMap<>();

  private static final class Session {
    final byte[] routingId;
    final String key;
    String id;
    long lastSeenNanos;
    long lastWorkingNanos;
    final Set<Long> pending = new LinkedHashSet<>();
    long token;
    /** Non-null after an abort or a lapse took this client's lease: the answer to its board operations until it acquires. */
    volatile Reply.Error fence;

    Session(byte[] routingId, String key, long now) {
      this.routingId = routingId;
      this.key = key;
      this.id = "anonymous#" + key;
      this.lastSeenNanos = now;
      this.lastWorkingNanos = now;
    }
  }

  /** A board operation; a null session means an internal status poll for the PUB socket. */
  private record Task(Session session, long requestId, Request request) {}

  private DriverServer(CrossbarDriver board, ServerOptions options) throws IOException {
    this.options = options;
    BoardInfo info = board.info();
    SafetyEnvelope env = options.envelope() == null ? SafetyEnvelope.of(info) : options.envelope().within(info);
    this.board = new EnvelopedDriver(board, env);
    this.advertised = info.withHardwareLimits(env.limits());
    this.maxRequestBytes = options.maxRequestBytes() > 0 ? options.maxRequestBytes() : defaultMaxRequestBytes(info);
    this.leaseNanos = options.leaseTimeout().toNanos();
    this.heartbeatNanos = options.heartbeat().toNanos();
    checkSecurity(options);

    int n = INSTANCES.incrementAndGet();
    ctx = new ZContext(1);
    ctx.setLinger(0);
    ZapHandler z = null;
    try {
      if (options.curve() != null) {
        z = new ZapHandler(ctx, options.curve().allowedClientKeys(), "rramctl-zap-" + n);
        z.start();
      }
      zap = z;
      router = ctx.createSocket(SocketType.ROUTER);
      secure(router);
      // ZeroMQ's own limit drops the connection silently; keep it well above ours so that oversized
      // requests still get an error reply, and use it only against memory exhaustion.
      router.setMaxMsgSize(4L * maxRequestBytes + 1024);
      router.setSndHWM(10_000);
      endpoint = bind(router, options.bind(), "bind");
      if (options.publish() != null) {
        pub = ctx.createSocket(SocketType.PUB);
        secure(pub);
        publishEndpoint = bind(pub, options.publish(), "publish");
      } else {
        pub = null;
        publishEndpoint = null;
      }
      String inproc = "inproc://rramctl-board-" + n;
      pairIo = ctx.createSocket(SocketType.PAIR);
      pairIo.bind(inproc);
      pairBoard = ctx.createSocket(SocketType.PAIR);
      pairBoard.connect(inproc);
    } catch (RuntimeException | IOException e) {
      stopZap(z);
      ctx.close();
      throw e;
    }
    ioThread = new Thread(this::ioLoop, "rramctl-server-io-" + n);
    boardThread = new Thread(this::boardLoop, "rramctl-server-board-" + n);
  }

  /**
   * Binds and starts serving.
   *
   * @throws IllegalArgumentException for a non-loopback endpoint without CURVE keys (saying why), or an
   *     envelope wider than the board's limits
   * @throws IOException when an endpoint cannot be bound
   */
  public static DriverServer start(CrossbarDriver board, ServerOptions options) throws IOException {
    DriverServer s = new DriverServer(board, options);
    s.boardThread.start();
    s.ioThread.start();
    LOG.log(Level.INFO, "serving board " + s.advertised.boardId() + " on " + s.endpoint
        + (s.publishEndpoint == null ? "" : ", publishing on " + s.publishEndpoint)
        + (options.curve() == null ? " (plaintext, this host only)" : " (CURVE, " + options.curve().allowedClientKeys().size() + " allowed client keys)"));
    return s;
  }

  private static void checkSecurity(ServerOptions o) {
    for (String ep : o.publish() == null ? List.of(o.bind()) : List.of(o.bind(), o.publish())) {
      if (!Endpoints.isLocal(ep) && o.curve() == null) {
        throw new IllegalArgumentException("bind: " + ep + " is not a loopback address; anyone who can reach it could program the board"
            + " (expected: 127.0.0.1, or CURVE keys and an allow-list: rramctl keys generate, then --curve-keys DIR --allow FILE)");
      }
    }
  }

  private void secure(ZMQ.Socket s) {
    if (options.curve() == null) return;
    s.setZAPDomain("rramctl");
    s.setCurveServer(true);
    s.setCurveSecretKey(CurveKeyPair.decode(options.curve().serverKeys().secretKey()));
  }

  private static String bind(ZMQ.Socket s, String ep, String what) throws IOException {
    try {
      s.bind(ep);
    } catch (ZMQException | IllegalArgumentException e) {
      throw new IOException(what + ": " + ep + ": cannot bind (" + Endpoints.bindFailure(ep, e) + ")", e);
    }
    return s.getLastEndpoint();
  }

  /** Room for the largest legitimate request on this board: a full-array update program or vector read. */
  static int defaultMaxRequestBytes(BoardInfo info) {
    long biggest = 0;
    for (var g : info.arrays()) biggest = Math.max(biggest, 9L * (g.rows() + g.cols()) + 8L * Math.max(g.rows(), g.cols()));
    return (int) Math.min(64L << 20, Math.max(1 << 20, 2 * biggest + 4096));
  }

  /** The ROUTER endpoint actually bound, e.g. {@code tcp://127.0.0.1:40123} for a bind to port *. */
  public String endpoint() {
    return endpoint;
  }

  /** The PUB endpoint actually bound, if any. */
  public Optional<String> publishEndpoint() {
    return Optional.ofNullable(publishEndpoint);
  }

  /** What clients are told the board is: its info with the server's envelope as its limits. */
  public BoardInfo advertisedInfo() {
    return advertised;
  }

  /**
   * Publishes a document on the PUB socket as two frames, topic (UTF-8) and the JSON text (UTF-8), the
   * live-data format of src/LIVE-DATA.md that {@code procedure --publish} uses too. The document should carry
   * its own {@code type} and {@code seq} fields (run documents do), so subscribers can notice drops. A no-op
   * without a PUB socket or after close. Thread-safe.
   *
   * @return whether the message was handed to the PUB socket
   */
  public boolean publish(String topic, String jsonText) {
    if (topic == null || topic.isEmpty() || topic.length() > 255) throw new IllegalArgumentException("topic: '" + topic + "' (expected: 1..255 characters)");
    if (jsonText == null) throw new IllegalArgumentException("json: null");
    if (pub == null) return false;
    synchronized (pubLock) {
      if (pubClosed) return false;
      pub.sendMore(topic);
      pub.send(jsonText.getBytes(StandardCharsets.UTF_8), 0);
      return true;
    }
  }

  /** Stops serving, sets the board idle, and waits for the threads. Idempotent; the driver stays open. */
  @Override
  public void close() {
    if (stop) return;
    stop = true;
    board.abort();
    join(ioThread);
    join(boardThread);
    if (boardThread.isAlive()) {
      LOG.log(Level.ERROR, "the board thread is still inside the driver 5 s after abort(); the driver ignores aborts");
    }
    stopZap(zap);
    ctx.close();
    LOG.log(Level.INFO, "stopped serving board " + advertised.boardId() + " on " + endpoint + "; outputs idle");
  }

  private static void join(Thread t) {
    try {
      t.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stopZap(ZapHandler z) {
    if (z == null) return;
    try {
      z.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- I/O thread

  private void ioLoop() {
    ZMQ.Poller poller = ctx.createPoller(2);
    poller.register(router, ZMQ.Poller.POLLIN);
    poller.register(pairIo, ZMQ.Poller.POLLIN);
    long tick = Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(heartbeatNanos) / 4, 50));
    long nextStatus = System.nanoTime();
    try {
      while (!stop) {
        poller.poll(tick);
        // Replies first: they free clients' pending slots.
        for (int k = 0; k < 10_000; k++) {
          byte[] rid = pairIo.recv(ZMQ.DONTWAIT);
          if (rid == null) break;
          byte[] reply = pairIo.recv(0);
          forwardReply(rid, reply);
        }
        for (int k = 0; k < 1_000; k++) {
          byte[] rid = router.recv(ZMQ.DONTWAIT);
          if (rid == null) break;
          List<byte[]> frames = new ArrayList<>(2);
          long total = 0;
          int count = 0;
          while (router.hasReceiveMore()) {
            byte[] f = router.recv(0);
            count++;
            total += f.length;
            if (frames.size() < MAX_FRAMES) frames.add(f);
          }
          handle(rid, frames, count, total);
        }
        long now = System.nanoTime();
        housekeeping(now);
        if (pub != null && now - nextStatus >= 0) {
          nextStatus = now + heartbeatNanos;
          queueStatusPoll();
        }
      }
    } catch (RuntimeException e) {
      if (!stop) LOG.log(Level.ERROR, "server I/O thread failed; the board is set idle: " + e, e);
      board.abort();
    } finally {
      poller.close();
      router.close();
      pairIo.close();
      synchronized (pubLock) {
        pubClosed = true;
        if (pub != null) pub.close();
      }
    }
  }

  private void send(Session s, long requestId, Reply r) {
    send(s.routingId, requestId, r);
  }

  private void send(byte[] rid, long requestId, Reply r) {
    router.send(rid, ZMQ.SNDMORE | ZMQ.DONTWAIT);
    router.send(WireCodec.encode(requestId, r), ZMQ.DONTWAIT);
  }

  private void forwardReply(byte[] rid, byte[] reply) {
    Session s = sessions.get(HexFormat.of().formatHex(rid));
    if (s != null) s.pending.remove(WireCodec.requestIdOf(reply));
    // A client that vanished is dropped silently by the ROUTER: nothing to do.
    router.send(rid, ZMQ.SNDMORE | ZMQ.DONTWAIT);
    router.send(reply, ZMQ.DONTWAIT);
  }

  /** A request that passed admission: its client's connection and session, its id, what it asks. */
  private record Admitted(byte[] rid, String key, Session session, long requestId, Request request) {}

  /** Serves one message from a client's connection: admission, then dispatch by request type. */
  private void handle(byte[] rid, List<byte[]> frames, int count, long total) {
    long now = System.nanoTime();
    Admitted a = admit(rid, frames, count, total, now);
    if (a != null) dispatch(a, now);
  }

  /**
   * Admission, in this order: exactly one frame, at most {@code maxRequestBytes}, a session (a new connection gets
   * one while there is room), a request id other than 0, a request that decodes. A message that gets as far as its
   * session is a sign of life: it renews its client's lease, even when refused later. Returns null after sending
   * the refusal.
   */
  private Admitted admit(byte[] rid, List<byte[]> frames, int count, long total, long now) {
    String key = HexFormat.of().formatHex(rid);
    long reqId = frames.isEmpty() ? 0 : WireCodec.requestIdOf(frames.get(0));
    if (count != 1) {
      refuse(rid, key, reqId, ErrorCode.MALFORMED, "message: " + count + " frames (expected: exactly 1 frame per request)");
      return null;
    }
    if (total > maxRequestBytes) {
      refuse(rid, key, reqId, ErrorCode.TOO_LARGE, "message: " + total + " bytes (expected: at most " + maxRequestBytes + ")");
      return null;
    }
    Session s = session(rid, key, now);
    if (s == null) {
      refuse(rid, key, reqId, ErrorCode.BUSY, "clients: " + sessions.size() + " connected (expected: at most " + options.maxClients() + ")");
      return null;
    }
    s.lastSeenNanos = now;
    Lease l = lease;
    if (l != null && l.holder == s) lease = new Lease(s, now + leaseNanos);

    if (reqId == 0 && frames.get(0).length >= WireCodec.HEADER_BYTES) {
      refuse(rid, key, 0, ErrorCode.MALFORMED, "request id: 0 (expected: 1..4294967295; 0 answers messages too broken to carry an id)");
      return null;
    }
    WireCodec.RequestFrame f;
    try {
      f = WireCodec.decodeRequest(frames.get(0));
    } catch (MalformedMessageException e) {
      refuse(rid, key, reqId, ErrorCode.MALFORMED, e.what());
      return null;
    } catch (IllegalArgumentException e) {
      // A value that is never valid (row -1) gets the answer a value this board cannot take (row 16) gets.
      refuse(rid, key, reqId, ErrorCode.INVALID_ARGUMENT, e.getMessage());
      return null;
    }
    return new Admitted(rid, key, s, f.requestId(), f.request());
  }

  /** The session of this connection; a new one while there is room (idle sessions make room); null when full. */
  private Session session(byte[] rid, String key, long now) {
    Session s = sessions.get(key);
    if (s != null) return s;
    if (sessions.size() >= options.maxClients()) forgetIdleSessions(now, 0);
    if (sessions.size() >= options.maxClients()) return null;
    s = new Session(rid, key, now);
    sessions.put(key, s);
    clientCount = sessions.size();
    return s;
  }

  /** Dispatch: session requests are answered here on the I/O thread; board operations are queued for the board thread. */
  private void dispatch(Admitted a, long now) {
    Request r = a.request();
    if (r instanceof Request.Hello h) {
      hello(a, h, now);
    } else if (r instanceof Request.Heartbeat) {
      send(a.session(), a.requestId(), new Reply.Pong());
    } else if (r instanceof Request.Acquire) {
      // Acquiring is how a fenced client says it knows about the abort or the lapse.
      a.session().fence = null;
      send(a.session(), a.requestId(), grant(a.session(), now));
    } else if (r instanceof Request.Release) {
      release(a);
    } else if (r instanceof Request.Abort) {
      abort(a.session());
      send(a.session(), a.requestId(), new Reply.Ok());
    } else if (r.usesBoard()) {
      queueBoardOperation(a, now);
    } else {
      refuse(a.rid(), a.key(), a.requestId(), ErrorCode.MALFORMED, "request: " + r.getClass().getSimpleName() + " (expected: a request this server serves)");
    }
  }

  /** HELLO: the protocol version must match; names the session and, with a token, adopts its earlier connection. */
  private void hello(Admitted a, Request.Hello h, long now) {
    if (h.protocolVersion() != WireCodec.PROTOCOL_VERSION) {
      refuse(a.rid(), a.key(), a.requestId(), ErrorCode.VERSION, "protocol version: " + h.protocolVersion() + " (expected: " + WireCodec.PROTOCOL_VERSION + ")");
      return;
    }
    Session s = a.session();
    Label label = Label.of(h.clientLabel());
    s.id = label.text() + "#" + a.key();
    s.token = h.sessionToken();
    if (s.token != 0) adoptEarlierConnection(s, now);
    send(s, a.requestId(), new Reply.Welcome(WireCodec.PROTOCOL_VERSION, s.id, (int) options.heartbeat().toMillis(),
        (int) options.leaseTimeout().toMillis(), maxRequestBytes, advertised, label.note()));
  }

  /** RELEASE: only the holder may give the lease back. */
  private void release(Admitted a) {
    Session s = a.session();
    Lease l = lease;
    if (l == null || l.holder != s) {
      refuse(a.rid(), a.key(), a.requestId(), ErrorCode.ILLEGAL_STATE, "release: " + s.id + " does not hold the lease ("
          + (l == null ? "the board is free" : "held by " + l.holder.id) + ")");
      return;
    }
    lease = null;
    LOG.log(Level.INFO, "lease released by " + s.id);
    queueStatusPoll();
    send(s, a.requestId(), new Reply.Ok());
  }

  /**
   * A board operation: a fenced client gets its fence (STATUS excepted), a programming one needs the lease (granted
   * here when free), then it joins the board queue within the per-client and the queue's limits.
   */
  private void queueBoardOperation(Admitted a, long now) {
    Session s = a.session();
    long id = a.requestId();
    Request r = a.request();
    Reply.Error fence = s.fence;
    if (fence != null && !(r instanceof Request.Status)) {
      send(s, id, fence);
      return;
    }
    if (r.programs()) {
      Reply grant = grant(s, now);
      if (!(grant instanceof Reply.Lease)) {
        send(s, id, grant);
        return;
      }
    }
    if (s.pending.size() >= MAX_PENDING_PER_CLIENT) {
      refuse(a.rid(), a.key(), id, ErrorCode.BUSY, "requests in flight: " + s.pending.size() + " (expected: at most " + MAX_PENDING_PER_CLIENT + " per client)");
      return;
    }
    if (!queue.offer(new Task(s, id, r))) {
      refuse(a.rid(), a.key(), id, ErrorCode.BUSY, "board queue: " + MAX_QUEUED + " operations waiting (expected: fewer; try again)");
      return;
    }
    if (s.pending.isEmpty()) s.lastWorkingNanos = now;
    s.pending.add(id);
  }


  /**
   * A client that reconnected (new routing id, same token) takes over its earlier connection's lease; the
   * earlier connection is forgotten, and its queued programming operations fail the board thread's lease
   * check (LEASE_LOST) rather than run on behalf of a connection the client gave up.
   */
  private void adoptEarlierConnection(Session s, long now) {
    for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
      Session old = it.next();
      if (old == s || old.token != s.token) continue;
      if (s.fence == null) s.fence = old.fence;
      Lease l = lease;
      if (l != null && l.holder == old) {
        lease = new Lease(s, now + leaseNanos);
        LOG.log(Level.INFO, "lease of " + old.id + " moved to its new connection " + s.id);
      }
      it.remove();
    }
    clientCount = sessions.size();
  }

  /**
   * Sets the board idle at once, ends the lease and fences its holder, and answers ABORTED to the queued
   * requests that change devices and to all of the holder's queued requests (status polls excepted).
   */
  private void abort(Session by) {
    Lease l = lease;
    Session holder = l == null ? null : l.holder;
    Reply.Error stop = new Reply.Error(ErrorCode.ABORTED, "aborted by " + by.id + " at " + Instant.now()
        + "; outputs idle (expected: ACQUIRE before using the board again)");
    // Fence first: the board thread checks the fence before each operation it takes from the queue.
    if (holder != null) holder.fence = stop;
    lease = null;
    aborted = true;
    board.abort();
    int dropped = 0;
    for (Task t : queue.toArray(new Task[0])) {
      if (t.session == null || t.request instanceof Request.Status) continue;
      if ((t.request.programs() || t.session == holder) && queue.remove(t)) {
        t.session.pending.remove(t.requestId);
        send(t.session, t.requestId, stop);
        dropped++;
      }
    }
    LOG.log(Level.INFO, "abort from " + by.id + "; outputs idle" + (holder == null ? "" : "; lease of " + holder.id + " ended")
        + (dropped == 0 ? "" : "; " + dropped + " queued requests answered ABORTED"));
    queueStatusPoll();
  }

  /** Grants or renews the lease for {@code s}, or says who holds it. */
  private Reply grant(Session s, long now) {
    Lease l = lease;
    if (l == null || l.holder == s) {
      if (l == null) LOG.log(Level.INFO, "lease granted to " + s.id);
      lease = new Lease(s, now + leaseNanos);
      aborted = false;
      if (l == null) queueStatusPoll();
      return new Reply.Lease(s.id, TimeUnit.NANOSECONDS.toMillis(leaseNanos));
    }
    return new Reply.Held(l.holder.id, Math.max(0, TimeUnit.NANOSECONDS.toMillis(l.untilNanos - now)));
  }

  private void refuse(byte[] rid, String key, long requestId, ErrorCode code, String message) {
    Session s = sessions.get(key);
    refusals.log("refused " + code + " from " + (s == null ? "client#" + key : s.id) + ": " + message);
    send(rid, requestId, new Reply.Error(code, message));
  }

  private void housekeeping(long now) {
    Lease l = lease;
    // A holder with an operation queued or running keeps the lease: the board thread is its activity.
    if (l != null && l.holder.pending.isEmpty() && now - l.untilNanos > 0) {
      l.holder.fence = new Reply.Error(ErrorCode.LEASE_LOST, "lease of " + l.holder.id + " lapsed at " + Instant.now() + " after "
          + options.leaseTimeout().toMillis() + " ms without a message; the board was set idle (expected: ACQUIRE before using the board again)");
      lease = null;
      aborted = true;
      board.abort();
      LOG.log(Level.WARNING, "lease of " + l.holder.id + " lapsed (" + options.leaseTimeout().toMillis()
          + " ms without a message); board set idle");
      queueStatusPoll();
    }
    for (Session s : sessions.values()) {
      if (!s.pending.isEmpty() && now - s.lastWorkingNanos >= heartbeatNanos) {
        s.lastWorkingNanos = now;
        for (long id : s.pending) send(s, id, new Reply.Working());
      }
    }
    forgetIdleSessions(now, Math.max(2 * leaseNanos, 10 * heartbeatNanos));
  }

  private void forgetIdleSessions(long now, long idleNanos) {
    Lease l = lease;
    for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
      Session s = it.next();
      // A fenced client is remembered, so that it cannot come back unfenced as a stranger (only when the server is full).
      if (s.pending.isEmpty() && (l == null || l.holder != s) && (s.fence == null || idleNanos == 0) && now - s.lastSeenNanos >= idleNanos) it.remove();
    }
    clientCount = sessions.size();
  }

  private void queueStatusPoll() {
    if (pub != null && statusQueued.compareAndSet(false, true) && !queue.offer(new Task(null, 0, new Request.Status()))) statusQueued.set(false);
  }

  // ---------------------------------------------------------------- board thread

  private void boardLoop() {
    try {
      while (!stop) {
        Task t;
        try {
          t = queue.poll(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          break;
        }
        if (t == null) continue;
        if (t.session == null) {
          statusQueued.set(false);
          publishStatus();
          continue;
        }
        Reply reply = execute(t);
        // Never block: once the I/O thread has stopped there is no one to hand the reply to.
        if (stop || !pairBoard.send(t.session.routingId, ZMQ.SNDMORE | ZMQ.DONTWAIT)) continue;
        pairBoard.send(WireCodec.encode(t.requestId, reply), ZMQ.DONTWAIT);
      }
    } catch (RuntimeException e) {
      if (!stop) LOG.log(Level.ERROR, "server board thread failed; the board is set idle: " + e, e);
      board.abort();
    } finally {
      pairBoard.close();
    }
  }

  private Reply execute(Task t) {
    Request r = t.request;
    Reply.Error fence = t.session.fence;
    if (fence != null && !(r instanceof Request.Status)) return fence;
    if (r.programs()) {
      Lease l = lease;
      if (l == null || l.holder != t.session) {
        return new Reply.Error(ErrorCode.LEASE_LOST, "lease of " + t.session.id + " lapsed before the operation ran; not executed");
      }
    }
    try {
      return run(r);
    } catch (EnvelopeViolationException e) {
      refusals.log("refused by the server envelope for " + t.session.id + ": " + e.getMessage());
      return new Reply.Refused(e.limit(), e.requested(), e.allowed());
    } catch (IllegalArgumentException e) {
      return new Reply.Error(ErrorCode.INVALID_ARGUMENT, String.valueOf(e.getMessage()));
    } catch (IllegalStateException e) {
      return new Reply.Error(ErrorCode.ILLEGAL_STATE, String.valueOf(e.getMessage()));
    } catch (DriverAbortedException e) {
      return new Reply.Error(ErrorCode.ABORTED, String.valueOf(e.getMessage()));
    } catch (DriverException e) {
      LOG.log(Level.WARNING, "board error during " + r.getClass().getSimpleName() + " for " + t.session.id + ": " + e.getMessage());
      return boardFailure(e);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "board error during " + r.getClass().getSimpleName() + " for " + t.session.id + ": " + e);
      return new Reply.Error(ErrorCode.BOARD_IO, e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "server bug during " + r.getClass().getSimpleName() + " for " + t.session.id + "; board set idle", e);
      board.abort();
      return new Reply.Error(ErrorCode.INTERNAL, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /**
   * The served board's failure as the error code of its kind, so that the client raises the same kind
   * (REMOTE.md, error codes): the message is the board's own, its refusal code travels as the board code.
   */
  static Reply.Error boardFailure(DriverException e) {
    String message = String.valueOf(e.getMessage());
    return switch (e.kind()) {
      case OUTCOME_UNKNOWN -> new Reply.Error(ErrorCode.OUTCOME_UNKNOWN,
          message.endsWith(OutcomeUnknownException.ADVICE) ? message.substring(0, message.length() - OutcomeUnknownException.ADVICE.length()) : message);
      case REFUSED -> new Reply.Error(ErrorCode.BOARD_REFUSED, message, ((RefusedException) e).code());
      case TIMED_OUT -> new Reply.Error(ErrorCode.BOARD_TIMEOUT, message);
      case LINK_LOST -> new Reply.Error(ErrorCode.BOARD_LINK_LOST, message);
      case MALFORMED -> new Reply.Error(ErrorCode.BOARD_MALFORMED, message);
      case ABORTED -> new Reply.Error(ErrorCode.ABORTED, message);
    };
  }

  private Reply run(Request r) throws IOException {
    if (r instanceof Request.Status) {
      Lease l = lease;
      long left = l == null ? 0 : Math.max(0, TimeUnit.NANOSECONDS.toMillis(l.untilNanos - System.nanoTime()));
      return new Reply.Status(withAbortFlag(board.status()), l == null ? "" : l.holder.id, left, clientCount);
    } else if (r instanceof Request.Read x) {
      return new Reply.Value(board.read(x.cell(), x.readVolts()));
    } else if (r instanceof Request.Source x) {
      return new Reply.Value(SourceMeasure.of(board).source(x.cell(), x.volts(), x.durationNanos(), x.complianceAmps()));
    } else if (r instanceof Request.RunSweep x) {
      return new Reply.SweepData(SourceMeasure.of(board).sweep(x.cell(), x.sweep()));
    } else if (r instanceof Request.ReadDifferential x) {
      return new Reply.Value(board.readDifferential(x.array(), x.row(), x.col(), x.readVolts()));
    } else if (r instanceof Request.ApplyPulses x) {
      board.pulse(x.cell(), x.pulse(), x.count());
      return new Reply.Ok();
    } else if (r instanceof Request.PulseThenRead x) {
      return new Reply.Value(board.pulseThenRead(x.cell(), x.pulse(), x.count(), x.readVolts()));
    } else if (r instanceof Request.ReadRow x) {
      return new Reply.Vector(board.readRow(x.array(), x.plane(), x.row(), x.readVolts()));
    } else if (r instanceof Request.ReadColumn x) {
      return new Reply.Vector(board.readColumn(x.array(), x.plane(), x.col(), x.readVolts()));
    } else if (r instanceof Request.ReadArray x) {
      return new Reply.Map(board.readArray(x.array(), x.plane(), x.readVolts()));
    } else if (r instanceof Request.ForwardRead x) {
      return new Reply.Vector(board.forwardRead(x.tile(), x.mode(), x.rowVolts()));
    } else if (r instanceof Request.TransposeRead x) {
      return new Reply.Vector(board.transposeRead(x.tile(), x.mode(), x.colVolts()));
    } else if (r instanceof Request.ParallelUpdate x) {
      StochasticUpdate u = x.update();
      board.parallelUpdate(x.tile(), x.plane(), u);
      return new Reply.Ok();
    }
    throw new IllegalStateException("request: " + r.getClass().getSimpleName() + " (expected: a board operation)");
  }

  /**
   * The board's status with the server's abort flag as {@code aborted}: set by an abort or a lapsed lease, cleared
   * when the lease is next granted (the board's own flag, "the last operation was cut by an abort", would stay set
   * past the acquire until the next operation).
   */
  private DriverStatus withAbortFlag(DriverStatus st) {
    return st.aborted() == aborted ? st : new DriverStatus(st.outputsIdle(), aborted, st.pulsesApplied(), st.lastError());
  }

  private void publishStatus() {
    ObjectNode n = json.createObjectNode();
    n.put("type", "status");
    n.put("seq", statusSeq++);
    n.put("board", advertised.boardId());
    n.put("time", Instant.now().toString());
    try {
      DriverStatus st = withAbortFlag(board.status());
      n.put("outputsIdle", st.outputsIdle());
      n.put("aborted", st.aborted());
      n.put("pulsesApplied", st.pulsesApplied());
      n.put("lastError", st.lastError());
    } catch (IOException | RuntimeException e) {
      n.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    Lease l = lease;
    n.put("leaseHolder", l == null ? "" : l.holder.id);
    n.put("leaseRemainingMillis", l == null ? 0 : Math.max(0, TimeUnit.NANOSECONDS.toMillis(l.untilNanos - System.nanoTime())));
    n.put("clients", clientCount);
    publish("status", n.toString());
  }

  /**
   * A client's label as the server uses it: characters outside printable ASCII replaced by '?', cut to
   * {@link #MAX_LABEL} characters, "anonymous" when blank; the note says what changed ("" when nothing).
   */
  record Label(String text, String note) {
    static final int MAX_LABEL = 64;

    static Label of(String given) {
      String cleaned = given.replaceAll("[^\\p{Print}]", "?");
      List<String> notes = new ArrayList<>();
      if (!cleaned.equals(given)) notes.add("characters outside printable ASCII replaced by '?'");
      if (cleaned.length() > MAX_LABEL) {
        notes.add("cut from " + cleaned.length() + " to " + MAX_LABEL + " characters");
        cleaned = cleaned.substring(0, MAX_LABEL);
      }
      if (cleaned.isBlank()) {
        if (!given.isEmpty()) notes.add("blank");
        cleaned = "anonymous";
      }
      return new Label(cleaned, notes.isEmpty() ? "" : "label '" + cleaned + "': " + String.join(", ", notes) + " (expected: 1.." + MAX_LABEL + " printable ASCII characters)");
    }
  }

  /** At most one refusal line per 100 ms, with a count of those left out, so a flood cannot fill the disk. */
  private static final class RateLimitedLog {
    private long nextNanos;
    private long suppressed;

    synchronized void log(String line) {
      long now = System.nanoTime();
      if (now - nextNanos >= 0) {
        LOG.log(Level.WARNING, line + (suppressed > 0 ? " (" + suppressed + " similar lines left out)" : ""));
        suppressed = 0;
        nextNanos = now + 100_000_000L;
      } else {
        suppressed++;
      }
    }
  }
}
