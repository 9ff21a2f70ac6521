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

/** Runs published over ZeroMQ as [topic, JSON] with sequence numbers, and the watcher that reads them. */
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
}
