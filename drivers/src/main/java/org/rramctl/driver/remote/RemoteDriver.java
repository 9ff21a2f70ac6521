package org.rramctl.driver.remote;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.DriverStatus;
import org.rramctl.driver.EnvelopeViolationException;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.MalformedMessageException;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.RefusedException;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.SweepResult;
import org.rramctl.driver.Tile;
import org.rramctl.driver.TimeoutNothingRanException;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A {@link CrossbarDriver} served by a {@link DriverServer} in another process or on another host
 * ({@code zmq+tcp://host:port}). Every operation is one request/reply round trip on a DEALER socket;
 * vector operations run on the server (natively or through its fallback), never device by device over
 * the network.
 *
 * <h2>Info</h2>
 * {@link #info()} is the server's board with {@code hardwareLimits} replaced by the server's envelope:
 * the limits the server will actually accept.
 *
 * <h2>Lease</h2>
 * The first programming operation takes the board's lease (or fails with a {@link RefusedException} of
 * code {@code HELD} naming the holder);
 * a heartbeat thread keeps it while the driver is open, and {@link #close()} gives it back.
 *
 * <h2>Aborts</h2>
 * An abort (from this driver or from any other client of the server) ends the lease and fences its holder:
 * every board operation of the holder then throws {@link DriverAbortedException} until {@link #acquire()}.
 * That is how an abort sent to the server stops a procedure driving the board from another process. After
 * its own {@link #abort()} this driver re-acquires by itself before its next board operation, so it stays
 * usable as the driver contract says.
 *
 * <h2>Failures</h2>
 * The kinds of {@link org.rramctl.driver.DriverException}: a request that cannot be sent within the
 * connect timeout fails with {@link LinkLostException} (not executed). A request whose server falls
 * silent, or that outlives the request timeout, fails with {@link OutcomeUnknownException} when it
 * changes devices or the lease (not known to have executed) and with {@link TimeoutNothingRanException}
 * otherwise; the socket is replaced so that a late server never executes it afterwards. An unreadable
 * reply is a {@link MalformedMessageException} (the cause of an outcome-unknown for a device-changing
 * request). Server refusals become the exceptions an in-process driver throws:
 * {@link EnvelopeViolationException}, {@link IllegalArgumentException}, {@link DriverAbortedException}.
 * A failure of the served board keeps its kind across the hop (error codes 11..15): an outcome-unknown,
 * a timeout with nothing run, a lost link to the board, the board's refusal with the board's own code
 * (e.g. {@code OUT_OF_RANGE}) and an unreadable board answer are thrown here as the same kind, with this
 * endpoint as the source and the board's message inside. Every other error code is a
 * {@link RefusedException} carrying it.
 *
 * <h2>Threading</h2>
 * One caller thread at a time, as for every driver; {@link #abort()} from any thread is sent at once on a
 * socket of its own and waits at most one second for the server's acknowledgement.
 */
public final class RemoteDriver implements CrossbarDriver {
  private static final long ABORT_WAIT_MILLIS = 1_000;
  /** The first abort attempt's wait; each further attempt, on a new connection, waits twice as long. */
  private static final long ABORT_FIRST_ATTEMPT_MILLIS = 100;

  private final String endpoint;
  private final ClientOptions options;
  private final ZContext ctx;
  private final ReentrantLock io = new ReentrantLock();
  private final ReentrantLock abortLock = new ReentrantLock();
  private ZMQ.Socket socket; // guarded by io; null after a failure until the next request reconnects
  private ZMQ.Socket abortSocket; // guarded by abortLock
  private boolean welcomed; // guarded by io
  private long nextId; // guarded by io
  private long nextAbortId = 1L << 31; // guarded by abortLock; apart from request ids, for logs
  private volatile long lastSentNanos;
  /** Whether this client may hold the lease (it programmed or acquired since it last released). */
  private volatile boolean mayHoldLease;
  /** Aborts this driver sent; compared with {@link #abortsSeen} before each board operation. */
  private final java.util.concurrent.atomic.AtomicLong ownAborts = new java.util.concurrent.atomic.AtomicLong();
  private long abortsSeen; // guarded by io
  private volatile boolean closed;
  private final BoardInfo info;
  private volatile String clientId;
  private long lastRequestId; // the main socket's latest request and when it was sent; guarded by io
  private long lastRequestStartNanos;
  private volatile String welcomeNote = "";
  private static final System.Logger LOG = System.getLogger(RemoteDriver.class.getName());
  private volatile int heartbeatMillis;
  private volatile long silenceNanos;
  private final Thread heartbeat;
  /** Identifies this driver across its reconnections (not a secret from the server; random so it is not guessed). */
  private final long sessionToken = new java.security.SecureRandom().nextLong() | 1L;

  private RemoteDriver(String endpoint, ClientOptions options) throws IOException {
    Endpoints.tcpHost(endpoint);
    this.endpoint = endpoint;
    this.options = options;
    this.ctx = new ZContext(1);
    ctx.setLinger(0);
    BoardInfo i;
    io.lock();
    try {
      i = hello();
    } catch (IOException | RuntimeException e) {
      io.unlock();
      ctx.close();
      throw e;
    }
    io.unlock();
    this.info = i;
    heartbeat = new Thread(this::heartbeatLoop, "rramctl-remote-heartbeat");
    heartbeat.setDaemon(true);
    heartbeat.start();
  }

  /**
   * Connects and says hello; the server's board info is cached.
   *
   * @param endpoint {@code tcp://host:port}
   * @throws LinkLostException when no connection could be used within the connect timeout
   */
  public static RemoteDriver open(String endpoint, ClientOptions options) throws IOException {
    return new RemoteDriver(endpoint, options);
  }

  public String endpoint() {
    return endpoint;
  }

  /** How the server names this client, e.g. in "board held by ...". */
  public String clientId() {
    return clientId;
  }

  /** What the server changed in this client's hello (its label cleaned or cut), or "" (also logged as a warning). */
  public String welcomeNote() {
    return welcomeNote;
  }

  private ZMQ.Socket newSocket() {
    ZMQ.Socket s = ctx.createSocket(SocketType.DEALER);
    // Immediate: queue only on a completed connection (and handshake), so a message is never left waiting
    // in a queue for a server that comes back later and then runs it.
    s.setImmediate(true);
    s.setLinger(0);
    s.setSendTimeOut((int) options.connectTimeout().toMillis());
    s.setReconnectIVL(50);
    s.setReconnectIVLMax(1_000);
    if (options.curve() != null) options.curve().apply(s);
    s.connect(endpoint);
    return s;
  }

  /**
   * Opens a fresh socket and handshakes. Caller holds {@code io}. A hello touches no board, so it is
   * simply tried again on a new socket until the connect timeout: on a loaded machine we measured about one
   * first message in a hundred never reaching a freshly started JeroMQ ROUTER, and a retry always got through.
   */
  private BoardInfo hello() throws IOException {
    long start = System.nanoTime();
    long budget = options.connectTimeout().toNanos();
    long attempt = Math.max(TimeUnit.MILLISECONDS.toNanos(250), Math.min(options.silenceTimeout().toNanos(), budget / 4));
    Reply r;
    while (true) {
      if (socket == null) socket = newSocket();
      try {
        r = exchange(Opcode.HELLO, new Request.Hello(WireCodec.PROTOCOL_VERSION, options.label(), sessionToken), attempt);
        break;
      } catch (TimeoutNothingRanException e) {
        long waited = System.nanoTime() - start;
        if (waited + attempt > budget) {
          throw unreachable(TimeUnit.NANOSECONDS.toMillis(waited), "connected, but the handshake got no answer: "
              + (options.curve() != null ? "is the server key right, and this client's key on its allow-list?" : "does the server require CURVE keys?"), e);
        }
      }
    }
    if (!(r instanceof Reply.Welcome w)) throw unexpected(Opcode.HELLO, r);
    if (info != null && !w.info().boardId().equals(info.boardId())) {
      dropSocket();
      throw new RefusedException(endpoint, Opcode.HELLO.name(), -1, ErrorCode.ILLEGAL_STATE.name(),
          "now serves board " + w.info().boardId() + ", not " + info.boardId() + " (expected: the board this driver was opened on)", null, null);
    }
    clientId = w.clientId();
    if (!w.note().isEmpty() && !w.note().equals(welcomeNote)) LOG.log(System.Logger.Level.WARNING, endpoint + ": " + w.note());
    welcomeNote = w.note();
    heartbeatMillis = w.heartbeatMillis();
    silenceNanos = Math.max(options.silenceTimeout().toNanos(), TimeUnit.MILLISECONDS.toNanos(3L * w.heartbeatMillis()));
    welcomed = true;
    return w.info();
  }

  private void dropSocket() {
    if (socket != null) socket.close();
    socket = null;
    welcomed = false;
  }

  /** The next request id of the main socket: 1..2^32-1, never 0 (the server refuses id 0). Caller holds {@code io}. */
  private long nextRequestId() {
    long id = ++nextId & 0xffffffffL;
    return id != 0 ? id : (++nextId & 0xffffffffL);
  }

  /** The next request id of the abort socket, from 2^31 up so logs tell the two apart; never 0. Caller holds {@code abortLock}. */
  private long nextAbortId() {
    long id = nextAbortId++ & 0xffffffffL;
    return id != 0 ? id : (nextAbortId++ & 0xffffffffL);
  }

  /** One request, one reply, on the main socket. */
  private Reply call(Opcode op, Request r) throws IOException {
    if (closed) throw new IllegalStateException("remote driver for board " + info.boardId() + " at " + endpoint + " is closed");
    io.lock();
    try {
      if (!welcomed) {
        dropSocket();
        hello();
      }
      long aborts = ownAborts.get();
      if (aborts != abortsSeen && r.usesBoard() && !(r instanceof Request.Status)) {
        // Our own abort fenced us if we held the lease: acknowledge it (whatever the answer, the fence is gone).
        abortsSeen = aborts;
        if (mayHoldLease) exchange(Opcode.ACQUIRE, new Request.Acquire());
      }
      Reply reply = exchange(op, r);
      // Conservative: a programming request not answered HELD was granted the lease, whatever happened next.
      if ((r.programs() && !(reply instanceof Reply.Held)) || reply instanceof Reply.Lease) mayHoldLease = true;
      if (reply instanceof Reply.Error e) {
        IOException failure = servedBoardFailure(op, e, lastRequestId, Duration.ofNanos(System.nanoTime() - lastRequestStartNanos));
        if (failure != null) throw failure;
      }
      return reply;
    } finally {
      io.unlock();
    }
  }

  /** Sends and waits for the matching reply. Caller holds {@code io}; a failure leaves no socket behind. */
  private Reply exchange(Opcode op, Request r) throws IOException {
    return exchange(op, r, silenceNanos > 0 ? silenceNanos : options.silenceTimeout().toNanos());
  }

  private Reply exchange(Opcode op, Request r, long silence) throws IOException {
    long id = nextRequestId();
    byte[] frame = WireCodec.encode(id, r);
    long start = System.nanoTime();
    lastRequestId = id;
    lastRequestStartNanos = start;
    if (!socket.send(frame, 0)) {
      dropSocket();
      throw unreachable(options.connectTimeout().toMillis(),
          options.curve() != null ? "is the server running, its key right, and this client's key on its allow-list?" : "is the server running?", null);
    }
    lastSentNanos = System.nanoTime();
    long lastHeard = lastSentNanos;
    long hardDeadline = start + options.requestTimeout().toNanos();
    while (true) {
      long now = System.nanoTime();
      long until = Math.min(lastHeard + silence, hardDeadline);
      if (now - until >= 0) {
        dropSocket();
        Duration waited = Duration.ofNanos(now - start);
        String why = now - hardDeadline >= 0 ? "exceeded the request timeout" : "got no reply and no heartbeat from the server";
        if (changesState(op)) throw new OutcomeUnknownException(endpoint, op.name(), id, waited, why, null);
        throw new TimeoutNothingRanException(endpoint, op.name(), id, waited, why + "; it changes no device", null);
      }
      socket.setReceiveTimeOut((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - now)));
      byte[] in = socket.recv(0);
      if (in == null) continue;
      WireCodec.ReplyFrame f;
      try {
        f = WireCodec.decodeReply(in);
      } catch (MalformedMessageException e) {
        dropSocket();
        MalformedMessageException m = new MalformedMessageException(endpoint, "reply to " + op + " #" + id + ": " + e.getMessage(), e.opcode(), e.offset(), e);
        if (changesState(op)) throw new OutcomeUnknownException(endpoint, op.name(), id, null, "its reply was unreadable", m);
        throw m;
      }
      if (f.requestId() != id) continue; // a late reply to a heartbeat or to an earlier request
      lastHeard = System.nanoTime();
      if (f.reply() instanceof Reply.Working) continue;
      return f.reply();
    }
  }

  private IOException unexpected(Opcode op, Reply r) {
    if (r instanceof Reply.Error e) return refused(op, e);
    return new MalformedMessageException(endpoint, op + ": reply " + r.getClass().getSimpleName() + " (expected: the reply this request has)", -1, -1, null);
  }

  /**
   * The served board's failure as the same kind it was on the server (REMOTE.md, error codes 11..15), or null
   * for an error reply that is the server's own.
   */
  private IOException servedBoardFailure(Opcode op, Reply.Error e, long id, Duration waited) {
    String board = "the served board: " + e.message();
    return switch (e.code()) {
      case OUTCOME_UNKNOWN -> new OutcomeUnknownException(endpoint, op.name(), id, null, "the served board cannot tell (" + e.message() + ")", null);
      case BOARD_TIMEOUT -> new TimeoutNothingRanException(endpoint, op.name(), id, waited, board, null);
      case BOARD_LINK_LOST -> new LinkLostException(endpoint, "the server's link to its board: " + e.message() + "; " + op + " #" + id + " did not run");
      case BOARD_REFUSED -> new RefusedException(endpoint, op.name(), id, e.boardCode().isEmpty() ? ErrorCode.BOARD_REFUSED.name() : e.boardCode(), board, null, null);
      case BOARD_MALFORMED -> {
        MalformedMessageException m = new MalformedMessageException(endpoint, "the served board's answer to " + op + " #" + id + " (" + e.message() + ")", -1, -1, null);
        yield changesState(op) ? new OutcomeUnknownException(endpoint, op.name(), id, null, "the served board's answer was unreadable", m) : m;
      }
      default -> null;
    };
  }

  private RefusedException refused(Opcode op, Reply.Error e) {
    return new RefusedException(endpoint, op.name(), -1, e.code().name(), e.message(), null, null);
  }

  private LinkLostException unreachable(long waitedMillis, String hint, Throwable cause) {
    return new LinkLostException(endpoint, "no usable connection within " + waitedMillis + " ms; no operation was executed (" + hint + ")", cause);
  }

  /** Requests whose outcome matters when no reply comes: they change devices or the lease. */
  private static boolean changesState(Opcode op) {
    return switch (op) {
      case PULSE, PULSE_THEN_READ, PARALLEL_UPDATE, SOURCE, SWEEP, ACQUIRE, RELEASE -> true;
      default -> false;
    };
  }

  /** Turns refusals into the exceptions an in-process driver throws; returns the reply otherwise. */
  private Reply check(Opcode op, Reply r) throws IOException {
    if (r instanceof Reply.Refused f) throw new EnvelopeViolationException(f.limit(), f.requested(), f.allowed());
    if (r instanceof Reply.Held h) {
      throw new RefusedException(endpoint, op.name(), -1, "HELD", "board held by " + h.holder() + " for " + h.remainingMillis()
          + " ms at least (its lease is renewed while the holder is connected; try again later)", null, null);
    }
    if (r instanceof Reply.Error e) {
      switch (e.code()) {
        case INVALID_ARGUMENT:
          throw new IllegalArgumentException(e.message());
        case ILLEGAL_STATE:
          throw new IllegalStateException(e.message());
        case ABORTED:
          throw new DriverAbortedException(endpoint, e.message());
        default:
          throw refused(op, e);
      }
    }
    return r;
  }

  private double value(Opcode op, Request r) throws IOException {
    Reply reply = check(op, call(op, r));
    if (reply instanceof Reply.Value v) return v.value();
    throw unexpected(op, reply);
  }

  private double[] vector(Opcode op, Request r) throws IOException {
    Reply reply = check(op, call(op, r));
    if (reply instanceof Reply.Vector v) return v.values();
    throw unexpected(op, reply);
  }

  private void ok(Opcode op, Request r) throws IOException {
    Reply reply = check(op, call(op, r));
    if (!(reply instanceof Reply.Ok)) throw unexpected(op, reply);
  }

  @Override
  public BoardInfo info() {
    return info;
  }

  @Override
  public double read(Cell cell, double readVolts) throws IOException {
    return value(Opcode.READ, new Request.Read(cell, readVolts));
  }

  @Override
  public void pulse(Cell cell, Pulse pulse, int count) throws IOException {
    ok(Opcode.PULSE, new Request.ApplyPulses(cell, pulse, count));
  }

  @Override
  public double pulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) throws IOException {
    return value(Opcode.PULSE_THEN_READ, new Request.PulseThenRead(cell, pulse, count, readVolts));
  }

  /**
   * The served board's source-measure role, present when its board info declares {@link Capability#SOURCE_MEASURE}:
   * each {@link SourceMeasure#source} and each {@link SourceMeasure#sweep} is one request (SOURCE, SWEEP) that
   * programs, so it takes the lease like a pulse. A sweep runs on the server as the board runs it (natively where
   * the board declares {@link Capability#SWEEP}, else composed there from its source calls) and must finish within
   * the request timeout.
   */
  @Override
  public Optional<SourceMeasure> sourceMeasure() {
    return info.nativeOps().contains(Capability.SOURCE_MEASURE) ? Optional.of(sourceMeasure) : Optional.empty();
  }

  private final SourceMeasure sourceMeasure = new SourceMeasure() {
    @Override
    public double source(Cell cell, double volts, long durationNanos, double complianceAmps) throws IOException {
      return value(Opcode.SOURCE, new Request.Source(cell, volts, durationNanos, complianceAmps));
    }

    @Override
    public SweepResult sweep(Cell cell, Sweep sweep) throws IOException {
      Reply reply = check(Opcode.SWEEP, call(Opcode.SWEEP, new Request.RunSweep(cell, sweep)));
      if (reply instanceof Reply.SweepData d) return d.result();
      throw unexpected(Opcode.SWEEP, reply);
    }
  };

  /** One request: the server reads both devices back to back, with no other client's operation in between. */
  @Override
  public double readDifferential(int array, int row, int col, double readVolts) throws IOException {
    return value(Opcode.READ_DIFFERENTIAL, new Request.ReadDifferential(array, row, col, readVolts));
  }

  @Override
  public double[] readRow(int array, Plane plane, int row, double readVolts) throws IOException {
    return vector(Opcode.READ_ROW, new Request.ReadRow(array, plane, row, readVolts));
  }

  @Override
  public double[] readColumn(int array, Plane plane, int col, double readVolts) throws IOException {
    return vector(Opcode.READ_COLUMN, new Request.ReadColumn(array, plane, col, readVolts));
  }

  @Override
  public ConductanceMap readArray(int array, Plane plane, double readVolts) throws IOException {
    Reply reply = check(Opcode.READ_ARRAY, call(Opcode.READ_ARRAY, new Request.ReadArray(array, plane, readVolts)));
    if (reply instanceof Reply.Map m) return m.map();
    throw unexpected(Opcode.READ_ARRAY, reply);
  }

  @Override
  public double[] forwardRead(Tile tile, ReadMode mode, double[] rowVolts) throws IOException {
    return vector(Opcode.FORWARD_READ, new Request.ForwardRead(tile, mode, rowVolts));
  }

  @Override
  public double[] transposeRead(Tile tile, ReadMode mode, double[] colVolts) throws IOException {
    return vector(Opcode.TRANSPOSE_READ, new Request.TransposeRead(tile, mode, colVolts));
  }

  @Override
  public void parallelUpdate(Tile tile, Plane plane, StochasticUpdate update) throws IOException {
    ok(Opcode.PARALLEL_UPDATE, new Request.ParallelUpdate(tile, plane, update));
  }

  @Override
  public DriverStatus status() throws IOException {
    return serverStatus().status();
  }

  /** The board's status with the server's view of the lease and its clients. */
  public Reply.Status serverStatus() throws IOException {
    Reply reply = check(Opcode.STATUS, call(Opcode.STATUS, new Request.Status()));
    if (reply instanceof Reply.Status s) return s;
    throw unexpected(Opcode.STATUS, reply);
  }

  /**
   * Takes (or renews) the programming lease now rather than at the first programming operation.
   *
   * @throws RefusedException of code {@code HELD}, naming the holder, when another client has it
   */
  public void acquire() throws IOException {
    Reply reply = check(Opcode.ACQUIRE, call(Opcode.ACQUIRE, new Request.Acquire()));
    if (!(reply instanceof Reply.Lease)) throw unexpected(Opcode.ACQUIRE, reply);
  }

  /** Gives the lease back; {@link IllegalStateException} when this client does not hold it (the server refuses). */
  public void release() throws IOException {
    mayHoldLease = false;
    ok(Opcode.RELEASE, new Request.Release());
  }

  /**
   * Sends an abort on a socket of its own, so it does not wait behind an operation in progress; waits at
   * most one second for the acknowledgement. Never throws.
   */
  @Override
  public void abort() {
    abortAndConfirm();
  }

  /**
   * {@link #abort()}, and whether the server acknowledged it (it answers once the board's abort has returned).
   * False when no acknowledgement came within one second (a server that is gone or stalled, an unreachable
   * host): the outputs' state is then unknown, and Ctrl-C says so instead of "confirmed idle".
   */
  @Override
  public boolean abortAndConfirm() {
    if (closed) return false;
    abortLock.lock();
    try {
      if (closed) return false;
      long start = System.nanoTime();
      long deadline = start + TimeUnit.MILLISECONDS.toNanos(ABORT_WAIT_MILLIS);
      // A message sent on a fresh JeroMQ connection is now and then never delivered (measured here: 24 of 200 first
      // aborts on a new socket reached no server, on an idle machine). An abort is idempotent, so an attempt that got no
      // answer is sent again on a new connection, with a longer wait each time, until the deadline.
      long attemptMillis = ABORT_FIRST_ATTEMPT_MILLIS;
      while (true) {
        long attemptEnd = Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(attemptMillis));
        Boolean answer = abortAttempt(attemptEnd);
        if (answer != null) return answer;
        resetAbortSocket();
        if (deadline - System.nanoTime() <= 0) return false;
        attemptMillis *= 2;
      }
    } catch (RuntimeException e) {
      // abort() never throws: the caller is usually already handling another failure.
      resetAbortSocket();
      return false;
    } finally {
      ownAborts.incrementAndGet();
      abortLock.unlock();
    }
  }

  /**
   * One abort attempt on the abort socket (opened and introduced when absent): whether the server acknowledged it,
   * or null when nothing answered by {@code attemptEnd}. Caller holds {@code abortLock}.
   */
  private Boolean abortAttempt(long attemptEnd) {
    int sendMillis = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(attemptEnd - System.nanoTime()));
    if (abortSocket == null) {
      abortSocket = newSocket();
      abortSocket.setSendTimeOut(sendMillis);
      // Introduce the new connection (so the server names this client in its abort message and log), without
      // waiting for the welcome: the server handles the two in order. Token 0: not a reconnection of the main socket.
      if (!abortSocket.send(WireCodec.encode(nextAbortId(), new Request.Hello(WireCodec.PROTOCOL_VERSION, options.label(), 0)), 0)) {
        return null;
      }
    }
    long id = nextAbortId();
    abortSocket.setSendTimeOut(sendMillis);
    if (!abortSocket.send(WireCodec.encode(id, new Request.Abort()), 0)) return null;
    while (true) {
      long left = attemptEnd - System.nanoTime();
      if (left <= 0) return null;
      abortSocket.setReceiveTimeOut((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      byte[] in = abortSocket.recv(0);
      if (in != null && WireCodec.requestIdOf(in) == id) {
        try {
          return !(WireCodec.decodeReply(in).reply() instanceof Reply.Error);
        } catch (MalformedMessageException e) {
          return false;
        }
      }
    }
  }

  private void resetAbortSocket() {
    if (abortSocket != null) abortSocket.close();
    abortSocket = null;
  }

  /** Keeps the lease and the server's view of this client alive while the caller is idle. */
  private void heartbeatLoop() {
    while (!closed) {
      long interval = TimeUnit.MILLISECONDS.toNanos(Math.max(5, heartbeatMillis));
      java.util.concurrent.locks.LockSupport.parkNanos(this, interval / 2);
      if (closed) return;
      if (System.nanoTime() - lastSentNanos < interval) continue;
      if (!io.tryLock()) continue; // a request is in flight: that is traffic enough
      try {
        if (closed || socket == null || !welcomed) continue;
        // Drain late replies (earlier pongs) without waiting, then ping.
        while (socket.recv(ZMQ.DONTWAIT) != null) {
          // discard
        }
        long id = nextRequestId();
        socket.send(WireCodec.encode(id, new Request.Heartbeat()), ZMQ.DONTWAIT);
        lastSentNanos = System.nanoTime();
      } catch (RuntimeException e) {
        // The next request reports the trouble with its own timeout.
      } finally {
        io.unlock();
      }
    }
  }

  /** Releases the lease (waiting briefly), closes the sockets. Idempotent. */
  @Override
  public void close() {
    if (closed) return;
    io.lock();
    try {
      if (closed) return;
      if (socket != null && welcomed) {
        try {
          socket.setSendTimeOut(200);
          silenceNanos = TimeUnit.MILLISECONDS.toNanos(500);
          exchange(Opcode.RELEASE, new Request.Release());
        } catch (IOException | RuntimeException e) {
          // Best effort: an unreleased lease lapses on the server after its timeout.
        }
      }
      closed = true;
      dropSocket();
    } finally {
      io.unlock();
    }
    heartbeat.interrupt();
    java.util.concurrent.locks.LockSupport.unpark(heartbeat);
    abortLock.lock();
    try {
      resetAbortSocket();
    } finally {
      abortLock.unlock();
    }
    ctx.close();
  }
}
