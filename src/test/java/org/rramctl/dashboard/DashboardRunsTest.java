package org.rramctl.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.Boards;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.journal.CsvExport;
import org.rramctl.journal.Journal;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunDirectory;

/**
 * The runs API: procedures started from the page (only with --allow-pulses, inside the envelope), their journal streamed
 * as server-sent events line for line while they run, the list, one run's documents, the CSV export and abort. One
 * emulator and one server with pulses allowed, plus a read-only one, for the class; port 0.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardRunsTest {
  static final String BOARD = "sim:ideal?arrays=1&rows=4&cols=4&seed=5";

  @TempDir static Path runsDir;
  static EnvelopedDriver driver;
  static DashboardServer server;
  static DashboardServer readOnly;
  static HttpClient http;

  @BeforeAll
  static void start() throws IOException {
    driver = Boards.open(BOARD, null);
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    server = DashboardServer.start(driver, BOARD, new RunDirectory(runsDir), new DashboardServer.Options(loopback, null, true));
    readOnly = DashboardServer.start(driver, BOARD, new RunDirectory(runsDir), new DashboardServer.Options(loopback, null, false));
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (readOnly != null) readOnly.close();
    if (driver != null) driver.close();
  }

  static String base(DashboardServer s) {
    return "http://127.0.0.1:" + s.address().getPort();
  }

  static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base(server) + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(DashboardServer s, String path, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base(s) + path)).header("X-Rramctl", "1").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String startRun(String procedure, String params) throws Exception {
    HttpResponse<String> r = post(server, "/api/procedures/" + procedure, params);
    assertEquals(201, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body()).get("run").asText();
  }

  @Test
  void aProcedureStartedFromThePageStreamsItsJournalLineForLineAndEnds() throws Exception {
    String run = startRun("pulse-response", "{\"cells\":\"0,0-1\",\"pulses\":30,\"cycles\":2}");
    HttpResponse<Stream<String>> s = http.send(HttpRequest.newBuilder(URI.create(base(server) + "/api/runs/" + run + "/stream")).build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, s.statusCode());
    assertEquals("text/event-stream; charset=utf-8", s.headers().firstValue("Content-Type").orElse(""));
    List<String> streamed;
    try (SseLines lines = new SseLines(s)) {
      streamed = lines.untilEnd();
    }
    List<String> journal = Files.readAllLines(runsDir.resolve(run + ".jsonl"), StandardCharsets.UTF_8);
    assertEquals(journal.size(), streamed.size(), "documents streamed");
    for (int i = 0; i < journal.size(); i++) assertEquals(journal.get(i), streamed.get(i), "the stream is the journal, line for line: line " + (i + 1));
    // pulse-response: per device and cycle a read before, 30 up and 30 down: 2 devices x 2 cycles x 61 events
    assertEquals(2 * 2 * 61, Journal.read(runsDir.resolve(run + ".jsonl")).events().size());
    JsonNode stop = Json.MAPPER.readTree(streamed.get(streamed.size() - 1));
    assertEquals("stop", stop.get("type").asText());
    assertEquals("success", stop.get("status").asText());

    JsonNode shown = Json.MAPPER.readTree(get("/api/runs/" + run).body());
    assertEquals("success", shown.get("status").asText());
    assertEquals(journal.size(), shown.get("documents").size());
    assertEquals(Json.MAPPER.readTree(journal.get(5)), shown.get("documents").get(5));

    JsonNode listed = null;
    for (JsonNode r : Json.MAPPER.readTree(get("/api/runs").body()).get("runs")) if (r.get("run").asText().equals(run)) listed = r;
    assertTrue(listed != null, "listed");
    assertEquals("pulse-response", listed.get("procedure").asText());
    assertEquals("success", listed.get("status").asText());
    assertEquals("0,0-1", listed.get("cells").asText());
    assertEquals(244, listed.get("events").asInt());
    assertFalse(listed.get("interrupted").asBoolean());

    HttpResponse<String> csv = get("/api/runs/" + run + "/csv");
    assertEquals(200, csv.statusCode());
    assertEquals("attachment; filename=\"" + run + ".csv\"", csv.headers().firstValue("Content-Disposition").orElse(""));
    StringWriter expected = new StringWriter();
    CsvExport.write(Journal.read(runsDir.resolve(run + ".jsonl")), expected);
    assertEquals(expected.toString(), csv.body());

    // A stream from a later document on starts there.
    HttpResponse<Stream<String>> later = http.send(HttpRequest.newBuilder(URI.create(base(server) + "/api/runs/" + run + "/stream?from=240")).build(), HttpResponse.BodyHandlers.ofLines());
    try (SseLines lines = new SseLines(later)) {
      assertEquals(journal.subList(240, journal.size()), lines.untilEnd());
    }
    HttpResponse<String> abortEnded = post(server, "/api/runs/" + run + "/abort", "");
    assertEquals(409, abortEnded.statusCode());
    assertEquals("run " + run + ": not running (status success; expected: a running run)", abortEnded.body().strip());
  }

  @Test
  void aRunningRunShowsLiveHoldsTheBoardAndStopsOnAbortWithOutputsIdle() throws Exception {
    String run = startRun("retention", "{\"cells\":\"1,1\",\"duration\":\"60s\",\"schedule\":\"fixed\",\"interval\":\"20ms\"}");
    HttpResponse<Stream<String>> s = http.send(HttpRequest.newBuilder(URI.create(base(server) + "/api/runs/" + run + "/stream")).build(), HttpResponse.BodyHandlers.ofLines());
    try (SseLines lines = new SseLines(s)) {
      int events = 0;
      while (events < 3) {
        String line = lines.next("3 events");
        if (line.startsWith("data: ") && Json.MAPPER.readTree(line.substring(6)).get("type").asText().equals("event")) events++;
      }
      assertEquals(3, events, "events arrive while the run runs");
      JsonNode listed = null;
      for (JsonNode r : Json.MAPPER.readTree(get("/api/runs").body()).get("runs")) if (r.get("run").asText().equals(run)) listed = r;
      assertEquals("running", listed.get("status").asText());
      HttpResponse<String> busy = get("/api/heatmap");
      assertEquals(409, busy.statusCode());
      assertEquals("board: busy with run " + run + " (expected: a free board; wait until it ends, or abort it on the runs page)", busy.body().strip());
      assertEquals("run " + run, Json.MAPPER.readTree(get("/api/board").body()).get("status").get("busy").asText());
      HttpResponse<String> second = post(server, "/api/procedures/pulse-response", "{}");
      assertEquals(409, second.statusCode(), second.body());
      assertTrue(second.body().startsWith("board: busy with run " + run), second.body());

      HttpResponse<String> abort = post(server, "/api/runs/" + run + "/abort", "");
      assertEquals(202, abort.statusCode(), abort.body());
      List<String> rest = lines.untilEnd();
      JsonNode stop = Json.MAPPER.readTree(rest.get(rest.size() - 1));
      assertEquals("stop", stop.get("type").asText());
      assertEquals("aborted", stop.get("status").asText());
      assertTrue(stop.get("outputsIdle").asBoolean());
    }
    assertEquals(200, get("/api/heatmap").statusCode(), "the board is free again");
  }

  @Test
  void proceduresAreRefusedWhenReadOnlyBadOrOutsideTheEnvelopeAndNoRunIsCreated() throws Exception {
    List<String> before = new RunDirectory(runsDir).runIds();
    HttpResponse<String> ro = post(readOnly, "/api/procedures/pulse-response", "{}");
    assertEquals(403, ro.statusCode());
    assertEquals("procedure pulse-response: refused: the dashboard is read-only (expected: rramctl dashboard --allow-pulses to start procedures from the page)", ro.body().strip());
    String[][] cases = {
        {"nope", "{}", "400", "procedure: 'nope' (expected: one of pulse-response"},
        {"pulse-response", "{\"bogus\":1}", "400", "pulse-response parameter: 'bogus' (expected: one of cells"},
        {"pulse-response", "{\"pulses\":0}", "400", "pulses"},
        {"pulse-response", "not json", "400", "body: not JSON"},
        {"pulse-response", "[1,2]", "400", "body: [1,2] (expected: a JSON object"},
        {"pulse-response", "{\"amplitudeVolts\":50}", "400", "50"},
        {"pulse-response", "{\"cells\":\"9,9\"}", "400", "9"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = post(server, "/api/procedures/" + c[0], c[1]);
      assertEquals(Integer.parseInt(c[2]), r.statusCode(), c[0] + " " + c[1] + ": " + r.body());
      assertTrue(r.body().contains(c[3]), c[0] + " " + c[1] + ": " + r.body());
      assertEquals(1, r.body().strip().lines().count(), r.body());
    }
    HttpResponse<String> big = post(server, "/api/procedures/pulse-response", "{\"cells\":\"" + "0".repeat(70_000) + "\"}");
    assertEquals(413, big.statusCode());
    assertEquals(before, new RunDirectory(runsDir).runIds(), "no run was created");
    assertEquals(405, get("/api/procedures/pulse-response").statusCode());
    for (String path : List.of("/api/runs/nope", "/api/runs/nope/stream", "/api/runs/nope/csv", "/api/runs/..%2F..%2Fetc/csv")) {
      HttpResponse<String> r = get(path);
      assertEquals(404, r.statusCode(), path + ": " + r.body());
      assertTrue(r.body().startsWith("run: '"), r.body());
    }
    assertEquals(404, post(server, "/api/runs/nope/abort", "").statusCode());
    assertEquals(400, get("/api/runs/x/stream?from=-1").statusCode());
    JsonNode procs = Json.MAPPER.readTree(get("/api/procedures").body());
    assertTrue(procs.get("allowPulses").asBoolean());
    assertEquals(100, procs.get("procedures").get("pulse-response").get("pulses").asInt());
  }
}
