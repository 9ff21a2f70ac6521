package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.Boards;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.journal.Journal;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunStatus;

/** A child JVM running a procedure is killed with SIGKILL mid-run; nothing it acknowledged is lost. */
class CrashTest {
  static final String BOARD = "sim:ideal?arrays=1&rows=1&cols=1&seed=3";

  @TempDir Path tmp;

  /**
   * Whether this process ignores SIGINT (a job started in the background by a non-interactive shell does,
   * and its children inherit it; the JVM then installs no Ctrl-C handler at all).
   */
  static boolean sigintIgnored() throws java.io.IOException {
    for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0;
    }
    return false;
  }

  private Process child(String... extra) throws Exception {
    return childOn(BOARD, extra);
  }

  private Process childOn(String board, String... extra) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>();
    if (extra.length > 0 && extra[0].equals("hook") && sigintIgnored()) {
      // Restore the default disposition for the child, as a terminal would have it: perl can, a POSIX shell cannot.
      org.junit.jupiter.api.Assumptions.assumeTrue(new java.io.File("/usr/bin/perl").canExecute(),
          "SIGINT is ignored in this environment (a background job) and no perl to restore it");
      cmd.addAll(List.of("/usr/bin/perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die"));
    }
    cmd.addAll(List.of(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        CrashChild.class.getName(), tmp.toString(), "FLUSH", board));
    cmd.addAll(List.of(extra));
    return new ProcessBuilder(cmd).redirectError(tmp.resolve("child.err").toFile()).start();
  }

  @Test
  @Timeout(120)
  void ctrlCStopsTheRunAtASafePointWithAStopDocumentSayingAborted() throws Exception {
    Process child = child("hook");
    String runId = null;
    long lastAck = -1;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      boolean signalled = false;
      for (String line; (line = in.readLine()) != null;) {
        String[] f = line.split(" ");
        lastAck = Long.parseLong(f[1]);
        runId = f[3];
        if (!signalled && lastAck >= 500) {
          // SIGINT, as Ctrl-C in a terminal sends it; Java has no API for it.
          assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start().waitFor());
          signalled = true;
        }
      }
    }
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    assertEquals(130, child.exitValue(), "the JVM's exit status on SIGINT");
    Journal j = Journal.read(new RunDirectory(tmp).journal(runId));
    assertEquals(lastAck, j.documents().size() - 1, "the stop document was the last thing acknowledged");
    var stop = j.stop().orElseThrow();
    assertEquals("aborted", stop.get("status").asText());
    assertEquals("interrupted by a signal (Ctrl-C)", stop.get("reason").asText());
    assertTrue(stop.get("outputsIdle").asBoolean());
  }

  @Test
  @Timeout(120)
  void aRunKilledWithSigkillKeepsEveryAcknowledgedEventIsMarkedInterruptedAndResumes() throws Exception {
    killThenResume(BOARD, () -> Boards.open(BOARD, null));
  }

  /**
   * The same on a board served over ZeroMQ (issue 13 point 5: "same on sim, serial and ZeroMQ boards"): the
   * killed child's lease lapses on the server, and the resume, a new client, continues the run there.
   */
  @Test
  @Timeout(180)
  void aRunOnAServedBoardKilledWithSigkillResumesThroughANewClient() throws Exception {
    try (EnvelopedDriver served = Boards.open(BOARD, null);
         org.rramctl.driver.remote.DriverServer server = org.rramctl.driver.remote.DriverServer.start(served,
             org.rramctl.driver.remote.ServerOptions.of("tcp://127.0.0.1:*").withLeaseTimeout(java.time.Duration.ofSeconds(2)))) {
      String uri = "zmq+" + server.endpoint();
      killThenResume(uri, () -> {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
          EnvelopedDriver d = Boards.open(uri, null);
          try {
            // The killed child's lease holds the board until it lapses on the server (HELD until then).
            d.pulseThenRead(org.rramctl.driver.Cell.active(0, 0, 0), org.rramctl.driver.Pulse.up(1.0, java.time.Duration.ofNanos(100)), 1, 0.2);
            return d;
          } catch (org.rramctl.driver.RefusedException held) {
            d.close();
            assertTrue(held.getMessage().contains("HELD"), held.getMessage());
            if (System.nanoTime() > deadline) throw held;
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
          }
        }
      });
    }
  }

  private interface Opener {
    EnvelopedDriver open() throws Exception;
  }

  private void killThenResume(String board, Opener resumeBoard) throws Exception {
    Process child = childOn(board);
    long lastAck = -1;
    String runId = null;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null;) {
        String[] f = line.split(" ");
        lastAck = Long.parseLong(f[1]);
        runId = f[3];
        if (lastAck >= 1500) break;
      }
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no stop document
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }
    assertNotNull(runId, "the child acknowledged documents");
    assertEquals(1500, lastAck);
    assertEquals(137, child.exitValue(), "killed by SIGKILL");

    RunDirectory dir = new RunDirectory(tmp);
    assertEquals(RunStatus.INTERRUPTED, dir.entry(runId).status(), "no stop document and no live writer");
    Journal crashed = Journal.read(dir.journal(runId));
    assertTrue(crashed.documents().size() > lastAck, "every acknowledged document is there: " + crashed.documents().size() + " > " + lastAck);
    assertFalse(crashed.stop().isPresent());

    List<String> marked = dir.recover(Instant::now);
    assertEquals(1, marked.size(), marked.toString());
    Journal after = Journal.read(dir.journal(runId));
    assertEquals("interrupted", after.stop().orElseThrow().get("status").asText());
    assertEquals(crashed.events(), after.events(), "the data up to the last event is intact");

    try (EnvelopedDriver d = resumeBoard.open()) {
      Runner.Outcome resumed = new Runner(dir, d, board).resume(runId);
      assertEquals(RunStatus.SUCCESS, resumed.status(), resumed.reason());
      Journal done = Journal.read(dir.journal(runId));
      assertEquals(40, done.completedUnits().cardinality());
      assertEquals(RunStatus.SUCCESS, done.stoppedStatus().orElseThrow());

      // The unit the kill cut short was measured again from its start; its first attempt is superseded: kept in
      // the journal, flagged by the resume document, left out of the events, the summary and the export.
      int partial = after.unfinishedUnitSeqs().size();
      assertEquals(partial, done.supersededSeqs().size());
      assertEquals(partial + 40 * 401, done.allEvents().size());
      var resume = done.documents().stream().filter(doc -> doc.path("type").asText().equals("resume")).findFirst().orElseThrow();
      if (partial > 0) assertEquals(partial, resume.path("superseded").path("events").asInt(), resume.toString());
      java.util.Set<String> keys = new java.util.HashSet<>();
      for (var e : done.events()) {
        assertTrue(keys.add(e.path("cycle").asText() + "/" + e.path("branch").asText() + "/" + e.path("pulse").asText()), "duplicate read " + e);
      }
      assertEquals(40 * 401, keys.size(), "one read per (cycle, branch, pulse)");
      assertEquals(40 * 400, resumed.summary().path("pulses").asInt(), resumed.summary().toString());
      java.io.StringWriter csv = new java.io.StringWriter();
      org.rramctl.journal.CsvExport.write(done, csv);
      List<String> rows = csv.toString().lines().filter(l -> !l.startsWith("#")).toList();
      assertEquals(1 + 40 * 401, rows.size(), "header and one row per counted event");
      if (partial > 0) assertTrue(csv.toString().contains("# superseded: " + partial + " events"), csv.toString().substring(0, 400));
    }
  }
}
