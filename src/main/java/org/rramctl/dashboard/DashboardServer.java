package org.rramctl.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.rramctl.driver.DriverException;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunDirectory;

/**
 * {@code rramctl dashboard}'s HTTP server (the JDK's {@code com.sun.net.httpserver}, no third-party server): the
 * pages and scripts shipped in the jar, the browser libraries from their WebJars, and a JSON API over the same data the
 * CLI reads and writes.
 *
 * <p>Access: bound to loopback by default, where requests must name a loopback host (a page of another site cannot
 * reach the board through DNS rebinding). Any other address needs a token ({@link Options}); with a token every
 * request must carry it (the {@code token} query parameter, which also sets a cookie for the page's later requests,
 * the cookie, or {@code Authorization: Bearer TOKEN}), otherwise 401. A state-changing request (POST) must also carry
 * the header {@code X-Rramctl: 1}, which another site's page cannot send without the browser asking first.
 *
 * <p>Bad requests get a 4xx and one line of text saying what was wrong ({@code array: 9 (expected: 0..2)}); nothing
 * a client sends ends the server. Thread-safe; {@link #close()} stops it and returns when its threads have ended.
 */
public final class DashboardServer implements AutoCloseable {
  /** Where the pages and scripts sit on the class path. */
  static final String WEB_ROOT = "/org/rramctl/dashboard/web/";
  /** The cookie that carries the token after a page was opened with {@code ?token=}. */
  static final String TOKEN_COOKIE = "rramctl_token";

  /**
   * How to serve.
   *
   * @param bind address and port (port 0: any free port; {@link #address()} says which)
   * @param token the access token, or null for none (loopback only)
   * @param allowPulses whether the page may start procedures that pulse devices
   * @param calibration a calibration record to show, or null
   * @param training a {@code train --out} or {@code experiment --out} folder to show, or null
   * @param subscribe a ZeroMQ publisher's endpoint whose documents the runs page shows live, or null
   */
  public record Options(InetSocketAddress bind, String token, boolean allowPulses, Path calibration, Path training, String subscribe) {
    /** Without a calibration record, training folder or subscription. */
    public Options(InetSocketAddress bind, String token, boolean allowPulses) {
      this(bind, token, allowPulses, null, null, null);
    }

    /** Without a subscription. */
    public Options(InetSocketAddress bind, String token, boolean allowPulses, Path calibration, Path training) {
      this(bind, token, allowPulses, calibration, training, null);
    }

    public Options {
      if (bind == null) throw new IllegalArgumentException("bind: null");
      if (bind.isUnresolved()) throw new IllegalArgumentException("--bind: " + bind.getHostString() + ": unknown host (expected: an address of this machine)");
      if (token != null && token.length() < 16) throw new IllegalArgumentException("token: " + token.length() + " characters (expected: at least 16)");
      if (token == null && !bind.getAddress().isLoopbackAddress()) {
        throw new IllegalArgumentException("--bind: " + bind.getAddress().getHostAddress() + " is not a loopback address (expected: 127.0.0.1 or ::1, or a token with --token)");
      }
    }
  }

  /** A random token of 128 bits, hex. */
  public static String newToken() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private final Options options;
  private final HttpServer http;
  private final ExecutorService pool;
  private final BoardView board;
  private final RunsView runs;
  private final ProcedureLauncher launcher;
  private final CalibrationView calibration;
  private final TrainingView training;
  private final LiveFeed live;
  private final byte[] tokenBytes;
  private volatile boolean closing;

