package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.journal.Journal;
import org.rramctl.journal.RunDirectory;
import picocli.CommandLine;

/** The characterization commands through the same error handling as the rramctl command line. */
class CharacterizationCliTest {
  @TempDir Path tmp;

  private static CliRun.Result run(String... args) {
    return CliRun.run(args);
  }

  private String runs() {
    return tmp.resolve("runs").toString();
  }

  private static String runId(String out) {
    Matcher m = Pattern.compile("run (\\S+): success").matcher(out);
    assertTrue(m.find(), out);
    return m.group(1);
  }

  @Test
  void aPulseResponseRunsIsListedShownAndExportedAsTidyCsv() throws Exception {
    CliRun.Result r = run("procedure", "pulse-response", "--board", "sim:ideal?arrays=1&rows=2&cols=2&seed=3", "--runs", runs(),
        "--cells", "0,0-1", "--pulses", "10");
    assertEquals(0, r.code(), r.err());
    String id = runId(r.out());
    assertTrue(r.out().contains("  devices: 2"), r.out());

    CliRun.Result list = run("runs", "list", "--runs", runs());
    assertTrue(list.out().lines().anyMatch(l -> l.startsWith(id) && l.contains("pulse-response") && l.contains("success") && l.contains(" 42 ")), list.out());

    CliRun.Result show = run("runs", "show", id.substring(id.length() - 4), "--runs", runs());
    assertEquals(0, show.code(), show.err());
    assertTrue(show.out().contains("status     success"), show.out());
    assertTrue(show.out().contains("board      sim:ideal?arrays=1&rows=2&cols=2&seed=3 (id emulator-ideal-seed3"), show.out());
    assertTrue(show.out().contains("firstUpStepSiemens"), show.out());

    Path csv = tmp.resolve("out.csv");
    CliRun.Result export = run("runs", "export", id, "--csv", csv.toString(), "--runs", runs());
    assertEquals(0, export.code(), export.err());
    List<String> lines = Files.readAllLines(csv);
    assertTrue(lines.contains("# procedure: pulse-response"), lines.toString());
    assertTrue(lines.contains("# parameters.pulses: 10"), lines.toString());
    List<String> table = lines.stream().filter(l -> !l.startsWith("#")).toList();
    assertEquals("seq,t,array,row,col,cycle,branch,pulse,g", table.get(0));
    assertEquals(1 + 42, table.size());
    assertTrue(table.get(1).matches("1,[0-9.e-]+,0,0,0,0,initial,0,5\\.0[0-9]*e-05"), table.get(1));
  }

  @Test
  void aParameterFileIsOverriddenByTheCommandLine() throws Exception {
    Path params = tmp.resolve("p.json");
    Files.writeString(params, "{\"pulses\": 5, \"cycles\": 3, \"cells\": \"1,1\"}");
    CliRun.Result r = run("procedure", "pulse-response", "--board", "sim:ideal?arrays=1&rows=2&cols=2", "--runs", runs(), "--params", params.toString(), "--cycles", "2");
    assertEquals(0, r.code(), r.err());
    Journal j = Journal.read(new RunDirectory(tmp.resolve("runs")).journal(runId(r.out())));
    assertEquals(2 * (1 + 2 * 5), j.events().size());
    assertEquals("1,1", j.parameters().get("cells").asText());
  }

