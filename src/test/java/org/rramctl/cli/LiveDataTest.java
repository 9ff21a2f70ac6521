package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.Boards;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.journal.Json;
import org.rramctl.journal.LivePublisher;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunStatus;
import org.rramctl.procedure.Procedures;
import org.rramctl.procedure.Runner;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Runs and a served board's status published over ZeroMQ in one format, [topic, JSON] with sequence numbers
 * (src/LIVE-DATA.md), and the watcher that reads both.
 */
class LiveDataTest {
  static final String BOARD = "sim:ideal?arrays=1&rows=2&cols=2&seed=3";

  @TempDir Path tmp;

  private Runner.Outcome publishedRun(LivePublisher pub) throws Exception {
    try (EnvelopedDriver d = Boards.open(BOARD, null)) {
      ObjectNode p = Json.object();
      p.put("cells", "0,0-1");
      p.put("pulses", 20);
      return new Runner(new RunDirectory(tmp), d, BOARD).sink(pub).run(Procedures.of("pulse-response", p));
    }
  }

  @Test
  @Timeout(60)
  void aSubscriberInAnyLanguageGetsTopicAndJsonFramesInSequence() throws Exception {
    try (LivePublisher pub = LivePublisher.bind("tcp://127.0.0.1:*"); ZContext ctx = new ZContext()) {
      assertTrue(pub.endpoint().matches("tcp://127\\.0\\.0\\.1:[0-9]+"), pub.endpoint());
      ZMQ.Socket sub = null;
      // Slow joiner: a SUB misses what is sent before its subscription arrives, so wait for a heartbeat first;
      // a subscription lost with a fresh connection's first message (JeroMQ, rare) is renewed on a new socket.
      for (int attempt = 0; sub == null; attempt++) {
        assertTrue(attempt < 10, "no heartbeat through 10 fresh subscriptions");
        ZMQ.Socket s = ctx.createSocket(SocketType.SUB);
        s.setReceiveTimeOut(20);
        s.connect(pub.endpoint());
        s.subscribe(new byte[0]);
        for (int i = 0; i < 100 && sub == null; i++) {
          pub.heartbeat();
          if (s.recvStr() != null) sub = s;
        }
        if (sub == null) ctx.destroySocket(s);
      }
      sub.recv(); // the heartbeat's JSON frame
      Runner.Outcome o = publishedRun(pub);
      sub.setReceiveTimeOut(10_000);
      List<JsonNode> docs = new ArrayList<>();
      while (docs.isEmpty() || !docs.get(docs.size() - 1).path("type").asText().equals("stop")) {
        String topic = sub.recvStr();
        if (topic.equals("heartbeat")) {
          sub.recv();
          continue;
        }
        assertTrue(sub.hasReceiveMore());
        JsonNode doc = Json.MAPPER.readTree(sub.recv());
        assertEquals(topic, doc.get("type").asText());
        assertEquals(o.runId(), doc.get("run").asText());
        docs.add(doc);
      }
      for (int i = 0; i < docs.size(); i++) assertEquals(i, docs.get(i).get("seq").asLong(), "no gap");
      assertEquals("start", docs.get(0).get("type").asText());
      assertEquals(o.events(), docs.stream().filter(d -> d.get("type").asText().equals("event")).count());
    }
  }

  @Test
  @Timeout(60)
  void watchPrintsTheRunFromStartToStopAndCountsWhatItMissed() throws Exception {
    try (LivePublisher pub = LivePublisher.bind("tcp://127.0.0.1:*")) {
      CharacterizationCliTest.LatchWriter out = new CharacterizationCliTest.LatchWriter("connected: receiving from");
      CompletableFuture<CliRun.Result> watcher = CompletableFuture.supplyAsync(() ->
          CliRun.run(out, "watch", pub.endpoint(), "--exit-after-stop", "--interval", "0", "--idle-timeout", "30000"));
      while (!out.seen.await(20, TimeUnit.MILLISECONDS)) pub.heartbeat();
      Runner.Outcome o = publishedRun(pub);
      assertEquals(RunStatus.SUCCESS, o.status());
      CliRun.Result w = watcher.get(30, TimeUnit.SECONDS);
      assertEquals(0, w.code(), w.err());
      assertTrue(w.out().contains("run " + o.runId() + ": started pulse-response on " + BOARD), w.out());
      assertTrue(w.out().contains("run " + o.runId() + ": 82 events, t="), w.out());
      assertTrue(w.out().contains("run " + o.runId() + ": stopped success after 82 events received (0 documents missed)"), w.out());
    }
  }

  /** A thread of its own for a watcher, which blocks for its whole life (the common pool may have one thread). */
  private static java.util.concurrent.Executor ownThread() {
    return r -> {
      Thread t = new Thread(r, "watch-under-test");
      t.setDaemon(true);
      t.start();
    };
  }

