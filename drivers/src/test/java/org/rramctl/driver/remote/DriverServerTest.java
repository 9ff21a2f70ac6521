package org.rramctl.driver.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Cell;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.DriverException;
import org.rramctl.driver.EnvelopeViolationException;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.MalformedMessageException;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.RefusedException;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.TimeoutNothingRanException;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DriverServerTest {
  private static final Cell C00 = Cell.active(0, 0, 0);
  private static final Pulse UP = Pulse.up(1.0, Duration.ofNanos(100));
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<String> logLines = new CopyOnWriteArrayList<>();
  private final Logger serverLog = Logger.getLogger(DriverServer.class.getName());
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      logLines.add(r.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private RecordingDriver board;

  @BeforeEach
  void setUp() {
    board = new RecordingDriver();
    serverLog.addHandler(capture);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    serverLog.removeHandler(capture);
  }

  private <T extends AutoCloseable> T closing(T c) {
    toClose.add(c);
    return c;
  }

  private DriverServer serve(ServerOptions o) throws IOException {
    return closing(DriverServer.start(board, o));
  }

  private static ServerOptions loopback() {
    return ServerOptions.of("tcp://127.0.0.1:*").withLeaseTimeout(Duration.ofMillis(400)).withHeartbeat(Duration.ofMillis(50));
  }

  private RemoteDriver client(DriverServer s, String label) throws IOException {
    return closing(RemoteDriver.open(s.endpoint(), fastClient(label)));
  }

  private static ClientOptions fastClient(String label) {
    return ClientOptions.defaults().withLabel(label).withConnectTimeout(Duration.ofSeconds(2)).withSilenceTimeout(Duration.ofSeconds(2));
  }

  /** The reply to request {@code id}, skipping the server's "still working" heartbeats. */
  private static Reply awaitReply(ZMQ.Socket raw, long id) throws IOException {
    raw.setReceiveTimeOut(10_000);
    while (true) {
      byte[] in = raw.recv(0);
      if (in == null) throw new IOException("no reply to #" + id);
      WireCodec.ReplyFrame f = WireCodec.decodeReply(in);
      if (f.requestId() == id && !(f.reply() instanceof Reply.Working)) return f.reply();
    }
  }

  @Test
  void severalClientsReadWhileOnlyTheLeaseHolderProgramsAndNoOperationIsLostOrDuplicated() throws Exception {
    DriverServer s = serve(loopback().withLeaseTimeout(Duration.ofSeconds(5)));
    RemoteDriver holder = client(s, "holder");
    holder.acquire();
    List<RemoteDriver> readers = List.of(client(s, "reader-a"), client(s, "reader-b"), client(s, "reader-c"));
    int pulses = 1000;
    int readsEach = 500;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Future<Integer> programmer = pool.submit(() -> {
        for (int i = 0; i < pulses; i++) holder.pulse(Cell.active(0, i % 4, i % 3), UP, 1);
        return pulses;
      });
      List<Future<Integer>> refusals = new ArrayList<>();
      for (RemoteDriver r : readers) {
        refusals.add(pool.submit((Callable<Integer>) () -> {
          int held = 0;
          for (int i = 0; i < readsEach; i++) {
            r.read(Cell.active(0, i % 4, 1), 0.2);
            if (i % 100 == 0) {
              RefusedException e = assertThrows(RefusedException.class, () -> r.pulse(C00, UP, 1));
              assertEquals("HELD", e.code());
              assertTrue(e.getMessage().contains("held by " + holder.clientId() + " for "), e.getMessage());
              held++;
            }
          }
          return held;
        }));
      }
      assertEquals(pulses, programmer.get());
      for (Future<Integer> f : refusals) assertEquals(readsEach / 100, f.get());
    } finally {
      pool.shutdownNow();
    }
    assertEquals(pulses, holder.status().pulsesApplied(), "every pulse applied exactly once");
    assertEquals(pulses, board.pulses.get());
    assertEquals(3L * readsEach, board.reads.get(), "every read executed exactly once");
    assertEquals(0, board.overlaps.get(), "the board never saw two operations at once");
  }

  @Test
  void aClientKilledMidLeaseLosesItAfterTheTimeoutAndTheBoardIsSetIdle() throws Exception {
    // A 2 s lease: long enough that the next client is connected (a HELLO retry included) and sees the dead
    // client still holding it; 400 ms lapsed first once on a fresh machine's cold JVM.
    DriverServer s = serve(loopback().withLeaseTimeout(Duration.ofSeconds(2)));
    try (ZContext ctx = new ZContext()) {
      ctx.setLinger(0);
      ZMQ.Socket raw = connectedRawSocket(ctx, s, "doomed"); // HELLO answered by WELCOME
      raw.send(WireCodec.encode(2, new Request.ApplyPulses(C00, UP, 5)), 0);
      assertInstanceOf(Reply.Ok.class, awaitReply(raw, 2));
      // Vanish without releasing: the socket and its connection go away.
    }
    RemoteDriver other = client(s, "next");
    Reply.Status st = other.serverStatus();
    assertTrue(st.leaseHolder().startsWith("doomed#"), st.toString());
    assertEquals("HELD", assertThrows(RefusedException.class, () -> other.pulse(C00, UP, 1)).code());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!other.serverStatus().leaseHolder().isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the lease lapses within its timeout plus a tick");
    }
    assertTrue(board.aborts.get() >= 1, "the lapse set the board idle through abort()");
    assertTrue(other.status().outputsIdle());
    assertTrue(logLines.stream().anyMatch(l -> l.contains("lease of doomed#") && l.contains("lapsed")), logLines.toString());
    other.pulse(C00, UP, 1);
    assertEquals(6, board.pulses.get());
  }

  @Test
  void aServerRestartedUnderItsClientsGivesClearErrorsThenRecovers() throws Exception {
    DriverServer first = DriverServer.start(board, loopback());
    String endpoint = first.endpoint();
    RemoteDriver c = client(first, "survivor");
    c.pulse(C00, UP, 2);
    // An operation in flight when the server dies.
    board.blockReads.set(true);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> inFlight = pool.submit(() -> c.read(C00, 0.2));
      assertTrue(board.readBlocked.await(50, TimeUnit.SECONDS), "the read reached the board");
      first.close();
      Exception e = assertThrows(Exception.class, inFlight::get);
      TimeoutNothingRanException u = assertInstanceOf(TimeoutNothingRanException.class, e.getCause(), "a read changes no device");
      assertTrue(u.getMessage().contains("got no reply and no heartbeat"), u.getMessage());
      // The silence rule, not the (longer) request timeout, reported it: no wall-clock bound needed.
      assertEquals("READ", u.operation());
    } finally {
      pool.shutdownNow();
    }
    IOException down = assertThrows(IOException.class, () -> c.read(C00, 0.2));
    assertTrue(down.getMessage().contains(endpoint), down.getMessage());

    DriverServer second = serve(ServerOptions.of(endpoint).withLeaseTimeout(Duration.ofMillis(400)).withHeartbeat(Duration.ofMillis(50)));
    assertEquals(endpoint, second.endpoint());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    double g = Double.NaN;
    while (Double.isNaN(g)) {
      try {
        g = c.read(C00, 0.2);
      } catch (LinkLostException | TimeoutNothingRanException retry) {
        assertTrue(System.nanoTime() < deadline, "the client recovers once the server is back: " + retry.getMessage());
      }
    }
    c.pulse(C00, UP, 1);
    assertEquals(3, board.pulses.get(), "nothing ran twice across the restart");
  }

  @Test
  void aPulseThatOutlivesTheRequestTimeoutHasAnUnknownOutcomeThatNoTimeoutCatchSwallows() throws Exception {
    DriverServer s = serve(loopback().withLeaseTimeout(Duration.ofSeconds(5)));
    RemoteDriver c = closing(RemoteDriver.open(s.endpoint(), fastClient("pulser").withRequestTimeout(Duration.ofMillis(300))));
    board.blockPulsesAfter.set(0);
    IOException e = assertThrows(IOException.class, () -> c.pulse(C00, UP, 1));
    assertFalse(e instanceof InterruptedIOException, "a catch (InterruptedIOException) would take it for a timeout in which nothing ran: " + e);
    OutcomeUnknownException u = assertInstanceOf(OutcomeUnknownException.class, e);
    assertEquals("PULSE", u.operation());
    assertEquals(s.endpoint(), u.source());
    assertTrue(u.waited().isPresent(), "says how long it waited");
    assertTrue(u.getMessage().startsWith(s.endpoint() + ": outcome unknown: PULSE (sequence "), u.getMessage());
    board.abort();
  }

  @Test
  void aClientThatGaveUpOnARequestKeepsItsLeaseOnItsNewConnection() throws Exception {
    DriverServer s = serve(loopback().withLeaseTimeout(Duration.ofSeconds(5)));
    RemoteDriver holder = closing(RemoteDriver.open(s.endpoint(), fastClient("holder").withRequestTimeout(Duration.ofMillis(300))));
    holder.acquire();
    String firstId = holder.clientId();
    board.blockReads.set(true);
    TimeoutNothingRanException e = assertThrows(TimeoutNothingRanException.class, () -> holder.read(C00, 0.2));
    assertTrue(e.getMessage().contains("request timeout"), e.getMessage());
    board.abort(); // lets the stuck read finish on the server
    holder.pulse(C00, UP, 1);
    assertTrue(!holder.clientId().equals(firstId), "a new connection: " + holder.clientId());
    RemoteDriver other = client(s, "other");
    RefusedException held = assertThrows(RefusedException.class, () -> other.pulse(C00, UP, 1));
    assertEquals("HELD", held.code());
    assertTrue(held.detail().startsWith("board held by " + holder.clientId() + " "), held.detail());
    assertEquals(1, board.pulses.get());
  }

  @Test
  void theServersOwnEnvelopeIsStricterAndRefusalsNeverReachTheBoard() throws Exception {
    SafetyEnvelope strict = new SafetyEnvelope(RecordingDriver.LIMITS.withMaxPulseVolts(1.5));
    DriverServer s = serve(loopback().withEnvelope(strict));
    RemoteDriver c = client(s, "careful");
    assertEquals(1.5, c.info().hardwareLimits().maxPulseVolts(), "clients see the server's envelope as the limits");
    EnvelopeViolationException e = assertThrows(EnvelopeViolationException.class, () -> c.pulse(C00, UP.withAmplitudeVolts(2.0), 1));
    assertEquals("pulse amplitude", e.limit());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> c.read(Cell.active(0, 9, 0), 0.2));
    assertTrue(bad.getMessage().contains("outside"), bad.getMessage());
    assertEquals(0, board.pulses.get());
    assertEquals(0, board.reads.get());
  }

  @Test
  void statusIsPublishedAsTopicAndJsonWithItsOwnSequenceNumbers() throws Exception {
    // A 5 s lease: the holder must still hold it when the status is read (400 ms lapsed once under load).
    DriverServer s = serve(loopback().withPublish("tcp://127.0.0.1:*").withLeaseTimeout(Duration.ofSeconds(5)));
    String pubEndpoint = s.publishEndpoint().orElseThrow();
    assertTrue(s.publish("run", "{\"type\":\"start\",\"seq\":0}"));
    RemoteDriver c = client(s, "watched");
    c.pulse(C00, UP, 4);
    try (ZContext ctx = new ZContext()) {
      ctx.setLinger(0);
      // Status goes out every heartbeat, so silence means this subscription was lost on the way (we saw
      // JeroMQ lose a new connection's first message about once in a hundred under load): subscribe again.
      ZMQ.Socket sub = null;
      for (int attempt = 0; attempt < 5 && sub == null; attempt++) {
        ZMQ.Socket candidate = ctx.createSocket(SocketType.SUB);
        candidate.subscribe("status".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        candidate.setReceiveTimeOut(2_000);
        candidate.connect(pubEndpoint);
        if (candidate.recv(0) != null) {
          while (candidate.hasReceiveMore()) candidate.recv(0);
          sub = candidate;
        } else {
          ctx.destroySocket(candidate);
        }
      }
      assertTrue(sub != null, "status arrives on the PUB socket");
      // Two in a row show the sequence; each message is exactly [topic, JSON] (src/LIVE-DATA.md).
      long previous = -1;
      for (int k = 0; k < 2; k++) {
        assertEquals("status", sub.recvStr(0));
        assertTrue(sub.hasReceiveMore());
        String doc = sub.recvStr(0);
        assertTrue(!sub.hasReceiveMore(), "two frames, no more");
        com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(doc);
        assertEquals("status", n.path("type").asText(), doc);
        assertEquals(4, n.path("pulsesApplied").asLong(), doc);
        assertTrue(n.path("leaseHolder").asText().startsWith("watched#"), doc);
        long seq = n.path("seq").asLong(-1);
        if (previous >= 0) assertEquals(previous + 1, seq, "consecutive sequence numbers");
        previous = seq;
      }
    }
  }

  /** Waits until the server has said WORKING for request {@code id}: proof that it is queued or running. */
  private static void awaitWorking(ZMQ.Socket raw, long id) throws IOException {
    raw.setReceiveTimeOut(10_000);
    while (true) {
      byte[] in = raw.recv(0);
      if (in == null) throw new IOException("no WORKING for #" + id);
      WireCodec.ReplyFrame f = WireCodec.decodeReply(in);
      if (f.requestId() == id && f.reply() instanceof Reply.Working) return;
      assertTrue(f.requestId() != id, "request #" + id + " answered early: " + f.reply());
    }
  }

  /** The replies to several requests, in whatever order they come (WORKING skipped). */
  private static java.util.Map<Long, Reply> awaitReplies(ZMQ.Socket raw, long... ids) throws IOException {
    raw.setReceiveTimeOut(10_000);
    java.util.Map<Long, Reply> got = new java.util.HashMap<>();
    java.util.Set<Long> wanted = new java.util.HashSet<>();
    for (long id : ids) wanted.add(id);
    while (!got.keySet().containsAll(wanted)) {
      byte[] in = raw.recv(0);
      if (in == null) throw new IOException("replies so far " + got + " (expected: to " + wanted + ")");
      WireCodec.ReplyFrame f = WireCodec.decodeReply(in);
      if (wanted.contains(f.requestId()) && !(f.reply() instanceof Reply.Working)) got.put(f.requestId(), f.reply());
    }
    return got;
  }

  private static Reply.Error assertError(ErrorCode code, Reply r) {
    Reply.Error e = assertInstanceOf(Reply.Error.class, r, () -> "expected " + code + ", got " + r);
    assertEquals(code, e.code(), e.message());
    return e;
  }

  @Test
  void anAbortStopsTheTrainInFlightAnswersTheHoldersQueuedRequestsAndFencesItUntilItAcquires() throws Exception {
    DriverServer s = serve(loopback().withLeaseTimeout(Duration.ofSeconds(5)));
    RemoteDriver operator = client(s, "operator");
    board.blockPulsesAfter.set(10);
    try (ZContext ctx = new ZContext()) {
      ctx.setLinger(0);
      ZMQ.Socket holder = connectedRawSocket(ctx, s, "holder");
      holder.send(WireCodec.encode(2, new Request.ApplyPulses(C00, UP, 1000)), 0);
      assertTrue(board.pulseBlocked.await(50, TimeUnit.SECONDS), "the train is in flight");
      holder.send(WireCodec.encode(3, new Request.ApplyPulses(C00, UP, 5)), 0);
      holder.send(WireCodec.encode(4, new Request.Read(C00, 0.2)), 0);
      awaitWorking(holder, 4); // both are queued behind the train

      operator.abort();

      java.util.Map<Long, Reply> replies = awaitReplies(holder, 2, 3, 4);
      assertError(ErrorCode.ABORTED, replies.get(2L));
      assertTrue(assertError(ErrorCode.ABORTED, replies.get(3L)).message().contains("aborted by operator#"), replies.toString());
      assertError(ErrorCode.ABORTED, replies.get(4L));
      Reply.Status st = operator.serverStatus();
      assertEquals(10, st.status().pulsesApplied(), "no pulse after the abort beyond the one in progress");
      assertTrue(st.status().aborted(), "the status flag is set");
      assertEquals("", st.leaseHolder(), "the abort ended the lease");

      // The holder is fenced: every board operation but status is refused until it acquires.
      holder.send(WireCodec.encode(5, new Request.ApplyPulses(C00, UP, 1)), 0);
      assertError(ErrorCode.ABORTED, awaitReply(holder, 5));
      holder.send(WireCodec.encode(6, new Request.Read(C00, 0.2)), 0);
      assertError(ErrorCode.ABORTED, awaitReply(holder, 6));
      holder.send(WireCodec.encode(7, new Request.Status()), 0);
      assertTrue(assertInstanceOf(Reply.Status.class, awaitReply(holder, 7)).status().aborted());
      assertEquals(10, board.pulses.get());
      assertEquals(0, board.reads.get(), "the queued and the fenced reads never reached the board");

      holder.send(WireCodec.encode(8, new Request.Acquire()), 0);
      assertInstanceOf(Reply.Lease.class, awaitReply(holder, 8));
      assertTrue(!operator.status().aborted(), "cleared by the next acquire");
      holder.send(WireCodec.encode(9, new Request.ApplyPulses(C00, UP, 2)), 0);
      assertInstanceOf(Reply.Ok.class, awaitReply(holder, 9));
      assertEquals(12, board.pulses.get());
    }
    assertEquals(0, board.overlaps.get());
  }

  @Test
  void anAbortFromAnotherClientStopsTheHolderButItsOwnAbortLeavesItUsable() throws Exception {
    DriverServer s = serve(loopback().withLeaseTimeout(Duration.ofSeconds(5)));
    RemoteDriver holder = client(s, "holder");
    RemoteDriver other = client(s, "other");
    holder.pulse(C00, UP, 3);
    other.abort();
    org.rramctl.driver.DriverAbortedException stopped = assertThrows(org.rramctl.driver.DriverAbortedException.class, () -> holder.pulse(C00, UP, 1));
    assertTrue(stopped.getMessage().contains("aborted by "), stopped.getMessage());
    assertThrows(org.rramctl.driver.DriverAbortedException.class, () -> holder.read(C00, 0.2));
    assertTrue(holder.status().aborted());
    holder.acquire();
    holder.pulse(C00, UP, 1);
    holder.abort();
    holder.pulse(C00, UP, 1); // re-acquires by itself after its own abort
    assertEquals(5, board.pulses.get());
  }

  @Test
  void aHolderWhoseLeaseLapsedGetsLeaseLostInsteadOfSilentlyTakingItAgain() throws Exception {
    DriverServer s = serve(loopback().withLeaseTimeout(Duration.ofMillis(300)));
    RemoteDriver watcher = client(s, "watcher");
    try (ZContext ctx = new ZContext()) {
      ctx.setLinger(0);
      ZMQ.Socket holder = connectedRawSocket(ctx, s, "sleepy");
      holder.send(WireCodec.encode(2, new Request.ApplyPulses(C00, UP, 3)), 0);
      assertInstanceOf(Reply.Ok.class, awaitReply(holder, 2));
      // Silent past the lease timeout: the lease lapses.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!watcher.serverStatus().leaseHolder().isEmpty()) assertTrue(System.nanoTime() < deadline, "the lease lapses");
      holder.send(WireCodec.encode(3, new Request.ApplyPulses(C00, UP, 1)), 0);
      assertTrue(assertError(ErrorCode.LEASE_LOST, awaitReply(holder, 3)).message().contains("lapsed"));
      holder.send(WireCodec.encode(4, new Request.Read(C00, 0.2)), 0);
      assertError(ErrorCode.LEASE_LOST, awaitReply(holder, 4));
      Reply.Status st = watcher.serverStatus();
      assertEquals("", st.leaseHolder(), "not taken again");
      assertTrue(st.status().aborted(), "the lapse set the board idle with an abort");
      assertEquals(3, board.pulses.get());
      holder.send(WireCodec.encode(5, new Request.Acquire()), 0);
      assertInstanceOf(Reply.Lease.class, awaitReply(holder, 5));
      holder.send(WireCodec.encode(6, new Request.ApplyPulses(C00, UP, 1)), 0);
      assertInstanceOf(Reply.Ok.class, awaitReply(holder, 6));
      assertEquals(4, board.pulses.get());
    }
  }

  @Test
  void anOversizedRequestIsAnsweredTooLargeButOneOverFourTimesTheLimitLosesItsConnectionUnanswered() throws Exception {
    DriverServer s = serve(loopback().withMaxRequestBytes(4096));
    try (ZContext ctx = new ZContext()) {
      ctx.setLinger(0);
      ZMQ.Socket raw = connectedRawSocket(ctx, s, "big");
      byte[] twice = new byte[2 * 4096];
      System.arraycopy(WireCodec.encode(2, new Request.Read(C00, 0.2)), 0, twice, 0, 26);
      raw.send(twice, 0);
      assertError(ErrorCode.TOO_LARGE, awaitReply(raw, 2));
      // Over 4 x maxRequestBytes + 1024: ZeroMQ drops the message and the connection before the server sees it.
      byte[] huge = new byte[4 * 4096 + 1025];
      System.arraycopy(WireCodec.encode(3, new Request.Read(C00, 0.2)), 0, huge, 0, 26);
      raw.send(huge, 0);
      raw.setReceiveTimeOut(1_000);
      assertEquals(null, raw.recv(0), "no reply at all");
      // The DEALER reconnects by itself: a new connection, so the server sees a new client.
      Reply w = null;
      for (int attempt = 0; attempt < 10 && !(w instanceof Reply.Welcome); attempt++) {
        raw.send(WireCodec.encode(10 + attempt, new Request.Hello(WireCodec.PROTOCOL_VERSION, "big", 0)), 0);
        byte[] in = raw.recv(0);
        w = in == null ? null : WireCodec.decodeReply(in).reply();
      }
      assertInstanceOf(Reply.Welcome.class, w, "the same socket is served again after reconnecting");
      assertEquals(0, board.reads.get(), "neither oversized request reached the board");
    }
  }

  @Test
  void badFieldsOfOneKindGetOneErrorCodeAndTheServerSaysWhatItChanged() throws Exception {
    DriverServer s = serve(loopback().withLeaseTimeout(Duration.ofSeconds(5)));
    try (ZContext ctx = new ZContext()) {
      ctx.setLinger(0);
      ZMQ.Socket raw = connectedRawSocket(ctx, s, "raw");
      byte[] negative = WireCodec.encode(2, new Request.Read(C00, 0.2));
      negative[10] = (byte) 0xff; // row < 0: never valid
      raw.send(negative, 0);
      assertError(ErrorCode.INVALID_ARGUMENT, awaitReply(raw, 2));
      raw.send(WireCodec.encode(3, new Request.Read(Cell.active(0, 4, 0), 0.2)), 0); // row 4 of a 4-row array
      assertError(ErrorCode.INVALID_ARGUMENT, awaitReply(raw, 3));
      raw.send(WireCodec.encode(0, new Request.Read(C00, 0.2)), 0);
      assertTrue(assertError(ErrorCode.MALFORMED, awaitReply(raw, 0)).message().contains("request id: 0"));
      raw.send(WireCodec.encode(4, new Request.Release()), 0);
      assertTrue(assertError(ErrorCode.ILLEGAL_STATE, awaitReply(raw, 4)).message().contains("does not hold the lease (the board is free)"));
      raw.send(WireCodec.encode(5, new Request.Hello(WireCodec.PROTOCOL_VERSION, "tab\there" + "x".repeat(80), 0)), 0);
      Reply.Welcome w = assertInstanceOf(Reply.Welcome.class, awaitReply(raw, 5));
      assertTrue(w.clientId().startsWith("tab?herex"), w.clientId());
      assertTrue(w.note().contains("replaced by '?'") && w.note().contains("cut from 88 to 64 characters"), w.note());
      raw.send(WireCodec.encode(6, new Request.Hello(WireCodec.PROTOCOL_VERSION, "plain", 0)), 0);
      assertEquals("", assertInstanceOf(Reply.Welcome.class, awaitReply(raw, 6)).note());
    }
    assertEquals(0, board.reads.get(), "none of the refused reads reached the board");
    RemoteDriver holder = client(s, "holder");
    holder.pulse(C00, UP, 1);
    RemoteDriver other = client(s, "other");
    IllegalStateException notHolder = assertThrows(IllegalStateException.class, other::release);
    assertTrue(notHolder.getMessage().contains("held by " + holder.clientId()), notHolder.getMessage());
    holder.release();
  }

  @Test
  void aDifferentialReadOfOneDeviceIsOneRequest() throws Exception {
    DriverServer s = serve(loopback());
    RemoteDriver c = client(s, "diff");
    assertEquals(1e-5 - 2e-5, c.readDifferential(0, 1, 2, 0.2), 1e-18);
    assertEquals(2, board.reads.get(), "the active and the reference device, read on the server");
    assertThrows(IllegalArgumentException.class, () -> c.readDifferential(0, 4, 0, 0.2));
  }

  @Test
  void anAmplitudeSentWithTheWrongTypeIsRefusedByTheEnvelopeFloor() throws Exception {
    DriverServer s = serve(loopback());
    try (ZContext ctx = new ZContext()) {
      ctx.setLinger(0);
      ZMQ.Socket raw = connectedRawSocket(ctx, s, "typo");
      Reply.Welcome w = null;
      raw.send(WireCodec.encode(2, new Request.Hello(WireCodec.PROTOCOL_VERSION, "typo", 0)), 0);
      w = assertInstanceOf(Reply.Welcome.class, awaitReply(raw, 2));
      assertEquals(1e-3, w.info().hardwareLimits().minPulseVolts(), "clients see the floor in the welcome");
      byte[] pulse = WireCodec.encode(3, new Request.ApplyPulses(C00, UP, 1));
      // The amplitude written as the i64 1 instead of the f64 1.0: it decodes to 4.9e-324 V.
      System.arraycopy(java.nio.ByteBuffer.allocate(8).putLong(1).array(), 0, pulse, 19, 8);
      raw.send(pulse, 0);
      Reply.Refused r = assertInstanceOf(Reply.Refused.class, awaitReply(raw, 3));
      assertEquals("pulse amplitude", r.limit());
      assertTrue(r.requested().startsWith("4.90000e-324"), r.requested());
    }
    assertEquals(0, board.pulses.get(), "nothing reached the board");
  }

  // The served board's failures keep their kind across the hop (REMOTE.md, error codes 11..15). Before protocol 3
  // every one of them but an abort reached the client as RefusedException code BOARD_IO.

  /** A client of a server whose board fails once with {@code failure}; the client is still usable afterwards. */
  private RemoteDriver clientOfAFailingBoard(IOException failure) throws IOException {
    RemoteDriver c = client(serve(loopback()), "kinds");
    c.acquire();
    board.failNext.set(failure);
    return c;
  }

  private static void stillUsable(RemoteDriver c) throws IOException {
    c.pulse(C00, UP, 1);
    assertEquals(1e-5 + 1e-9, c.read(C00, 0.2), 1e-18, "the server and the lease survived the board's failure");
  }

  @Test
  void aServedBoardsUnknownOutcomeIsAnUnknownOutcomeForTheClient() throws Exception {
    RemoteDriver c = clientOfAFailingBoard(
        new OutcomeUnknownException("/dev/ttyACM0", "PULSE", 12, Duration.ofMillis(1248), "the link was lost before the board answered", null));
    OutcomeUnknownException e = assertThrows(OutcomeUnknownException.class, () -> c.pulse(C00, UP, 1));
    assertEquals(DriverException.Kind.OUTCOME_UNKNOWN, e.kind());
    assertEquals("PULSE", e.operation());
    assertTrue(e.sequence() > 0, "the request id");
    assertEquals(c.endpoint(), e.source());
    assertEquals(c.endpoint() + ": outcome unknown: PULSE (sequence " + e.sequence() + ") may or may not have executed: the served board cannot tell"
        + " (/dev/ttyACM0: outcome unknown: PULSE (sequence 12) may or may not have executed: the link was lost before the board answered"
        + " (waited 1248 ms))" + OutcomeUnknownException.ADVICE, e.getMessage());
    stillUsable(c);
  }

  @Test
  void aServedBoardsTimeoutIsATimeoutWithNothingRunForTheClient() throws Exception {
    RemoteDriver c = clientOfAFailingBoard(
        new TimeoutNothingRanException("/dev/ttyACM0", "READ", 7, Duration.ofMillis(1248), "no answer after 3 attempts", null));
    TimeoutNothingRanException e = assertThrows(TimeoutNothingRanException.class, () -> c.read(C00, 0.2));
    assertEquals("READ", e.operation());
    assertEquals(c.endpoint(), e.source());
    assertTrue(e.getMessage().endsWith(": the served board: /dev/ttyACM0: timed out, nothing ran: no answer to READ (sequence 7) within 1248 ms:"
        + " no answer after 3 attempts"), e.getMessage());
    stillUsable(c);
  }

  @Test
  void aServedBoardsLostLinkIsALostLinkForTheClient() throws Exception {
    RemoteDriver c = clientOfAFailingBoard(new LinkLostException("/dev/ttyACM0", "read returned -1"));
    LinkLostException e = assertThrows(LinkLostException.class, () -> c.pulse(C00, UP, 1));
    assertEquals(c.endpoint(), e.source());
    assertTrue(e.reason().startsWith("the server's link to its board: /dev/ttyACM0: link lost: read returned -1; PULSE #"), e.reason());
    assertTrue(e.reason().endsWith(" did not run"), e.reason());
    assertEquals(0, board.pulses.get());
    stillUsable(c);
  }

  @Test
  void aServedBoardsRefusalKeepsTheBoardsOwnCode() throws Exception {
    RemoteDriver c = clientOfAFailingBoard(new RefusedException("/dev/ttyACM0", "PULSE", 12, "OUT_OF_RANGE", "amplitude code 4000 > 3000", C00, null));
    RefusedException e = assertThrows(RefusedException.class, () -> c.pulse(C00, UP, 1));
    assertEquals("OUT_OF_RANGE", e.code(), "the board's code, not the server's BOARD_IO");
    assertTrue(e.hasCode(org.rramctl.protocol.ErrorCode.OUT_OF_RANGE));
    assertEquals("PULSE", e.operation());
    assertEquals("the served board: /dev/ttyACM0: refused: PULSE (sequence 12, cell " + C00 + "): OUT_OF_RANGE: amplitude code 4000 > 3000", e.detail());
    stillUsable(c);
  }

  @Test
  void aServedBoardsUnreadableAnswerIsMalformedForAReadAndAnUnknownOutcomeForAPulse() throws Exception {
    RemoteDriver c = clientOfAFailingBoard(new MalformedMessageException("/dev/ttyACM0", "reply: 3 bytes (expected: at least 5)", 0x90, -1, null));
    MalformedMessageException m = assertThrows(MalformedMessageException.class, () -> c.read(C00, 0.2));
    assertEquals(c.endpoint(), m.source());
    assertTrue(m.what().contains("/dev/ttyACM0: malformed message: reply: 3 bytes (expected: at least 5)"), m.what());
    board.failNext.set(new MalformedMessageException("/dev/ttyACM0", "reply: 3 bytes (expected: at least 5)", 0x90, -1, null));
    OutcomeUnknownException u = assertThrows(OutcomeUnknownException.class, () -> c.pulse(C00, UP, 1));
    assertInstanceOf(MalformedMessageException.class, u.getCause());
    stillUsable(c);
  }

  @Test
  void aServedBoardsAbortIsAnAbortForTheClient() throws Exception {
    // Passed before protocol 3 too (ABORTED was already its own code); kept so the hop stays covered for all six kinds.
    RemoteDriver c = clientOfAFailingBoard(new DriverAbortedException("/dev/ttyACM0", "PULSE (sequence 5) after 31 pulses; outputs idle"));
    DriverAbortedException e = assertThrows(DriverAbortedException.class, () -> c.pulse(C00, UP, 1));
    assertTrue(e.getMessage().contains("/dev/ttyACM0: aborted: PULSE (sequence 5) after 31 pulses; outputs idle"), e.getMessage());
    stillUsable(c);
  }

  @Test
  void aBoardWithoutTheSourceMeasureRoleHasNoneOverTheWireEitherAndRefusesASourceRequest() throws Exception {
    DriverServer s = serve(loopback());
    RemoteDriver c = client(s, "no-smu");
    assertTrue(c.sourceMeasure().isEmpty(), "the recording board declares no SOURCE_MEASURE");
    try (ZContext ctx = new ZContext()) {
      ctx.setLinger(0);
      ZMQ.Socket raw = connectedRawSocket(ctx, s, "raw-smu");
      raw.send(WireCodec.encode(2, new Request.Source(C00, 1.0, 1000, 1e-4)), 0);
      Reply.Error e = assertError(ErrorCode.INVALID_ARGUMENT, awaitReply(raw, 2));
      assertTrue(e.message().contains("no source-measure capability"), e.message());
    }
  }

  @Test
  void bindingBeyondLoopbackWithoutKeysIsRefusedWithAReason() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DriverServer.start(board, ServerOptions.of("tcp://0.0.0.0:*")));
    assertTrue(e.getMessage().contains("not a loopback address") && e.getMessage().contains("CURVE"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DriverServer.start(board, ServerOptions.of("tcp://127.0.0.1:*").withPublish("tcp://*:*")));
  }

  @Test
  void curveAdmitsListedKeysAndRejectsOthersAndPlaintext() throws Exception {
    CurveKeyPair server = CurveKeyPair.generate();
    CurveKeyPair alice = CurveKeyPair.generate();
    CurveKeyPair mallory = CurveKeyPair.generate();
    // A lease far longer than the test: alice stays idle while the other clients' handshakes fail (seconds on a
    // loaded machine), and this test is about admission, not about lapsed leases.
    DriverServer s = serve(loopback().withLeaseTimeout(Duration.ofSeconds(60)).withCurve(CurveSecurity.of(server, java.util.Set.of(alice.publicKey()))));
    RemoteDriver ok = closing(RemoteDriver.open(s.endpoint(), fastClient("alice").withConnectTimeout(Duration.ofSeconds(10)).withCurve(new ClientOptions.Curve(server.publicKey(), alice))));
    ok.pulse(C00, UP, 1);
    assertEquals(1, board.pulses.get());

    LinkLostException rejected = assertThrows(LinkLostException.class,
        () -> RemoteDriver.open(s.endpoint(), fastClient("mallory").withCurve(new ClientOptions.Curve(server.publicKey(), mallory))));
    assertTrue(rejected.getMessage().contains("allow-list"), rejected.getMessage());
    // The server logs the rejection from its authentication thread, possibly after the client gave up: wait for it.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (logLines.stream().noneMatch(l -> l.contains("rejected CURVE client key " + mallory.publicKey())) && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    assertTrue(logLines.stream().anyMatch(l -> l.contains("rejected CURVE client key " + mallory.publicKey())), logLines.toString());

    assertThrows(LinkLostException.class, () -> RemoteDriver.open(s.endpoint(), fastClient("plain")));
    assertEquals(1, board.pulses.get(), "no rejected client reached the board");
    assertEquals(0.0, ok.read(C00, 0.2) - 1e-5 - 1e-9, 1e-15, "the admitted client still works");
  }

  /**
   * A raw DEALER whose connection has carried one exchange (a HELLO answered by a WELCOME). The first message on a
   * fresh JeroMQ connection is occasionally lost (about 1 in 100 on a loaded machine; REMOTE.md), and RemoteDriver
   * retries its HELLO on a new socket for that reason; a raw test client does the same before its real traffic,
   * so that what the test measures is the server's handling of every message, not that loss.
   */
  private static ZMQ.Socket connectedRawSocket(ZContext ctx, DriverServer s, String label) throws MalformedMessageException {
    for (int attempt = 0; attempt < 10; attempt++) {
      ZMQ.Socket raw = ctx.createSocket(SocketType.DEALER);
      raw.setReceiveTimeOut(1_000);
      raw.connect(s.endpoint());
      raw.send(WireCodec.encode(1, new Request.Hello(WireCodec.PROTOCOL_VERSION, label, 0)), 0);
      byte[] in = raw.recv(0);
      if (in != null && WireCodec.decodeReply(in).reply() instanceof Reply.Welcome) return raw;
      ctx.destroySocket(raw);
    }
    throw new AssertionError("no WELCOME to a HELLO in 10 fresh connections");
  }

  @Test
  void randomMultipartGarbageGetsErrorRepliesAndTheServerStillAnswers() throws Exception {
    DriverServer s = serve(loopback().withMaxRequestBytes(4096));
    Random rnd = new Random(20261129L);
    int sent = 1000;
    int replies = 0;
    int errors = 0;
    try (ZContext ctx = new ZContext()) {
      ctx.setLinger(0);
      ZMQ.Socket raw = connectedRawSocket(ctx, s, "fuzzer");
      raw.setReceiveTimeOut(5_000);
      for (int i = 0; i < sent; i++) {
        int frames = 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(3) : 0);
        for (int f = 0; f < frames; f++) {
          byte[] b = new byte[rnd.nextInt(i % 500 == 0 ? 6000 : 64)];
          rnd.nextBytes(b);
          // Half the time a real opcode, so decoding gets past the first byte into the bodies.
          if (b.length > 0 && rnd.nextBoolean()) b[0] = (byte) Opcode.values()[rnd.nextInt(15)].code();
          raw.send(b, f < frames - 1 ? ZMQ.SNDMORE : 0);
        }
        Reply r;
        do {
          byte[] in = raw.recv(0);
          assertTrue(in != null, "a reply to message " + i);
          r = WireCodec.decodeReply(in).reply();
        } while (r instanceof Reply.Working);
        replies++;
        if (r instanceof Reply.Error || r instanceof Reply.Refused || r instanceof Reply.Held) errors++;
      }
    }
    assertEquals(sent, replies, "every message answered");
    assertTrue(errors > sent * 9 / 10, "garbage is refused: " + errors);
    assertTrue(logLines.stream().anyMatch(l -> l.contains("MALFORMED")), "refusals are logged");
    assertTrue(logLines.stream().anyMatch(l -> l.contains("TOO_LARGE")), "oversized messages are logged");
    RemoteDriver c = client(s, "after-the-storm");
    c.read(C00, 0.2);
    assertEquals(0, board.overlaps.get());
  }
}
