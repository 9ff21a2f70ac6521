package org.rramctl.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.rramctl.calibration.CalibrationRecord;
import org.rramctl.calibration.CalibrationRecords;
import org.rramctl.cli.Main;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.journal.Durability;
import org.rramctl.journal.Json;
import org.rramctl.journal.LivePublisher;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunRecorder;
import org.rramctl.journal.RunStatus;

/**
 * The dashboard's pages in a real browser: Debian's headless Chromium driven by Selenium through Debian's chromedriver.
 * One browser and one dashboard (an emulator with pulses allowed, a calibration record, a training folder) for the
 * class. Screenshots of every page go to {@code target/dashboard/}; two speeds are measured and reported (never
 * asserted): a 785 x 256 heatmap's refresh, and the delay from journaling a document to the page at 1,000 events/s.
 *
 * <p>Skipped, saying why, only when Chromium is not installed ({@code .ci/run} installs it); a Chromium without its
 * chromedriver is a failure.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DashboardBrowserTest {
  static final Path CHROMIUM = Path.of(System.getProperty("rramctl.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER = Path.of(System.getProperty("rramctl.chromedriver", "/usr/bin/chromedriver"));
  static final String BOARD = "sim:ideal?arrays=1&rows=8&cols=8&seed=4";
  static final String BIG_BOARD = "sim:rram-imbalanced?arrays=1&rows=785&cols=256&seed=1";
  static final Path SHOTS = Path.of("target", "dashboard");

  @TempDir static Path dir;
  static Path runsDir;
  static Path cal;
  static Path trainDir;
  static EnvelopedDriver board;
  static EnvelopedDriver bigBoard;
  static DashboardServer server;
  static DashboardServer bigServer;
  static DashboardServer experimentServer;
  static LivePublisher publisher;
  static ChromeDriver browser;
  static WebDriverWait wait;

  /** Why the browser tests are skipped (Chromium not installed), or null. */
  static String skipped;

  @BeforeAll
  static void start() throws IOException {
    if (!Files.isExecutable(CHROMIUM)) {
      skipped = "Chromium is not installed at " + CHROMIUM + " (apt-get install chromium chromium-driver; .ci/run installs both): browser test skipped";
      return;
    }
    assertTrue(Files.isExecutable(CHROMEDRIVER), "Chromium is installed but chromedriver is not at " + CHROMEDRIVER + " (expected: Debian's chromium-driver package)");
    runsDir = dir.resolve("runs");
    cal = dir.resolve("cal.json");
    trainDir = Files.createDirectories(dir.resolve("train"));
    StringWriter err = new StringWriter();
    assertEquals(0, Main.run(new String[] {"calibrate", "--board", "sim:rram-imbalanced?arrays=1&rows=6&cols=6&seed=3", "--fit-devices", "4", "--out", cal.toString()},
        new PrintWriter(new StringWriter()), new PrintWriter(err)), err.toString());
    board = Boards.open(BOARD, null);
    // Every device its own conductance (the ideal preset starts them all equal), so a misplaced value shows.
    for (int r = 0; r < 8; r++) for (int c = 0; c < 8; c++) board.pulse(new Cell(0, Plane.ACTIVE, r, c), new Pulse(Polarity.UP, 1.0, 100, 200), 1 + 40 * r + 5 * c);
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    publisher = LivePublisher.bind("tcp://127.0.0.1:*");
    server = DashboardServer.start(board, BOARD, new RunDirectory(runsDir), new DashboardServer.Options(loopback, null, true, cal, trainDir, publisher.endpoint()));
    bigBoard = Boards.open(BIG_BOARD, null);
    bigServer = DashboardServer.start(bigBoard, BIG_BOARD, new RunDirectory(dir.resolve("big-runs")), new DashboardServer.Options(loopback, null, false));
    // The zero-shift experiment shipped with the project (results.json and its plots).
    experimentServer = DashboardServer.start(board, BOARD, new RunDirectory(runsDir), new DashboardServer.Options(loopback, null, false, null, Path.of("experiment-results/zero-shift")));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1000,760", "--hide-scrollbars");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(60));
    Files.createDirectories(SHOTS);
  }

  /** Each test is reported skipped, with the reason, when there is no Chromium. */
  @BeforeEach
  void needsChromium() {
    Assumptions.assumeTrue(skipped == null, skipped);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.quit();
    for (DashboardServer s : new DashboardServer[] {server, bigServer, experimentServer}) if (s != null) s.close();
    if (publisher != null) publisher.close();
    for (EnvelopedDriver d : new EnvelopedDriver[] {board, bigBoard}) if (d != null) d.close();
  }

  static String url(DashboardServer s, String page) {
    return "http://127.0.0.1:" + s.address().getPort() + "/" + page;
  }

  static String attr(String id, String name) {
    return browser.findElement(By.id(id)).getDomAttribute("data-" + name);
  }

  static void waitForAttr(String id, String name, String value) {
    wait.withMessage(() -> "#" + id + " data-" + name + " = " + attr(id, name) + " (expected: " + value + "); page error: " + browser.findElement(By.id("error")).getText()
        + "; element: " + browser.findElement(By.id(id)).getDomProperty("outerHTML").lines().findFirst().orElse(""))
        .until(b -> value.equals(attr(id, name)));
  }

  /** The page from its top, as a person opening it sees it; the page shows no error. */
  static void screenshot(String name) throws IOException {
    screenshot(name, null);
  }

  /** The page scrolled to the element {@code id} (null: the top); the page shows no error. */
  static void screenshot(String name, String id) throws IOException {
    assertEquals("", browser.findElement(By.id("error")).getText(), "the page's error line");
    ((JavascriptExecutor) browser).executeScript(id == null ? "window.scrollTo(0, 0)" : "document.getElementById(arguments[0]).scrollIntoView()", id);
    Files.write(SHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
  }

  /** Moves the mouse over device (row, col) of a heatmap canvas. */
  static void hover(WebElement canvas, int rows, int cols, int row, int col) {
    ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'center'})", canvas);
    var rect = canvas.getRect();
    int x = (int) Math.round((col + 0.5) * rect.getWidth() / cols - rect.getWidth() / 2.0);
    int y = (int) Math.round((row + 0.5) * rect.getHeight() / rows - rect.getHeight() / 2.0);
    new Actions(browser).moveToElement(canvas, x, y).perform();
  }

  @Test
  void boardPageShowsEachDevicesConductanceUnderTheMouse() throws Exception {
    browser.get(url(server, ""));
    waitForAttr("heatmap", "refreshes", "1");
    assertEquals("8", attr("heatmap", "rows"));
    assertEquals(board.info().boardId(), attr("board-table", "board-id"));
    WebElement canvas = browser.findElement(By.id("heatmap"));
    for (int[] rc : new int[][] {{0, 0}, {0, 7}, {7, 0}, {3, 5}, {7, 7}}) {
      hover(canvas, 8, 8, rc[0], rc[1]);
      waitForAttr("hover", "row", Integer.toString(rc[0]));
      waitForAttr("hover", "col", Integer.toString(rc[1]));
      double shown = Double.parseDouble(attr("hover", "siemens"));
      double expected = board.read(new Cell(0, Plane.ACTIVE, rc[0], rc[1]), 0.2);
      assertEquals((float) expected, (float) shown, rc[0] + "," + rc[1]);
    }
    assertTrue(browser.findElement(By.id("hover")).getText().contains("µS"));
    screenshot("board");
  }

  @Test
  void a785By256HeatmapRefreshIsMeasured(TestReporter report) throws Exception {
    browser.get(url(bigServer, "board.html"));
    waitForAttr("heatmap", "refreshes", "1");
    assertEquals("785", attr("heatmap", "rows"));
    assertEquals("256", attr("heatmap", "cols"));
    List<Double> ms = new ArrayList<>();
    for (int i = 2; i <= 11; i++) {
      browser.findElement(By.id("refresh")).click();
      waitForAttr("heatmap", "refreshes", Integer.toString(i));
      ms.add(Double.parseDouble(attr("heatmap", "refresh-ms")));
    }
    double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    String line = String.format(Locale.ROOT, "785x256 heatmap refresh (request, read of 200,960 devices, float32 transfer, drawing), 10 refreshes: median %.1f ms, min %.1f, max %.1f; all %s",
        sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1], ms);
    report.publishEntry("heatmapRefresh", line);
    Files.writeString(SHOTS.resolve("heatmap-refresh.txt"), line + "\n");
    screenshot("board-785x256");
  }

  @Test
  void runsPageRunsAPulseResponseAndFollowsAJournalLiveAtAThousandEventsPerSecond(TestReporter report) throws Exception {
    browser.get(url(server, "runs.html"));
    wait.until(b -> b.findElement(By.id("start")).isEnabled());
    WebElement params = browser.findElement(By.id("params"));
    params.clear();
    params.sendKeys("{\"cells\":\"0,0-1\",\"pulses\":50,\"cycles\":2}");
    browser.findElement(By.id("start")).click();
    waitForAttr("run-section", "status", "success");
    waitForAttr("run-section", "events", Integer.toString(2 * 2 * 101));
    assertEquals(2, browser.findElements(By.cssSelector("#plot .u-legend .u-series")).size() - 1, "one series per device");
    String run = attr("run-section", "run");
    assertTrue(run.contains("pulse-response"), run);
    wait.until(b -> !b.findElements(By.cssSelector("#runs-table tr[data-run='" + run + "'][data-status='success']")).isEmpty());
    screenshot("runs", "run-section");

    // A run journaled by another writer (as a procedure in another process would), followed from its start.
    RunDirectory runs = new RunDirectory(runsDir);
    ObjectNodeBuilder start = new ObjectNodeBuilder();
    try (RunRecorder rec = RunRecorder.start(runs, "20261203-000000-pulse-response-live", start.startFields(), Durability.FLUSH, java.time.Instant::now, new ArrayList<>())) {
      browser.get(url(server, "runs.html#" + rec.runId()));
      waitForAttr("run-section", "last-seq", "0");
      for (int i = 0; i < 10; i++) rec.event(start.event(i));
      waitForAttr("run-section", "events", "10");
      assertEquals("running", attr("run-section", "status"), "the plot grows while the run runs");
      for (int i = 10; i < 20; i++) rec.event(start.event(i));
      waitForAttr("run-section", "events", "20");
      // 2,000 documents at 1,000 per second; the page measures each one's delay from its journal time to its arrival.
      long t0 = System.nanoTime();
      for (int i = 0; i < 2000; i++) {
        long due = t0 + i * 1_000_000L;
        while (System.nanoTime() < due) LockSupport.parkNanos(due - System.nanoTime());
        rec.event(start.event(20 + i));
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      rec.stop(RunStatus.SUCCESS, null, Json.object());
      waitForAttr("run-section", "status", "success");
      waitForAttr("run-section", "events", "2020");
      String line = String.format(Locale.ROOT, "journal to page at %.0f events/s (2,000 events in %.2f s): delay median %s ms, p99 %s ms, max %s ms (over all 2,020 events)",
          2000 / seconds, seconds, attr("run-section", "latency-p50"), attr("run-section", "latency-p99"), attr("run-section", "latency-max"));
      report.publishEntry("liveLatency", line);
      Files.writeString(SHOTS.resolve("live-latency.txt"), line + "\n");
    }
  }

  @Test
  void runsPageShowsARunHeardOnTheSubscription() throws Exception {
    browser.get(url(server, "runs.html"));
    // Heartbeats (ZeroMQ's slow joiner) until the page says the subscription is connected (it re-reads that every 3 s).
    wait.until(b -> {
      publisher.heartbeat();
      return "true".equals(attr("live-section", "connected"));
    });
    assertEquals("true", attr("live-section", "connected"));
    ObjectNodeBuilder docs = new ObjectNodeBuilder();
    RunDirectory elsewhere = new RunDirectory(dir.resolve("publisher-runs"));
    String run;
    try (RunRecorder rec = RunRecorder.start(elsewhere, "20261203-000000-pulse-response-remote", docs.startFields(), Durability.FLUSH, java.time.Instant::now,
        new ArrayList<>(List.of(publisher)))) {
      run = rec.runId();
      for (int i = 0; i < 30; i++) rec.event(docs.event(i));
      rec.stop(RunStatus.SUCCESS, null, Json.object());
    }
    wait.until(b -> !b.findElements(By.cssSelector("#live-table tr[data-run='" + run + "'][data-docs='32'][data-status='success']")).isEmpty());
    assertEquals("0", browser.findElement(By.cssSelector("#live-table tr[data-run='" + run + "']")).getDomAttribute("data-missed"));
    browser.findElement(By.cssSelector("#live-table tr[data-run='" + run + "'] a")).click();
    waitForAttr("run-section", "events", "30");
    assertEquals("success", attr("run-section", "status"));
    assertEquals("true", attr("run-section", "live"));
    assertTrue(browser.findElement(By.id("abort")).getDomAttribute("hidden") != null, "no abort for a run elsewhere");
  }

  /** The start document and events of a run written by the test. */
  static final class ObjectNodeBuilder {
    com.fasterxml.jackson.databind.node.ObjectNode startFields() {
      var s = Json.object();
      s.put("procedure", "pulse-response");
      s.set("parameters", Json.object().put("cells", "0,0"));
      s.set("board", Json.object().put("uri", BOARD).put("id", "test").put("firmware", "test"));
      s.set("envelope", Json.object());
      s.put("host", "test");
      s.put("pid", ProcessHandle.current().pid());
      s.put("rramctl", "test");
      return s;
    }

    com.fasterxml.jackson.databind.node.ObjectNode event(int i) {
      return Json.object().put("array", 0).put("row", 0).put("col", 0).put("pulse", i).put("g", 1e-6 * (1 + (i % 100)));
    }
  }

  @Test
  void calibrationPageShowsTheRecordGivenAtStartAndOneOpenedOnThePage() throws Exception {
    CalibrationRecord r = CalibrationRecords.read(cal);
    CalibrationRecord.TileRecord t = r.tiles().get(0);
    browser.get(url(server, "calibration.html"));
    waitForAttr("summary", "devices", "36");
    assertEquals(Integer.toString(r.failures().size()), attr("summary", "failures"));
    assertEquals(r.failures().size(), browser.findElements(By.cssSelector("#failures tr[data-reason]")).size());
    float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
    for (float v : t.spSiemens()) if (Float.isFinite(v)) { min = Math.min(min, v); max = Math.max(max, v); }
    assertEquals(min, (float) Double.parseDouble(attr("sp-map", "min")));
    assertEquals(max, (float) Double.parseDouble(attr("sp-map", "max")));
    long programmed = 0;
    for (float v : t.refErrorSiemens()) if (Float.isFinite(v)) programmed++;
    assertEquals(Long.toString(programmed), attr("histogram", "count"));
    hover(browser.findElement(By.id("sp-map")), 6, 6, 2, 4);
    waitForAttr("hover", "row", "2");
    waitForAttr("hover", "col", "4");
    assertEquals(t.spSiemens()[2 * 6 + 4], (float) Double.parseDouble(attr("hover", "sp-siemens")));
    screenshot("calibration");

    Path other = Files.copy(cal, dir.resolve("other-cal.json"));
    browser.findElement(By.id("file")).sendKeys(other.toAbsolutePath().toString());
    waitForAttr("summary", "file", "other-cal.json");
    Path damaged = dir.resolve("damaged-cal.json");
    Files.writeString(damaged, "{\"schema\":\"rramctl.calibration/1\"}");
    browser.findElement(By.id("file")).sendKeys(damaged.toAbsolutePath().toString());
    wait.until(b -> b.findElement(By.id("error")).getText().startsWith("400: damaged-cal.json"));
  }

  @Test
  void trainingPageFollowsAShortTrainingRunToItsLastEpoch() throws Exception {
    browser.get(url(server, "training.html"));
    waitForAttr("training", "epochs", "0");
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> training = CompletableFuture.supplyAsync(() -> Main.run(new String[] {"train", "--side", "7", "--layers", "49-16-10", "--epochs", "3",
        "--train-limit", "200", "--test-limit", "100", "--out", trainDir.toString(), "--no-progress"}, new PrintWriter(new StringWriter()), new PrintWriter(err)));
    waitForAttr("training", "epochs", "3");
    assertEquals(0, training.get(60, TimeUnit.SECONDS), err.toString());
    List<String> lines = Files.readAllLines(trainDir.resolve("metrics.jsonl"), StandardCharsets.UTF_8);
    JsonNode last = Json.MAPPER.readTree(lines.get(lines.size() - 1));
    assertEquals(3, last.get("epoch").asInt());
    assertEquals(last.get("testAccuracy").asDouble(), Double.parseDouble(attr("training", "last-test-accuracy")));
    assertEquals(3, browser.findElements(By.cssSelector("#epochs tbody tr")).size());
    screenshot("training");

    browser.get(url(experimentServer, "training.html"));
    waitForAttr("results", "rows", "4");
    assertEquals(1 + 4 + 1, browser.findElements(By.cssSelector("#results tr")).size(), "a header, one row per ratio, floating point");
    assertTrue(browser.findElement(By.id("results")).getText().contains("floating point"));
    wait.until(b -> b.findElements(By.cssSelector("#plots img")).size() == 4);
    screenshot("training-experiment", "results-section");
    assertTrue(Arrays.asList(SHOTS.toFile().list()).contains("training.png"));
  }
}
