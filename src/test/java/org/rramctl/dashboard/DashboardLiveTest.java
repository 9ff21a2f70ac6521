package org.rramctl.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.Boards;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.journal.Durability;
import org.rramctl.journal.Json;
import org.rramctl.journal.LivePublisher;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunRecorder;
import org.rramctl.journal.RunStatus;

/**
 * {@code dashboard --subscribe}: the documents a publisher sends reach the page's live stream byte for byte as
 * journaled, in order; a page that connects later gets the kept ones first; without a subscription the stream is a 404.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DashboardLiveTest {
  static final String BOARD = "sim:ideal?arrays=1&rows=2&cols=2";

  @Test
  void aPublishersDocumentsReachTheLiveStreamAsJournaled(@TempDir Path dir) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try (EnvelopedDriver driver = Boards.open(BOARD, null); LivePublisher pub = LivePublisher.bind("tcp://127.0.0.1:*");
        DashboardServer server = DashboardServer.start(driver, BOARD, new RunDirectory(dir.resolve("runs")),
            new DashboardServer.Options(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, false, null, null, pub.endpoint()))) {
      String base = "http://127.0.0.1:" + server.address().getPort();
      // Heartbeats until the dashboard's subscription hears one (ZeroMQ's slow joiner); they are not passed on.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      JsonNode live;
      do {
        pub.heartbeat();
        live = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/runs")).build(), HttpResponse.BodyHandlers.ofString()).body()).get("live");
      } while (!live.get("connected").asBoolean() && System.nanoTime() < deadline);
      assertTrue(live.get("connected").asBoolean(), "subscribed: " + live);
      assertEquals(pub.endpoint(), live.get("endpoint").asText());
      assertEquals(0, live.get("received").asLong(), "heartbeats are not documents");

      HttpResponse<Stream<String>> s = http.send(HttpRequest.newBuilder(URI.create(base + "/api/live")).build(), HttpResponse.BodyHandlers.ofLines());
      assertEquals(200, s.statusCode());
      RunDirectory runs = new RunDirectory(dir.resolve("publisher-runs"));
      String runId;
      try (SseLines lines = new SseLines(s);
          RunRecorder rec = RunRecorder.start(runs, "20261203-000000-pulse-response-pub1", Json.object().put("procedure", "pulse-response"), Durability.FLUSH,
              java.time.Instant::now, new ArrayList<>(List.of(pub)))) {
        runId = rec.runId();
        for (int i = 0; i < 50; i++) rec.event(Json.object().put("array", 0).put("row", 0).put("col", 1).put("pulse", i).put("g", 1e-6 * (i + 1)));
        rec.stop(RunStatus.SUCCESS, null, Json.object());
        List<String> journal = Files.readAllLines(runs.journal(runId), StandardCharsets.UTF_8);
        assertEquals(52, journal.size());
        assertEquals(journal, lines.data(52), "the live stream carries the journal's lines, in order");
      }
      // A page that opens now gets the documents kept so far, then what comes next.
      HttpResponse<Stream<String>> late = http.send(HttpRequest.newBuilder(URI.create(base + "/api/live")).build(), HttpResponse.BodyHandlers.ofLines());
      try (SseLines lines = new SseLines(late)) {
        List<String> replay = lines.data(52);
        assertEquals(Files.readAllLines(runs.journal(runId), StandardCharsets.UTF_8), replay);
        String status = "{\"type\":\"status\",\"seq\":0,\"board\":\"b\",\"outputsIdle\":true}";
        pub.accept("status", Json.object(), status.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(status), lines.data(1));
      }
      // A page's EventSource that reconnects goes on after the last document it had.
      HttpResponse<Stream<String>> again = http.send(HttpRequest.newBuilder(URI.create(base + "/api/live")).header("Last-Event-ID", "50").build(),
          HttpResponse.BodyHandlers.ofLines());
      try (SseLines lines = new SseLines(again)) {
        List<String> journal = Files.readAllLines(runs.journal(runId), StandardCharsets.UTF_8);
        assertEquals(journal.get(51), lines.data(1).get(0));
      }
    }
  }

  @Test
  void withoutASubscriptionTheLiveStreamIsA404AndABadEndpointIsRefused(@TempDir Path dir) throws Exception {
    try (EnvelopedDriver driver = Boards.open(BOARD, null);
        DashboardServer server = DashboardServer.start(driver, BOARD, new RunDirectory(dir), new DashboardServer.Options(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, false))) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + "/api/live")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, r.statusCode());
      assertTrue(r.body().startsWith("live: no subscription (expected: rramctl dashboard --subscribe tcp://HOST:PORT"), r.body());
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LiveFeed.subscribe("tcp://127.0.0.1:*"));
      assertEquals("--subscribe: 'tcp://127.0.0.1:*' (expected: a publisher's endpoint such as tcp://127.0.0.1:5556)", e.getMessage());
    }
  }
}