  /** A writer whose latches open when its text first contains each of the given strings. */
  static final class WatchOutput extends java.io.StringWriter {
    final java.util.Map<String, java.util.concurrent.CountDownLatch> latches = new java.util.concurrent.ConcurrentHashMap<>();

    WatchOutput(String... texts) {
      for (String t : texts) latches.put(t, new java.util.concurrent.CountDownLatch(1));
    }

    boolean await(String text) throws InterruptedException {
      return latches.get(text).await(30, TimeUnit.SECONDS);
    }

    @Override
    public void flush() {
      String now = toString();
      latches.forEach((t, l) -> {
        if (now.contains(t)) l.countDown();
      });
    }
  }

  @Test
  @Timeout(60)
  void watchReadsAServedBoardsStatusInTheSameFormat() throws Exception {
    WatchOutput out = new WatchOutput("connected: receiving from", ", 0 pulses applied, lease free", ", 3 pulses applied, lease watch-test#");
    CompletableFuture<CliRun.Result> watcher;
    String boardId;
    try (EnvelopedDriver d = Boards.open(BOARD, null);
        org.rramctl.driver.remote.DriverServer server = org.rramctl.driver.remote.DriverServer.start(d,
            org.rramctl.driver.remote.ServerOptions.of("tcp://127.0.0.1:*").withPublish("tcp://127.0.0.1:*")
                .withHeartbeat(java.time.Duration.ofMillis(50)))) {
      String pub = server.publishEndpoint().orElseThrow();
      boardId = d.info().boardId();
      // 5 s idle timeout: it also bounds the wait for the first message (connect, slow joiner); 1 s ran out before the
      // first status on a loaded machine (2026-12-02, main and branches alike), and the watcher had quit.
      watcher = CompletableFuture.supplyAsync(() -> CliRun.run(out, "watch", pub, "--interval", "0", "--idle-timeout", "5000"), ownThread());
      assertTrue(out.await(", 0 pulses applied, lease free"), out.toString());
      try (EnvelopedDriver remote = Boards.open("zmq+" + server.endpoint() + "?label=watch-test", null)) {
        remote.pulse(org.rramctl.driver.Cell.active(0, 0, 0), org.rramctl.driver.Pulse.up(1.0, java.time.Duration.ofNanos(100)), 3);
        assertTrue(out.await(", 3 pulses applied, lease watch-test#"), out.toString());
      }
    }
    // The server is gone: the watcher gives up after its idle timeout.
    CliRun.Result w = watcher.get(30, TimeUnit.SECONDS);
    assertEquals(1, w.code(), w.err());
    assertTrue(w.out().contains("status: board " + boardId + ", outputs idle, 0 pulses applied, lease free, "), w.out());
    assertTrue(!w.out().contains("unreadable"), w.out());
  }

  @Test
  @Timeout(60)
  void aCurveServersStatusNeedsTheClientKeysOnItsPubSocketToo() throws Exception {
    org.rramctl.driver.remote.CurveKeyPair serverKeys = org.rramctl.driver.remote.CurveKeyPair.generate();
    org.rramctl.driver.remote.CurveKeyPair alice = org.rramctl.driver.remote.CurveKeyPair.generate();
    Path keys = tmp.resolve("keys");
    serverKeys.write(keys.resolve("server"), "server");
    alice.write(keys.resolve("alice"), "alice");
    try (EnvelopedDriver d = Boards.open(BOARD, null);
        org.rramctl.driver.remote.DriverServer server = org.rramctl.driver.remote.DriverServer.start(d,
            org.rramctl.driver.remote.ServerOptions.of("tcp://127.0.0.1:*").withPublish("tcp://127.0.0.1:*")
                .withHeartbeat(java.time.Duration.ofMillis(50))
                .withCurve(org.rramctl.driver.remote.CurveSecurity.of(serverKeys, java.util.Set.of(alice.publicKey()))))) {
      String pub = server.publishEndpoint().orElseThrow();
      WatchOutput out = new WatchOutput(", 0 pulses applied, lease free");
      CompletableFuture<CliRun.Result> keyed = CompletableFuture.supplyAsync(() -> CliRun.run(out, "watch", pub, "--idle-timeout", "5000",
          "--server-key", keys.resolve("server/server.public").toString(), "--client-key", keys.resolve("alice/alice").toString()), ownThread());
      assertTrue(out.await(", 0 pulses applied, lease free"), () -> out + (keyed.isDone() ? keyed.join().err() : "(still running)"));
      // Without keys the CURVE handshake never completes: nothing arrives.
      CliRun.Result plain = CliRun.run("watch", pub, "--idle-timeout", "1500");
      assertEquals(1, plain.code(), plain.err());
      assertTrue(plain.err().contains("no message from " + pub), plain.err());
      assertTrue(!plain.out().contains("status:"), plain.out());
      server.close();
      assertEquals(1, keyed.get(30, TimeUnit.SECONDS).code());
    }
  }
}
