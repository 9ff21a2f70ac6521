package org.rramctl.dashboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunDirectory;

/**
 * The dashboard's HTTP API over plain HTTP: the board's description, conductance maps that hold exactly the emulator's
 * values, the access rules (loopback, token) and junk requests, each answered with a 4xx and one line while the server
 * keeps serving. One server (and one emulator) for the class; port 0.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DashboardServerTest {
  /** The noise-free preset: a device reads the same every time, so the map can be compared value for value. */
  static final String BOARD = "sim:ideal?arrays=2&rows=6&cols=5&seed=3";

  @TempDir static java.nio.file.Path runsDir;
  static EnvelopedDriver driver;
  static DashboardServer server;
  static HttpClient http;
  static String base;

  @BeforeAll
  static void start() throws IOException {
    driver = Boards.open(BOARD, null);
    // Give every device of array 1 its own conductance (the ideal preset starts them all equal): a map that is
    // transposed, shifted or of the wrong array or plane cannot match. The reference plane gets other counts.
    for (int r = 0; r < 6; r++) {
      for (int c = 0; c < 5; c++) {
        driver.pulse(new Cell(1, Plane.ACTIVE, r, c), new Pulse(Polarity.UP, 1.0, 100, 200), 1 + 20 * r + 3 * c);
        driver.pulse(new Cell(1, Plane.REFERENCE, r, c), new Pulse(Polarity.DOWN, 1.0, 100, 200), 1 + 7 * c + r);
      }
    }
    server = DashboardServer.start(driver, BOARD, new RunDirectory(runsDir), new DashboardServer.Options(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, false));
    http = HttpClient.newHttpClient();
    base = "http://127.0.0.1:" + server.address().getPort();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (driver != null) driver.close();
  }

  static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode getJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(path);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    return Json.MAPPER.readTree(r.body());
  }

  @Test
  void boardDescribesTheEmulatorItsEnvelopeAndStatus() throws Exception {
    JsonNode b = getJson("/api/board");
    assertEquals(driver.info().boardId(), b.get("id").asText());
    assertEquals(BOARD, b.get("uri").asText());
    assertEquals(2, b.get("arrays").size());
    assertEquals(6, b.get("arrays").get(1).get("rows").asInt());
    assertEquals(5, b.get("arrays").get(1).get("cols").asInt());
    assertTrue(b.get("arrays").get(1).get("reference").asBoolean());
    assertEquals(1e-6, b.get("gMinSiemens").asDouble());
    assertEquals(1e-4, b.get("gMaxSiemens").asDouble());
    assertEquals(driver.envelope().limits().maxPulseVolts(), b.get("envelope").get("maxPulseVolts").asDouble());
    assertEquals(driver.envelope().limits().maxReadVolts(), b.get("envelope").get("maxReadVolts").asDouble());
    assertEquals(0.2, b.get("readVolts").asDouble());
    assertFalse(b.get("allowPulses").asBoolean());
    assertTrue(b.get("status").get("outputsIdle").asBoolean());
    assertEquals(driver.status().pulsesApplied(), b.get("status").get("pulsesApplied").asLong());
  }

  @Test
  void heatmapHoldsEveryDevicesConductanceRowMajor() throws Exception {
    for (String plane : List.of("active", "reference")) {
      JsonNode h = getJson("/api/heatmap?array=1&plane=" + plane);
      assertEquals(6, h.get("rows").asInt());
      assertEquals(5, h.get("cols").asInt());
      assertEquals(30, h.get("siemens").size());
      Plane p = plane.equals("active") ? Plane.ACTIVE : Plane.REFERENCE;
      for (int r = 0; r < 6; r++) {
        for (int c = 0; c < 5; c++) {
          double expected = driver.read(new Cell(1, p, r, c), 0.2);
          assertEquals(expected, h.get("siemens").get(r * 5 + c).asDouble(), 0, plane + " " + r + "," + c);
        }
      }
    }
  }

  @Test
  void differentialIsActiveMinusReferenceDeviceByDevice() throws Exception {
    JsonNode h = getJson("/api/heatmap?array=1&plane=differential");
    for (int r = 0; r < 6; r++) {
      for (int c = 0; c < 5; c++) {
        double expected = driver.read(new Cell(1, Plane.ACTIVE, r, c), 0.2) - driver.read(new Cell(1, Plane.REFERENCE, r, c), 0.2);
        assertEquals(expected, h.get("siemens").get(r * 5 + c).asDouble(), 1e-18, r + "," + c);
      }
    }
  }

  @Test
  void float32FormatCarriesTheSameValuesAndTheShapeInHeaders() throws Exception {
    JsonNode h = getJson("/api/heatmap?array=1");
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/heatmap?array=1&format=f32")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    assertEquals("6", r.headers().firstValue("X-Rows").orElseThrow());
    assertEquals("5", r.headers().firstValue("X-Cols").orElseThrow());
    ByteBuffer b = ByteBuffer.wrap(r.body()).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(30 * 4, r.body().length);
    float[] got = new float[30];
    float[] expected = new float[30];
    for (int k = 0; k < 30; k++) {
      got[k] = b.getFloat();
      expected[k] = (float) h.get("siemens").get(k).asDouble();
    }
    assertArrayEquals(expected, got);
  }

  @Test
  void readVoltageIsHeldToTheEnvelope() throws Exception {
    double max = driver.envelope().limits().maxReadVolts();
    HttpResponse<String> r = get("/api/heatmap?readVolts=" + (max * 2));
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("read"), r.body());
    assertEquals(200, get("/api/heatmap?readVolts=" + max).statusCode());
  }

  @Test
  void pagesScriptsAndTheWebJarAreServedFromTheJar() throws Exception {
    HttpResponse<String> root = get("/");
    assertEquals(200, root.statusCode());
    assertTrue(root.body().contains("<canvas id=\"heatmap\""), root.body());
    assertEquals("text/html; charset=utf-8", root.headers().firstValue("Content-Type").orElse(""));
    assertEquals(root.body(), get("/board.html").body());
    HttpResponse<String> js = get("/board.js");
    assertEquals(200, js.statusCode());
    assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
    HttpResponse<String> uplot = get("/webjars/uplot/dist/uPlot.esm.js");
    assertEquals(200, uplot.statusCode());
    assertTrue(uplot.body().contains("export"), "an ES module");
  }

  /** Each junk request, its status and a part of the one line that must explain it. */
  @Test
  void junkRequestsGetA4xxWithOneLineAndTheServerKeepsServing() throws Exception {
    String[][] cases = {
        {"/api/heatmap?array=7", "400", "array: 7 (expected: 0..1)"},
        {"/api/heatmap?array=-1", "400", "array: -1 (expected: 0..1)"},
        {"/api/heatmap?array=x", "400", "array: 'x' (expected: an integer 0..1)"},
        {"/api/heatmap?array=99999999999999999999", "400", "expected: an integer 0..1"},
        {"/api/heatmap?plane=sideways", "400", "plane: 'sideways' (expected: active, reference, differential)"},
        {"/api/heatmap?format=xml", "400", "format: 'xml' (expected: json, f32)"},
        {"/api/heatmap?readVolts=abc", "400", "readVolts: 'abc'"},
        {"/api/heatmap?readVolts=-0.1", "400", "readVolts: -0.1 (expected: volts > 0"},
        {"/api/heatmap?readVolts=NaN", "400", "readVolts: NaN"},
        {"/api/heatmap?colour=red", "400", "parameter 'colour': unknown (allowed: array, format, plane, readVolts)"},
        {"/api/heatmap?array=0&array=1", "400", "parameter 'array': given twice"},
        {"/api/board?x=1", "400", "parameter 'x': unknown (allowed: none)"},
        {"/api/nothing", "404", "path: /api/nothing (expected: /api/board, /api/heatmap, /api/runs"},
        {"/../../etc/passwd", "404", "path:"},
        {"/%2e%2e/pom.xml", "404", "path:"},
        {"/board.html/..", "404", "path:"},
        {"/org/rramctl/dashboard/DashboardServer.class", "404", "path:"},
        {"/webjars/jquery/x.js", "404", "expected: /webjars/uplot/..."},
        {"/webjars/uplot/../../../pom.xml", "404", "path:"},
        {"/api/heatmap?" + "a".repeat(5000), "400", "query: 5000 characters (expected: at most 4096)"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = get(c[0]);
      assertEquals(Integer.parseInt(c[1]), r.statusCode(), c[0] + ": " + r.body());
      assertTrue(r.body().contains(c[2]), c[0] + ": " + r.body());
      assertEquals(1, r.body().strip().lines().count(), c[0] + ": one line: " + r.body());
    }
    HttpResponse<String> wrongMethod = http.send(HttpRequest.newBuilder(URI.create(base + "/api/board")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, wrongMethod.statusCode());
    HttpResponse<String> postWithoutHeader = http.send(HttpRequest.newBuilder(URI.create(base + "/api/board")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, postWithoutHeader.statusCode());
    assertTrue(postWithoutHeader.body().contains("X-Rramctl"), postWithoutHeader.body());
    HttpResponse<String> postOnGetRoute = http.send(HttpRequest.newBuilder(URI.create(base + "/api/board")).header("X-Rramctl", "1")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, postOnGetRoute.statusCode());
    // Malformed percent-encoding (java.net.URI refuses to send it; the JDK's server refuses it before any handler).
    String badEscape = rawExchange("GET /api/heatmap?array=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", true);
    assertTrue(badEscape.startsWith("HTTP/1.1 400"), badEscape);
    // Raw bytes that are not HTTP, a request line without a version, a header without an end: the server drops them.
    for (String junk : List.of("\u0000\u0001\u0002garbage\r\n\r\n", "GET\r\n\r\n", "GET /api/board HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + "y".repeat(70_000))) {
      rawExchange(junk, false);
    }
    assertEquals(200, get("/api/board").statusCode(), "still serving");
  }

  @Test
  void aLoopbackServerRefusesAForeignHostName() throws Exception {
    String answer = rawExchange("GET /api/board HTTP/1.1\r\nHost: rebound.example.com:80\r\nConnection: close\r\n\r\n", true);
    assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
    assertTrue(answer.contains("Host: rebound.example.com:80 (expected: localhost or a loopback address"), answer);
    String ok = rawExchange("GET /api/board HTTP/1.1\r\nHost: localhost:" + server.address().getPort() + "\r\nConnection: close\r\n\r\n", true);
    assertTrue(ok.startsWith("HTTP/1.1 200"), ok);
  }

  /** Sends raw bytes and returns what came back (until the server closes the connection). */
  static String rawExchange(String request, boolean expectAnswer) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      if (expectAnswer) assertFalse(answer.isEmpty());
      return answer;
    }
  }

  @Test
  void aTokenIsRequiredOnEveryRequestAndTheCookieCarriesIt() throws Exception {
    String token = DashboardServer.newToken();
    try (DashboardServer guarded = DashboardServer.start(driver, BOARD, new RunDirectory(runsDir), new DashboardServer.Options(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), token, false))) {
      String b = "http://127.0.0.1:" + guarded.address().getPort();
      for (String path : List.of("/api/board", "/", "/board.js", "/api/heatmap", "/api/nothing")) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(b + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), path);
        assertTrue(r.body().startsWith("token: missing (expected:"), r.body());
      }
      HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(b + "/api/board")).header("Authorization", "Bearer " + token.replace(token.charAt(0), token.charAt(0) == 'a' ? 'b' : 'a')).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(401, wrong.statusCode());
      assertTrue(wrong.body().startsWith("token: wrong"), wrong.body());
      HttpResponse<String> bearer = http.send(HttpRequest.newBuilder(URI.create(b + "/api/board")).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, bearer.statusCode());
      assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(b + "/api/board?token=" + token)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      // Opening the printed address sets the cookie and sends the browser to the page without the token in it.
      assertEquals(URI.create(b + "/?token=" + token), guarded.uri());
      HttpResponse<String> login = http.send(HttpRequest.newBuilder(guarded.uri()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(303, login.statusCode());
      assertEquals("/", login.headers().firstValue("Location").orElseThrow());
      String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
      assertTrue(cookie.startsWith(DashboardServer.TOKEN_COOKIE + "=" + token + ";"), cookie);
      assertTrue(cookie.contains("HttpOnly"), cookie);
      HttpResponse<String> withCookie = http.send(HttpRequest.newBuilder(URI.create(b + "/api/board")).header("Cookie", "other=1; " + DashboardServer.TOKEN_COOKIE + "=" + token).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, withCookie.statusCode());
    }
  }

  @Test
  void aNonLoopbackAddressNeedsAToken() throws Exception {
    InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DashboardServer.Options(any, null, false));
    assertTrue(e.getMessage().startsWith("--bind: 0.0.0.0 is not a loopback address"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DashboardServer.Options(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "short", false));
    String t1 = DashboardServer.newToken();
    assertEquals(32, t1.length());
    assertNotEquals(t1, DashboardServer.newToken());
  }
}
