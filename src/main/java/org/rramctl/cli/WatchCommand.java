package org.rramctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.rramctl.driver.remote.ClientOptions;
import org.rramctl.journal.Json;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rramctl watch ENDPOINT}: subscribes to anything rramctl publishes ({@code procedure --publish},
 * {@code serve --publish}; one format, src/LIVE-DATA.md) and prints a live summary: each run's start, an
 * event line at most every {@code --interval}, a served board's status when it changes (at most every
 * {@code --interval}), gaps in the sequence numbers (documents the PUB socket dropped or that came before
 * this subscriber joined) and the stop. Runs until Ctrl-C, or until the first stop document with
 * {@code --exit-after-stop}.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "Subscribe to live documents (procedure --publish, serve --publish) and print a summary.")
public final class WatchCommand implements Callable<Integer> {
  /**
   * Until the first message, the subscription is renewed on a new socket after this many ms, doubling each time
   * up to {@link #RESUBSCRIBE_MAX_MILLIS} (a CURVE handshake on a loaded machine may need longer than the first wait).
   */
  static final long RESUBSCRIBE_MILLIS = 2_000;
  static final long RESUBSCRIBE_MAX_MILLIS = 16_000;
  /** Receive timeout of one poll, ms: how quickly Ctrl-C and --idle-timeout are noticed. */
  static final int POLL_MILLIS = 100;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ENDPOINT", description = "Publisher endpoint, e.g. tcp://127.0.0.1:5556.")
  String endpoint;

  @Option(names = "--exit-after-stop", description = "Exit after the first stop document (exit code 0 for success, 130 aborted, 1 otherwise).")
  boolean exitAfterStop;

  @Option(names = "--interval", paramLabel = "MS", defaultValue = "1000",
      description = "At most one event line per run, and one status line, per this many ms; 0 prints every one (default: ${DEFAULT-VALUE}).")
  long intervalMillis;

  @Option(names = "--server-key", paramLabel = "FILE|Z85",
      description = "A CURVE server's public key (serve --curve-keys): its PUB socket admits only allowed client keys. Needs --client-key.")
  String serverKey;

  @Option(names = "--client-key", paramLabel = "DIR/NAME", description = "This client's key pair, DIR/NAME.public and DIR/NAME.secret (rramctl keys generate).")
  String clientKey;

  private ClientOptions.Curve curve;

  @Option(names = "--idle-timeout", paramLabel = "MS", defaultValue = "0", description = "Give up (exit 1) after this long without a message; 0 waits forever (default).")
  long idleMillis;

  /** One sequence of documents: a run, or a publisher's run-less stream (status, heartbeat). */
  private static final class RunState {
    long lastSeq = -1;
    long events;
    long missed;
    long lastPrint;
    String lastStatus = "";
  }

  private volatile boolean stopRequested;

  @Override
  public Integer call() throws IOException {
    if (idleMillis < 0) throw new IllegalArgumentException("--idle-timeout: " + idleMillis + " (expected: >= 0 ms, 0 waits forever)");
    if (intervalMillis < 0) throw new IllegalArgumentException("--interval: " + intervalMillis + " (expected: >= 0 ms)");
    if ((serverKey == null) != (clientKey == null)) {
      throw new IllegalArgumentException("--server-key and --client-key: " + (serverKey == null ? "only --client-key" : "only --server-key")
          + " given (expected: both for a CURVE server, or neither)");
    }
    if (serverKey != null) curve = ClientOptions.Curve.read(serverKey, clientKey);
    PrintWriter out = spec.commandLine().getOut();
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stopRequested = true;
      try {
        done.await(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "rramctl-watch-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try (ZContext ctx = new ZContext()) {
      ZMQ.Socket sub = subscribe(ctx);
      long subscribedAt = System.nanoTime();
      long resubscribeMillis = RESUBSCRIBE_MILLIS;
      out.println("watching " + endpoint + " (Ctrl-C to stop)");
      out.flush();
      Map<String, RunState> runs = new HashMap<>();
      boolean connected = false;
      long lastMessage = System.nanoTime();
      while (!stopRequested) {
        String topic = sub.recvStr();
        if (topic == null) {
          if (idleMillis > 0 && System.nanoTime() - lastMessage > idleMillis * 1_000_000L) {
            spec.commandLine().getErr().println("rramctl: watch: no message from " + endpoint + " for " + idleMillis + " ms");
            return Main.EXIT_FAILURE;
          }
          if (!connected && System.nanoTime() - subscribedAt > resubscribeMillis * 1_000_000L) {
            // Nothing yet: the subscription may have been lost with a fresh connection's first message (JeroMQ,
            // about 1 in 100 connections on a loaded machine; REMOTE.md). A new socket costs nothing here.
            ctx.destroySocket(sub);
            sub = subscribe(ctx);
            subscribedAt = System.nanoTime();
            resubscribeMillis = Math.min(2 * resubscribeMillis, RESUBSCRIBE_MAX_MILLIS);
          }
          continue;
        }
        lastMessage = System.nanoTime();
        byte[] body = sub.hasReceiveMore() ? sub.recv() : new byte[0];
        while (sub.hasReceiveMore()) sub.recv(); // tolerate extra frames from future versions
        if (!connected) {
          connected = true;
          out.println("connected: receiving from " + endpoint);
        }
        if (topic.equals("heartbeat")) {
          out.flush();
          continue;
        }
        JsonNode doc;
        try {
          doc = Json.MAPPER.readTree(body);
        } catch (IOException e) {
          out.println("unreadable " + topic + " message (" + body.length + " bytes)");
          continue;
        }
        Integer exit = handle(out, topic, doc, runs);
        out.flush();
        if (exit != null && exitAfterStop) return exit;
      }
      return Main.EXIT_ABORTED;
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running and waits for the latch just released
      }
    }
  }

