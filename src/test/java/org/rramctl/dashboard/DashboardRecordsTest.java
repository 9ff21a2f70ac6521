package org.rramctl.dashboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.calibration.CalibrationRecord;
import org.rramctl.calibration.CalibrationRecords;
import org.rramctl.cli.Main;
import org.rramctl.driver.Boards;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunDirectory;

/**
 * The calibration and training APIs: a record written by {@code calibrate --out} served as read and validated by
 * {@code calibrate --check}, records sent by the page checked the same way, a training folder's epochs (a torn last
 * line left out), and an experiment's results and plots. Records made once for the class by the real commands.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DashboardRecordsTest {
  static final String BOARD = "sim:rram-imbalanced?arrays=1&rows=6&cols=6&seed=3";

  @TempDir static Path dir;
  static Path cal;
  static Path train;
  static EnvelopedDriver driver;
  static DashboardServer server;
  static DashboardServer experiment;
  static DashboardServer bare;
  static HttpClient http;

  @BeforeAll
  static void start() throws IOException {
    cal = dir.resolve("cal.json");
    train = dir.resolve("train");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, Main.run(new String[] {"calibrate", "--board", BOARD, "--fit-devices", "4", "--out", cal.toString()}, new PrintWriter(out), new PrintWriter(err)), err.toString());
    assertEquals(0, Main.run(new String[] {"train", "--side", "7", "--layers", "49-16-10", "--epochs", "2", "--train-limit", "60", "--test-limit", "40", "--out", train.toString(),
        "--no-progress"}, new PrintWriter(out), new PrintWriter(err)), err.toString());
    driver = Boards.open(BOARD, null);
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    RunDirectory runs = new RunDirectory(dir.resolve("runs"));
    server = DashboardServer.start(driver, BOARD, runs, new DashboardServer.Options(loopback, null, false, cal, train));
    // The experiment shipped with the project (results.json and its plots; no cells folder).
    experiment = DashboardServer.start(driver, BOARD, runs, new DashboardServer.Options(loopback, null, false, null, Path.of("experiment-results/zero-shift")));
    bare = DashboardServer.start(driver, BOARD, runs, new DashboardServer.Options(loopback, null, false));
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() {
    for (DashboardServer s : new DashboardServer[] {server, experiment, bare}) if (s != null) s.close();
    if (driver != null) driver.close();
  }

  static HttpResponse<String> get(DashboardServer s, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.address().getPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> postRecord(byte[] body, String name) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + "/api/calibration")).header("X-Rramctl", "1")
        .header("X-File-Name", name).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The view holds the record's own values: the symmetry points, standard errors, reference errors, failures and fits. */
  static void assertShowsRecord(JsonNode view, CalibrationRecord r) {
    JsonNode rec = view.get("record");
    assertEquals(r.board().id(), rec.get("board").get("id").asText());
    assertEquals(r.tiles().size(), rec.get("tiles").size());
    CalibrationRecord.TileRecord t = r.tiles().get(0);
    JsonNode tile = rec.get("tiles").get(0);
    assertEquals(36, t.devices());
    for (int k = 0; k < t.devices(); k++) {
      assertEquals(t.spSiemens()[k], (float) Double.parseDouble(tile.get("spSiemens").get(k).asText()), "sp " + k);
      assertEquals(t.spStdErrorSiemens()[k], (float) Double.parseDouble(tile.get("spStdErrorSiemens").get(k).asText()), "se " + k);
      assertEquals(t.refErrorSiemens()[k], (float) Double.parseDouble(tile.get("refErrorSiemens").get(k).asText()), "ref error " + k);
    }
    assertEquals(t.status(), tile.get("status").asText());
    assertEquals(r.failures().size(), rec.get("failures").size());
    for (int i = 0; i < r.failures().size(); i++) assertEquals(r.failures().get(i).reason().name(), rec.get("failures").get(i).get("reason").asText());
    assertEquals(r.fits().size(), rec.get("fits").size());
    assertTrue(r.fits().size() > 0, "fits");
    assertEquals(r.fits().get(0).aUpSiemens(), rec.get("fits").get(0).get("aUpSiemens").asDouble());
  }

  @Test
  void theRecordGivenAtStartIsServedAsCalibrateCheckReadsIt() throws Exception {
    HttpResponse<String> r = get(server, "/api/calibration");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode view = Json.MAPPER.readTree(r.body());
    assertEquals(cal.toString(), view.get("file").asText());
    assertTrue(view.get("checksumVerified").asBoolean());
    assertShowsRecord(view, CalibrationRecords.read(cal));
  }

  @Test
  void aRecordSentByThePageIsCheckedAndADamagedOneRefusedNamingIt() throws Exception {
    byte[] bytes = Files.readAllBytes(cal);
    HttpResponse<String> ok = postRecord(bytes, "bench-cal.json");
    assertEquals(200, ok.statusCode(), ok.body());
    JsonNode view = Json.MAPPER.readTree(ok.body());
    assertEquals("bench-cal.json", view.get("file").asText());
    assertShowsRecord(view, CalibrationRecords.read(cal));

    // One digit changed inside the record: its checksum no longer matches.
    String text = new String(bytes, StandardCharsets.UTF_8);
    int at = text.indexOf("\"gMaxSiemens\"") + "\"gMaxSiemens\":".length() + 2;
    char c = text.charAt(at);
    String damaged = text.substring(0, at) + (c == '1' ? '2' : '1') + text.substring(at + 1);
    for (String[] bad : new String[][] {{damaged, "bench-cal.json: "}, {"not json at all", "bench-cal.json: "}, {"{\"schema\":\"other/1\"}", "schema 'other/1'"}}) {
      HttpResponse<String> r = postRecord(bad[0].getBytes(StandardCharsets.UTF_8), "bench-cal.json");
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains(bad[1]), r.body());
      assertTrue(!r.body().contains("rramctl-dashboard-calibration"), "names the sent file, not the server's temporary one: " + r.body());
      assertEquals(1, r.body().strip().lines().count(), r.body());
    }
    HttpResponse<String> none = get(bare, "/api/calibration");
    assertEquals(404, none.statusCode());
    assertEquals("calibration: none given at start (expected: rramctl dashboard --calibration FILE, or open a record on the page)", none.body().strip());
  }

  @Test
  void aTrainingFolderShowsItsCompleteEpochs() throws Exception {
    List<String> lines = Files.readAllLines(train.resolve("metrics.jsonl"));
    assertEquals(2, lines.size());
    JsonNode o = Json.MAPPER.readTree(get(server, "/api/training").body());
    assertEquals(2, o.get("epochs").size());
    for (int i = 0; i < 2; i++) assertEquals(Json.MAPPER.readTree(lines.get(i)), o.get("epochs").get(i));
    assertTrue(o.get("results").isNull());
    // An epoch being written (no newline yet) is not shown until it is complete.
    Path growing = Files.createDirectories(dir.resolve("growing"));
    Files.writeString(growing.resolve("metrics.jsonl"), lines.get(0) + "\n" + lines.get(1).substring(0, 20));
    try (DashboardServer s = DashboardServer.start(driver, BOARD, new RunDirectory(dir.resolve("runs")),
        new DashboardServer.Options(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, false, null, growing))) {
      assertEquals(1, Json.MAPPER.readTree(get(s, "/api/training").body()).get("epochs").size());
      Files.writeString(growing.resolve("metrics.jsonl"), lines.get(1).substring(20) + "\n", java.nio.file.StandardOpenOption.APPEND);
      assertEquals(2, Json.MAPPER.readTree(get(s, "/api/training").body()).get("epochs").size());
    }
    HttpResponse<String> none = get(bare, "/api/training");
    assertEquals(404, none.statusCode());
    assertTrue(none.body().startsWith("training: no folder given at start (expected: rramctl dashboard --training DIR"), none.body());
  }

  /**
   * The training page's epochs are pushed as they are appended (issue 17 point 1: live data pushed to the page), from a
   * folder whose training has not written its first epoch yet, line for line with the file, each with its line number as
   * the event id; a reconnecting browser (Last-Event-ID) gets only what follows; an unknown cell is a 404.
   */
  @Test
  void aTrainingRunsEpochsArePushedAsTheyAreAppended() throws Exception {
    List<String> lines = Files.readAllLines(train.resolve("metrics.jsonl"));
    Path growing = Files.createDirectories(dir.resolve("pushed"));
    try (DashboardServer s = DashboardServer.start(driver, BOARD, new RunDirectory(dir.resolve("runs")),
        new DashboardServer.Options(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, false, null, growing))) {
      URI stream = URI.create("http://127.0.0.1:" + s.address().getPort() + "/api/training/stream");
      HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(stream).build(), HttpResponse.BodyHandlers.ofLines());
      assertEquals(200, r.statusCode());
      assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
      try (SseLines events = new SseLines(r)) {
        Files.writeString(growing.resolve("metrics.jsonl"), lines.get(0) + "\n" + lines.get(1).substring(0, 20));
        assertEquals(List.of(lines.get(0)), events.data(1), "the first epoch, once the file appears");
        Files.writeString(growing.resolve("metrics.jsonl"), lines.get(1).substring(20) + "\n", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(List.of(lines.get(1)), events.data(1), "the second epoch, once its line is complete");
      }
      HttpResponse<java.util.stream.Stream<String>> again = http.send(HttpRequest.newBuilder(stream).header("Last-Event-ID", "0").build(), HttpResponse.BodyHandlers.ofLines());
      try (SseLines events = new SseLines(again)) {
        String id = null;
        String data = null;
        while (data == null) {
          String l = events.next("the epoch after event 0");
          if (l.startsWith("id: ")) id = l.substring(4);
          if (l.startsWith("data: ")) data = l.substring(6);
        }
        assertEquals("1", id);
        assertEquals(lines.get(1), data, "a reconnect goes on after the last event it got");
      }
      HttpResponse<String> unknown = get(s, "/api/training/stream?cell=nope");
      assertEquals(404, unknown.statusCode());
      assertTrue(unknown.body().startsWith("cell: 'nope' (expected: a cell of "), unknown.body());
    }
  }

  @Test
  void anExperimentFolderShowsItsResultsAndPlots() throws Exception {
    Path d = Path.of("experiment-results/zero-shift");
    JsonNode o = Json.MAPPER.readTree(get(experiment, "/api/training").body());
    assertEquals(Json.MAPPER.readTree(d.resolve("results.json").toFile()), o.get("results"));
    assertEquals(List.of("accuracy-vs-epoch-conventional.png", "accuracy-vs-epoch-tiki-taka.png", "accuracy-vs-epoch-zero-shifted.png", "final-accuracy-vs-ratio.png"),
        Json.MAPPER.convertValue(o.get("plots"), List.class));
    HttpResponse<byte[]> png = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + experiment.address().getPort() + "/api/training/plot/final-accuracy-vs-ratio.png")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, png.statusCode());
    assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
    assertArrayEquals(Files.readAllBytes(d.resolve("final-accuracy-vs-ratio.png")), png.body());
    for (String path : List.of("/api/training/plot/results.json", "/api/training/plot/..%2Fpom.xml", "/api/training/plot/.x.png", "/api/training/cells/nope",
        "/api/training/cells/..", "/api/training/other/x")) {
      HttpResponse<String> r = get(experiment, path);
      assertEquals(404, r.statusCode(), path + ": " + r.body());
      assertEquals(1, r.body().strip().lines().count(), r.body());
    }
  }
}