  private DashboardServer(Options options, HttpServer http, ExecutorService pool, BoardView board, RunsView runs, ProcedureLauncher launcher, LiveFeed live) {
    this.options = options;
    this.http = http;
    this.pool = pool;
    this.board = board;
    this.runs = runs;
    this.launcher = launcher;
    this.calibration = new CalibrationView(options.calibration());
    this.training = new TrainingView(options.training());
    this.live = live;
    this.tokenBytes = options.token() == null ? null : options.token().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Starts serving {@code driver} (described as {@code boardUri}) and the runs of {@code runsDir}. The caller keeps
   * owning the driver and closes it after this server.
   */
  public static DashboardServer start(EnvelopedDriver driver, String boardUri, RunDirectory runsDir, Options options) throws IOException {
    LiveFeed live = options.subscribe() == null ? null : LiveFeed.subscribe(options.subscribe());
    HttpServer http;
    try {
      http = HttpServer.create(options.bind(), 64);
    } catch (IOException | RuntimeException e) {
      if (live != null) live.close();
      throw e;
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "dashboard-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(pool);
    BoardView board = new BoardView(driver, boardUri);
    DashboardServer s = new DashboardServer(options, http, pool, board, new RunsView(runsDir), new ProcedureLauncher(board, runsDir, boardUri), live);
    http.createContext("/", s::handle);
    http.start();
    return s;
  }

  /** The address served (with the port chosen when the options said 0). */
  public InetSocketAddress address() {
    return http.getAddress();
  }

  /** The page's address; with a token, carrying it so that opening this URI logs in. */
  public URI uri() {
    InetSocketAddress a = address();
    InetAddress ip = a.getAddress();
    String host = ip.isAnyLocalAddress() ? "127.0.0.1" : ip.getHostAddress();
    if (host.contains(":")) host = "[" + host + "]";
    return URI.create("http://" + host + ":" + a.getPort() + "/" + (options.token() == null ? "" : "?token=" + options.token()));
  }

  /** Stops serving: a procedure the page started is aborted (outputs idle, stop document written) first. */
  @Override
  public void close() {
    closing = true;
    launcher.close();
    if (live != null) live.close();
    http.stop(0);
    pool.shutdownNow();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void handle(HttpExchange ex) {
    try {
      try {
        route(ex);
      } catch (HttpError e) {
        sendText(ex, e.status(), e.getMessage());
      } catch (DriverException e) {
        sendText(ex, 502, "board: " + firstLine(e.getMessage()));
      } catch (IllegalArgumentException | IllegalStateException e) {
        // The envelope's and the board's refusals of a request (a read voltage over the limit, a closed driver).
        sendText(ex, 400, firstLine(e.getMessage()));
      } catch (IOException e) {
        sendText(ex, 500, e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
      } catch (RuntimeException e) {
        sendText(ex, 500, "internal error: " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
      }
    } catch (IOException | RuntimeException e) {
      // The client went away while we answered (or the answer was already under way): nothing left to tell it.
    } finally {
      ex.close();
    }
  }

  private void route(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    if (path == null || path.isEmpty()) path = "/";
    checkHost(ex);
    if (!authorised(ex)) {
      throw new HttpError(401, "token: " + (presentedToken(ex) == null ? "missing" : "wrong")
          + " (expected: the token printed when the dashboard started, as ?token=..., the cookie it sets, or Authorization: Bearer ...)");
    }
    String rawQuery = ex.getRequestURI().getRawQuery();
    if (tokenBytes != null && hasTokenParameter(rawQuery) && method.equals("GET") && !path.startsWith("/api/")) {
      // Opened with ?token=: keep it in a cookie for the page's own requests (scripts, API, event streams) and drop it
      // from the address bar.
      ex.getResponseHeaders().add("Set-Cookie", TOKEN_COOKIE + "=" + options.token() + "; Path=/; HttpOnly; SameSite=Strict");
      ex.getResponseHeaders().add("Location", path);
      ex.sendResponseHeaders(303, -1);
      return;
    }
    if (method.equals("POST")) {
      if (!"1".equals(ex.getRequestHeaders().getFirst("X-Rramctl"))) {
        throw new HttpError(403, "header X-Rramctl: missing (expected: X-Rramctl: 1 on every POST; the dashboard's pages send it)");
      }
    } else if (!method.equals("GET") && !method.equals("HEAD")) {
      ex.getResponseHeaders().add("Allow", "GET, HEAD, POST");
      throw new HttpError(405, "method: " + Query.clip(method) + " (expected: GET or POST)");
    }
    if (path.startsWith("/api/")) {
      api(ex, method, path, rawQuery);
      return;
    }
    requireGet(method, path);
    Query.parse(rawQuery, Set.of());
    if (path.equals("/")) path = "/board.html";
    if (path.startsWith("/webjars/")) {
      webjar(ex, path.substring("/webjars/".length()));
    } else {
      resource(ex, WEB_ROOT, path.substring(1));
    }
  }

  /** The JSON API: one line per route, the path's segments after {@code /api/}. */
  private void api(HttpExchange ex, String method, String path, String rawQuery) throws IOException {
    String[] seg = path.substring("/api/".length()).split("/", -1);
    String route = switch (seg.length) {
      case 1 -> seg[0];
      case 2 -> seg[0].equals("training") ? "training/" + seg[1] : seg[0] + "/*";
      case 3 -> seg[0].equals("training") ? "training/" + seg[1] + "/*" : seg[0] + "/*/" + seg[2];
      default -> "?";
    };
    switch (route) {
      case "board" -> {
        requireGet(method, path);
        Query.parse(rawQuery, Set.of());
        sendJson(ex, 200, board.describe(options.allowPulses()));
      }
      case "heatmap" -> {
        requireGet(method, path);
        Query q = Query.parse(rawQuery, BoardView.HEATMAP_PARAMS);
        String format = q.choice("format", "json", "json", "f32");
        BoardView.Heatmap h = board.heatmap(q);
        if (format.equals("f32")) {
          var headers = ex.getResponseHeaders();
          headers.add("X-Rows", Integer.toString(h.map().rows()));
          headers.add("X-Cols", Integer.toString(h.map().cols()));
          headers.add("X-Read-Volts", Double.toString(h.readVolts()));
          headers.add("X-Time", h.time());
          send(ex, 200, "application/octet-stream", BoardView.float32(h));
        } else {
          sendJson(ex, 200, BoardView.json(h));
        }
      }
      case "runs" -> {
        requireGet(method, path);
        Query.parse(rawQuery, Set.of());
        com.fasterxml.jackson.databind.node.ObjectNode list = runs.list();
        list.set("live", live == null ? null : live.describe());
        sendJson(ex, 200, list);
      }
      case "live" -> {
        requireGet(method, path);
        Query.parse(rawQuery, Set.of());
        if (live == null) throw HttpError.notFound("live: no subscription (expected: rramctl dashboard --subscribe tcp://HOST:PORT, a procedure's or server's --publish endpoint)");
        String last = ex.getRequestHeaders().getFirst("Last-Event-ID");
        long from = last != null && last.matches("\\d{1,18}") ? Long.parseLong(last) + 1 : 0;
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        try {
          live.stream(ex.getResponseBody(), from, () -> closing);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      case "runs/*" -> {
        requireGet(method, path);
        Query.parse(rawQuery, Set.of());
        sendJson(ex, 200, runs.show(decode(seg[1])));
      }
      case "runs/*/stream" -> {
        requireGet(method, path);
        runs.stream(ex, decode(seg[1]), resumeFrom(ex, Query.parse(rawQuery, Set.of("from"))), () -> closing);
      }
      case "runs/*/csv" -> {
        requireGet(method, path);
        Query.parse(rawQuery, Set.of());
        String id = decode(seg[1]);
        byte[] csv = runs.csv(id);
        ex.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"" + id + ".csv\"");
        send(ex, 200, "text/csv; charset=utf-8", csv);
      }
      case "runs/*/abort" -> {
        requirePost(method, path);
        Query.parse(rawQuery, Set.of());
        sendJson(ex, 202, runs.abort(decode(seg[1])));
      }
      case "procedures" -> {
        requireGet(method, path);
        Query.parse(rawQuery, Set.of());
        com.fasterxml.jackson.databind.node.ObjectNode o = Json.object();
        o.put("allowPulses", options.allowPulses());
        o.put("busy", board.lock().busyWith());
        o.set("procedures", RunsView.procedures());
        sendJson(ex, 200, o);
      }
      case "procedures/*" -> {
        requirePost(method, path);
        Query.parse(rawQuery, Set.of());
        if (!options.allowPulses()) {
          throw new HttpError(403, "procedure " + Query.clip(decode(seg[1])) + ": refused: the dashboard is read-only (expected: rramctl dashboard --allow-pulses to start procedures from the page)");
        }
        sendJson(ex, 201, launcher.start(decode(seg[1]), RunsView.parameters(body(ex, MAX_BODY))));
      }
      case "calibration" -> {
        Query.parse(rawQuery, Set.of());
        if (method.equals("POST")) {
          String name = ex.getRequestHeaders().getFirst("X-File-Name");
          sendJson(ex, 200, calibration.uploaded(body(ex, CalibrationView.MAX_RECORD_BYTES), name == null || name.isBlank() ? "the record sent" : Query.clip(name)));
        } else {
          sendJson(ex, 200, calibration.preloaded());
        }
      }
      case "training" -> {
        requireGet(method, path);
        Query.parse(rawQuery, Set.of());
        sendJson(ex, 200, training.overview());
      }
      case "training/stream" -> {
        requireGet(method, path);
        Query q = Query.parse(rawQuery, Set.of("cell", "from"));
        training.stream(ex, q.string("cell", null), resumeFrom(ex, q), () -> closing);
      }
      case "training/cells/*" -> {
        requireGet(method, path);
        Query.parse(rawQuery, Set.of());
        sendJson(ex, 200, training.cell(decode(seg[2])));
      }
      case "training/plot/*" -> {
        requireGet(method, path);
        Query.parse(rawQuery, Set.of());
        send(ex, 200, "image/png", training.plot(decode(seg[2])));
      }
      default -> throw HttpError.notFound("path: " + Query.clip(path)
          + " (expected: /api/board, /api/heatmap, /api/runs, /api/runs/RUN, /api/runs/RUN/stream, /api/runs/RUN/csv, /api/runs/RUN/abort, /api/procedures, /api/procedures/NAME, /api/calibration, /api/training, /api/training/stream, /api/training/cells/ID, /api/training/plot/NAME, /api/live)");
    }
  }

  /** Longest request body read, bytes. */
  static final int MAX_BODY = 64 * 1024;

  private static byte[] body(HttpExchange ex, int max) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes(max + 1);
      if (b.length > max) throw new HttpError(413, "body: more than " + max + " bytes (expected: " + (max == MAX_BODY ? "a small JSON object of parameters" : "a calibration record") + ")");
      return b;
    }
  }

  /**
   * Where a stream starts: {@code ?from=N} (a line number), or after the last event a browser's EventSource got
   * ({@code Last-Event-ID}) when it reconnects after a lost connection.
   */
  private static long resumeFrom(HttpExchange ex, Query q) {
    long from = q.integer("from", 0, 0, Integer.MAX_VALUE);
    String last = ex.getRequestHeaders().getFirst("Last-Event-ID");
    if (last != null && last.matches("\\d{1,18}")) from = Math.max(from, Long.parseLong(last) + 1);
    return from;
  }

  private static String decode(String segment) {
    try {
      return java.net.URLDecoder.decode(segment, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("path: '" + Query.clip(segment) + "': malformed percent-encoding");
    }
  }

  private static void requirePost(String method, String path) {
    if (!method.equals("POST")) throw new HttpError(405, "method: " + method + " on " + Query.clip(path) + " (expected: POST)");
  }

  private static void requireGet(String method, String path) {
    if (!method.equals("GET") && !method.equals("HEAD")) throw new HttpError(405, "method: " + method + " on " + Query.clip(path) + " (expected: GET)");
  }

  // -- access ------------------------------------------------------------------------------------------------------

  /** On a loopback address, the Host header must name loopback (no DNS rebinding); elsewhere the token guards. */
  private void checkHost(HttpExchange ex) {
    if (!options.bind().getAddress().isLoopbackAddress()) return;
    String host = ex.getRequestHeaders().getFirst("Host");
    if (host == null) return; // HTTP/1.0 without Host: not a browser following a rebound name
    String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.replaceFirst(":\\d*$", "");
    name = name.toLowerCase(Locale.ROOT);
    if (!(name.equals("localhost") || name.equals("[::1]") || name.startsWith("127."))) {
      throw new HttpError(403, "Host: " + Query.clip(host) + " (expected: localhost or a loopback address; the dashboard serves this machine only)");
    }
  }

  private boolean authorised(HttpExchange ex) {
    if (tokenBytes == null) return true;
    String t = presentedToken(ex);
    return t != null && MessageDigest.isEqual(t.getBytes(StandardCharsets.UTF_8), tokenBytes);
  }

  private static boolean hasTokenParameter(String rawQuery) {
    return rawQuery != null && ("&" + rawQuery).contains("&token=");
  }

  /** The token the request carries: the query parameter, the Authorization header or the cookie (first found). */
  private static String presentedToken(HttpExchange ex) {
    String q = ex.getRequestURI().getRawQuery();
    if (q != null) {
      for (String pair : q.split("&")) if (pair.startsWith("token=")) return pair.substring(6);
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null && auth.startsWith("Bearer ")) return auth.substring(7).trim();
    List<String> cookies = ex.getRequestHeaders().get("Cookie");
    if (cookies != null) {
      for (String line : cookies) {
        for (String c : line.split(";")) {
          String t = c.trim();
          if (t.startsWith(TOKEN_COOKIE + "=")) return t.substring(TOKEN_COOKIE.length() + 1);
        }
      }
    }
    return null;
  }

  // -- static content ----------------------------------------------------------------------------------------------

  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
      "png", "image/png", "svg", "image/svg+xml", "json", "application/json", "ico", "image/x-icon");

  private void resource(HttpExchange ex, String root, String name) throws IOException {
    if (name.isEmpty() || name.contains("..") || name.contains("//") || name.contains("\\") || !name.matches("[A-Za-z0-9._/-]+")) {
      throw HttpError.notFound("path: /" + Query.clip(name) + " (expected: a page such as /board.html)");
    }
    int dot = name.lastIndexOf('.');
    String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
    InputStream in = type == null ? null : DashboardServer.class.getResourceAsStream(root + name);
    if (in == null) throw HttpError.notFound("path: /" + Query.clip(name) + " (expected: a page such as /board.html)");
    byte[] body;
    try (in) {
      body = in.readAllBytes();
    }
    ex.getResponseHeaders().add("Cache-Control", "no-cache");
    send(ex, 200, type, body);
  }

  /** WebJars this server hands out, by the name the pages use, with the folder inside the jar. */
  private static final Map<String, String> WEBJARS = Map.of("uplot", "org.webjars.npm/uplot");

  private void webjar(HttpExchange ex, String rest) throws IOException {
    int slash = rest.indexOf('/');
    String lib = slash < 0 ? rest : rest.substring(0, slash);
    String coordinates = WEBJARS.get(lib);
    if (coordinates == null || slash < 0) throw HttpError.notFound("path: /webjars/" + Query.clip(rest) + " (expected: /webjars/uplot/...)");
    String version = webjarVersion(coordinates);
    resource(ex, "/META-INF/resources/webjars/" + lib + "/" + version + "/", rest.substring(slash + 1));
  }

  private static String webjarVersion(String coordinates) throws IOException {
    try (InputStream in = DashboardServer.class.getResourceAsStream("/META-INF/maven/" + coordinates + "/pom.properties")) {
      if (in == null) throw new IOException("WebJar " + coordinates + " is not on the class path");
      java.util.Properties p = new java.util.Properties();
      p.load(in);
      return p.getProperty("version");
    }
  }

  // -- answers -----------------------------------------------------------------------------------------------------

  static void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
    send(ex, status, "application/json", Json.MAPPER.writeValueAsBytes(body));
  }

  static void sendText(HttpExchange ex, int status, String line) throws IOException {
    send(ex, status, "text/plain; charset=utf-8", (line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  static String firstLine(String m) {
    if (m == null || m.isBlank()) return "(no message)";
    return m.lines().findFirst().orElse(m);
  }
}