  private ZMQ.Socket subscribe(ZContext ctx) {
    ZMQ.Socket sub = ctx.createSocket(SocketType.SUB);
    sub.setReceiveTimeOut(POLL_MILLIS);
    if (curve != null) curve.apply(sub);
    try {
      sub.connect(endpoint);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("endpoint: '" + endpoint + "' (expected: a ZeroMQ endpoint such as tcp://127.0.0.1:5556)");
    }
    sub.subscribe(new byte[0]);
    return sub;
  }

  /** Prints what one document means; returns an exit code for a stop document, else null. */
  private Integer handle(PrintWriter out, String topic, JsonNode doc, Map<String, RunState> runs) {
    long seq = doc.path("seq").asLong(-1);
    if (!doc.hasNonNull("run")) {
      // A publisher's own stream (status of a served board, heartbeats): its seq counts that stream.
      RunState st = runs.computeIfAbsent("topic " + topic, k -> new RunState());
      if (st.lastSeq >= 0 && seq > st.lastSeq + 1) {
        out.printf(Locale.ROOT, "%s: missed %d documents (seq %d..%d)%n", topic, seq - st.lastSeq - 1, st.lastSeq + 1, seq - 1);
        st.missed += seq - st.lastSeq - 1;
      }
      st.lastSeq = Math.max(st.lastSeq, seq);
      if (topic.equals("status")) status(out, doc, st);
      return null;
    }
    String run = doc.path("run").asText();
    RunState st = runs.get(run);
    if (st == null) {
      st = new RunState();
      runs.put(run, st);
      if (!topic.equals("start") && seq > 0) {
        out.printf(Locale.ROOT, "run %s: joined at seq %d (missed %d earlier documents)%n", run, seq, seq);
        st.missed += seq;
        st.lastSeq = seq - 1;
      }
    }
    if (st.lastSeq >= 0 && seq != st.lastSeq + 1 && seq > st.lastSeq) {
      out.printf(Locale.ROOT, "run %s: missed %d documents (seq %d..%d)%n", run, seq - st.lastSeq - 1, st.lastSeq + 1, seq - 1);
      st.missed += seq - st.lastSeq - 1;
    }
    st.lastSeq = Math.max(st.lastSeq, seq);
    switch (topic) {
      case "start" -> out.printf(Locale.ROOT, "run %s: started %s on %s, parameters %s%n", run, doc.path("procedure").asText(),
          doc.path("board").path("uri").asText(), doc.path("parameters"));
      case "resume" -> out.printf(Locale.ROOT, "run %s: resumed (%d units already done)%n", run, doc.path("completedUnits").asInt());
      case "event" -> {
        st.events++;
        long now = System.nanoTime();
        if (intervalMillis == 0 || now - st.lastPrint >= intervalMillis * 1_000_000L) {
          st.lastPrint = now;
          out.printf(Locale.ROOT, "run %s: %d events, t=%.3f s, last %s%n", run, st.events, doc.path("t").asDouble(), describe(doc.path("data")));
        }
      }
      case "stop" -> {
        String status = doc.path("status").asText();
        out.printf(Locale.ROOT, "run %s: stopped %s%s after %d events received (%d documents missed)%n", run, status,
            doc.hasNonNull("reason") ? " (" + doc.get("reason").asText() + ")" : "", st.events, st.missed);
        return switch (status) {
          case "success" -> 0;
          case "aborted" -> Main.EXIT_ABORTED;
          default -> Main.EXIT_FAILURE;
        };
      }
      default -> { } // progress and future types: counted for gaps only
    }
    return null;
  }

  /** A served board's status, printed when it differs from the last line printed, at most every interval. */
  private void status(PrintWriter out, JsonNode doc, RunState st) {
    String line;
    if (doc.hasNonNull("error")) {
      line = "status: board " + doc.path("board").asText() + " unreadable (" + doc.get("error").asText() + ")";
    } else {
      String holder = doc.path("leaseHolder").asText();
      line = String.format(Locale.ROOT, "status: board %s, outputs %s%s, %d pulses applied%s, lease %s, %d clients",
          doc.path("board").asText(), doc.path("outputsIdle").asBoolean() ? "idle" : "active", doc.path("aborted").asBoolean() ? ", aborted" : "",
          doc.path("pulsesApplied").asLong(), doc.path("lastError").asText().isEmpty() ? "" : ", last error " + doc.path("lastError").asText(),
          holder.isEmpty() ? "free" : holder + String.format(Locale.ROOT, " (%.1f s left)", doc.path("leaseRemainingMillis").asLong() / 1000.0),
          doc.path("clients").asInt());
    }
    // The lease's remaining time changes every heartbeat: compare without it.
    String key = line.replaceAll(" \\([0-9.]+ s left\\)", "");
    long now = System.nanoTime();
    if (key.equals(st.lastStatus) || (intervalMillis > 0 && !st.lastStatus.isEmpty() && now - st.lastPrint < intervalMillis * 1_000_000L)) return;
    st.lastStatus = key;
    st.lastPrint = now;
    out.println(line);
  }

  private static String describe(JsonNode data) {
    StringBuilder sb = new StringBuilder();
    sb.append(data.path("array").asInt()).append(':').append(data.path("row").asInt()).append(',').append(data.path("col").asInt());
    for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      if (k.equals("array") || k.equals("row") || k.equals("col")) continue;
      if (k.equals("g")) sb.append(String.format(Locale.ROOT, " g=%.4f uS", e.getValue().asDouble() * 1e6));
      else sb.append(' ').append(k).append('=').append(SummaryText.value(e.getValue()));
    }
    return sb.toString();
  }
}