  @Test
  void anAbortedRunResumesFromTheCommandLineOnTheBoardItStartedOn() throws Exception {
    String board = "sim:ideal?arrays=1&rows=2&cols=2&seed=3";
    RunDirectory dir = new RunDirectory(tmp.resolve("runs"));
    org.rramctl.procedure.Runner.Outcome first;
    try (var d = org.rramctl.driver.Boards.open(board, null)) {
      var runner = new org.rramctl.procedure.Runner(dir, d, board);
      int[] events = {0};
      runner.sink((type, doc, json) -> {
        if (type.equals("event") && ++events[0] == 30) runner.abort("stopped by the test");
      });
      ObjectNode p = org.rramctl.journal.Json.object();
      p.put("cells", "0-1,0-1");
      p.put("pulses", 10);
      first = runner.run(org.rramctl.procedure.Procedures.of("pulse-response", p));
    }
    assertEquals(org.rramctl.journal.RunStatus.ABORTED, first.status());
    CliRun.Result withParams = run("procedure", "pulse-response", "--runs", runs(), "--resume", first.runId(), "--pulses", "3");
    assertEquals(2, withParams.code());
    CliRun.Result r = run("procedure", "pulse-response", "--runs", runs(), "--resume", first.runId());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("run " + first.runId() + ": resumed on " + board), r.out());
    Journal j = Journal.read(dir.journal(first.runId()));
    assertEquals(4, j.completedUnits().cardinality());
    assertEquals(4 * 21, j.events().size(), "unit 1 redone from its start, units 2 and 3 new; each unit counted once");
    assertEquals(9, j.supersededSeqs().size(), "the 9 reads of unit 1's first attempt, kept in the journal and flagged");
    assertEquals(30 + 3 * 21, j.allEvents().size());
  }

  @Test
  void badInputIsOneLineExitTwoAndCreatesNoRun() {
    CliRun.Result zero = run("procedure", "pulse-response", "--board", "sim:ideal?arrays=1&rows=2&cols=2", "--runs", runs(), "--pulses", "0");
    assertEquals(2, zero.code());
    assertEquals("rramctl: pulse-response pulses: 0 (expected: 1 .. 1000000)", zero.err().strip());
    CliRun.Result volts = run("procedure", "sweep", "--board", "sim:ideal?arrays=1&rows=2&cols=2", "--runs", runs(), "--to", "4.5");
    assertEquals(2, volts.code());
    assertTrue(volts.err().strip().startsWith("rramctl: pulse amplitude: "), volts.err());
    CliRun.Result cells = run("procedure", "map", "--board", "sim:ideal?arrays=1&rows=2&cols=2", "--runs", runs(), "--cells", "0-5,0-1");
    assertEquals(2, cells.code());
    assertEquals("rramctl: cell 0:5,1: outside array 0 (expected: row 0..1, col 0..1)", cells.err().strip());
    assertTrue(!Files.exists(tmp.resolve("runs")) || tmp.resolve("runs").toFile().list().length == 0);
  }

  private static void assertPng(Path f) throws Exception {
    BufferedImage img = ImageIO.read(f.toFile());
    assertEquals(900, img.getWidth(), f.toString());
    assertEquals(600, img.getHeight(), f.toString());
  }

  @Test
  void plotsAreWrittenForEveryProcedure() throws Exception {
    String board = "sim:aihwkit-like?arrays=1&rows=3&cols=3&seed=5";
    String[][] runs = {
        {"pulse-response", "--cells", "0,0-1", "--pulses", "30", "--cycles", "2"},
        {"read-statistics", "--cells", "0-1,0-1", "--reads", "50"},
        {"retention", "--duration", "300ms", "--first", "10ms", "--points", "4"},
        {"program", "--target", "60uS", "--tolerance", "1uS"},
        {"sweep", "--pulses-per-step", "5"},
        {"map"}};
    Path out = tmp.resolve("plots");
    for (String[] args : runs) {
      String[] full = new String[args.length + 4];
      full[0] = "procedure";
      System.arraycopy(args, 0, full, 1, args.length);
      full[args.length + 1] = "--board";
      full[args.length + 2] = board;
      full[args.length + 3] = "--runs=" + runs();
      CliRun.Result r = run(full);
      assertEquals(0, r.code(), args[0] + ": " + r.err());
      CliRun.Result p = run("plot", runId(r.out()), "--out", out.toString(), "--runs", runs());
      assertEquals(0, p.code(), p.err());
      Path png = Path.of(p.out().strip().substring("wrote ".length()));
      assertPng(png);
    }
    try (var s = Files.list(out)) {
      assertEquals(6, s.count());
    }
  }

  /** A writer that opens a latch when a line containing a text has been written. */
  static final class LatchWriter extends StringWriter {
    final CountDownLatch seen = new CountDownLatch(1);
    private final String text;

    LatchWriter(String text) {
      this.text = text;
    }

    @Override
    public void flush() {
      if (toString().contains(text)) seen.countDown();
    }
  }

  @Test
  @Timeout(60)
  void abortFromAnotherCommandStopsTheRunWithStatusAbortedAndOutputsIdle() throws Exception {
    LatchWriter out = new LatchWriter("abort with Ctrl-C");
    CompletableFuture<CliRun.Result> running = CompletableFuture.supplyAsync(() -> CliRun.run(out, "procedure", "pulse-response",
        "--board", "sim:ideal?arrays=1&rows=1&cols=1", "--runs", runs(), "--pulses", "100000", "--cycles", "100"));
    assertTrue(out.seen.await(30, TimeUnit.SECONDS), "the run started");
    CliRun.Result abort = run("abort", "--runs", runs());
    assertEquals(0, abort.code(), abort.err());
    CliRun.Result r = running.get(30, TimeUnit.SECONDS);
    assertEquals(130, r.code(), r.err());
    assertTrue(r.err().contains("aborted: abort requested by 'rramctl abort'"), r.err());
    RunDirectory dir = new RunDirectory(tmp.resolve("runs"));
    String id = dir.resolve("last");
    ObjectNode stop = Journal.read(dir.journal(id)).stop().orElseThrow();
    assertEquals("aborted", stop.get("status").asText());
    assertTrue(stop.get("outputsIdle").asBoolean());
    assertTrue(stop.get("events").asLong() < 2 * 100000 * 100);
    assertTrue(!Files.exists(dir.abortMarker(id)), "the marker is removed");
    CliRun.Result again = run("abort", "--runs", runs());
    assertEquals(1, again.code());
    assertTrue(again.err().startsWith("rramctl: no running run in "), again.err());
  }
}
