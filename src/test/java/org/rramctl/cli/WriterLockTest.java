package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.Boards;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.journal.Durability;
import org.rramctl.journal.Journal;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunLock;
import org.rramctl.journal.RunRecorder;
import org.rramctl.journal.RunStatus;
import org.rramctl.procedure.Procedures;
import org.rramctl.procedure.PulseResponse;
import org.rramctl.procedure.Runner;
import org.rramctl.train.TrainingRun;

/**
 * One writer per run and per output folder, checked between real processes: this test's JVM and children
 * running rramctl's Main. A lock held by a live writer is never lost, whatever the writer does with its files.
 */
class WriterLockTest {
  static final String BOARD = "sim:ideal?arrays=1&rows=1&cols=1&seed=3";

  @TempDir Path tmp;

  @Test
  @Timeout(120)
  void aLiveRunThatReadsItsOwnJournalBackIsNeverMarkedInterruptedByAnotherProcess() throws Exception {
    RunDirectory dir = new RunDirectory(tmp.resolve("runs")).ensureExists();
    ObjectNode start = Json.object();
    start.put("procedure", "map");
    start.put("pid", ProcessHandle.current().pid());
    try (RunRecorder r = RunRecorder.start(dir, "live", start, Durability.FLUSH, Instant::now, List.of())) {
      r.event(Json.object().put("g", 1e-6));
      // What a run does before its stop document: read its journal back for the summary (this opened and closed
      // a descriptor of the journal, which dropped a POSIX lock held on the journal itself).
      assertEquals(1, Journal.read(dir.journal("live")).events().size());
      try (ChildRramctl list = ChildRramctl.start(tmp, "runs", "list", "--runs", dir.dir().toString())) {
        assertEquals(0, list.exitCode(), list.err());
        assertFalse(list.err().contains("marked interrupted"), list.err());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("live") && l.contains("running")), list.out());
      }
      assertFalse(Journal.read(dir.journal("live")).stop().isPresent(), "nobody wrote a stop document into the live run");
      r.event(Json.object().put("g", 2e-6));
      r.stop(RunStatus.SUCCESS, null, null);
    }
    Journal j = Journal.read(dir.journal("live"));
    assertEquals(2, j.events().size());
    assertEquals(RunStatus.SUCCESS, j.stoppedStatus().orElseThrow());
  }

  @Test
  @Timeout(180)
  void twoResumesOfOneRunAtOnceTheSecondIsRefusedNamingTheFirstAndTheJournalStaysWhole() throws Exception {
    RunDirectory dir = new RunDirectory(tmp.resolve("runs"));
    ObjectNode p = Json.object();
    p.put("pulses", 200);
    p.put("cycles", 4000); // far longer than the test: the first resume is stopped by 'rramctl abort'
    String id;
    try (EnvelopedDriver d = Boards.open(BOARD, null)) {
      Runner r = new Runner(dir, d, BOARD);
      int[] events = {0};
      r.sink((type, doc, json) -> {
        if (type.equals("event") && ++events[0] == 50) r.abort("test: stop early");
      });
      Runner.Outcome o = r.run(Procedures.of(PulseResponse.NAME, p));
      assertEquals(RunStatus.ABORTED, o.status());
      id = o.runId();
    }
    String runs = dir.dir().toString();
    try (ChildRramctl first = ChildRramctl.start(tmp, "procedure", "pulse-response", "--runs", runs, "--resume", id)) {
      first.awaitLine("resumed");
      try (ChildRramctl second = ChildRramctl.start(tmp, "procedure", "pulse-response", "--runs", runs, "--resume", id)) {
        assertEquals(1, second.exitCode(), second.out() + second.err());
        assertEquals("rramctl: run " + id + ": in use by process " + first.pid()
            + " (expected: one writer at a time; wait for it to end, or stop it)", second.err().strip());
      }
      Files.createFile(dir.abortMarker(id)); // rramctl abort
      assertEquals(Main.EXIT_ABORTED, first.exitCode(), first.err());
    }
    Journal j = Journal.read(dir.journal(id));
    assertEquals(null, j.tornTail());
    assertEquals(1, j.documents().stream().filter(d -> d.path("type").asText().equals("resume")).count(), "one resume: the first");
    assertEquals(RunStatus.ABORTED, j.stoppedStatus().orElseThrow());
    assertEquals("abort requested by 'rramctl abort'", j.stop().orElseThrow().path("reason").asText());
  }

  @Test
  @Timeout(180)
  void aSecondTrainingRunIntoTheSameFolderIsRefusedWhileTheFirstLives() throws Exception {
    Path out = tmp.resolve("train");
    String[] args = {"train", "--side", "7", "--layers", "49-16-10", "--epochs", "100000", "--train-limit", "200", "--out", out.toString(), "--no-progress"};
    try (ChildRramctl first = ChildRramctl.start(tmp, args)) {
      first.awaitLine("epoch   1");
      try (ChildRramctl second = ChildRramctl.start(tmp, args)) {
        assertEquals(1, second.exitCode(), second.out() + second.err());
        assertEquals("rramctl: --out " + out + ": in use by process " + first.pid()
            + " (expected: one writer at a time; wait for it to end, or stop it)", second.err().strip());
      }
      first.awaitLine("epoch   3"); // the first keeps training into its folder
    }
    assertFalse(RunLock.isHeld(out.resolve(TrainingRun.LOCK_FILE)), "killed: the kernel dropped its lock");
  }

  @Test
  @Timeout(120)
  void anExperimentIsRefusedAFolderThatAnotherProcessHolds() throws Exception {
    Path out = tmp.resolve("exp");
    try (RunLock held = RunLock.acquire(out.resolve(TrainingRun.LOCK_FILE), "--out " + out)) {
      try (ChildRramctl exp = ChildRramctl.start(tmp, "experiment", "zero-shift", "--imbalance", "1", "--epochs", "1", "--out", out.toString())) {
        assertEquals(1, exp.exitCode(), exp.out() + exp.err());
        assertEquals("rramctl: --out " + out + ": in use by process " + ProcessHandle.current().pid()
            + " (expected: one writer at a time; wait for it to end, or stop it)", exp.err().strip());
      }
    }
    assertFalse(Files.exists(out.resolve("cells")), "nothing was written");
  }

  @Test
  @Timeout(180)
  void aVirtualBoardKilledWithSigkillLeavesAStaleLinkThatTheNextOneReplacesWhileALiveOneIsRefused() throws Exception {
    staleLinkReplacedLiveOneRefused("virtual board", "virtual-board", "--geometry", "2x2");
  }

  /** The same for the virtual ArC ONE (issue 14: it created its link without the lock). */
  @Test
  @Timeout(180)
  void aVirtualArcOneKilledWithSigkillLeavesAStaleLinkThatTheNextOneReplacesWhileALiveOneIsRefused() throws Exception {
    staleLinkReplacedLiveOneRefused("virtual ArC ONE", "virtual-arc1");
  }

  private void staleLinkReplacedLiveOneRefused(String ready, String command, String... options) throws Exception {
    Path link = tmp.resolve("board");
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(command, "--pty", link.toString()));
    args.addAll(java.util.List.of(options));
    String[] a = args.toArray(String[]::new);
    try (ChildRramctl first = ChildRramctl.start(tmp, a)) {
      first.awaitLine(ready);
      first.close(); // SIGKILL: the link stays behind
    }
    assertTrue(Files.isSymbolicLink(link));
    // The kernel reuses /dev/pts numbers: the stale link may well name a device that exists again.
    Files.delete(link);
    Files.createSymbolicLink(link, Path.of("/dev/null"));
    try (ChildRramctl second = ChildRramctl.start(tmp, a)) {
      second.awaitLine(ready);
      assertTrue(Files.readSymbolicLink(link).toString().startsWith("/dev/pts/"), "replaced: " + Files.readSymbolicLink(link));
      try (ChildRramctl third = ChildRramctl.start(tmp, a)) {
        assertEquals(1, third.exitCode(), third.out() + third.err());
        assertEquals("rramctl: --pty " + link + ": in use by process " + second.pid()
            + " (expected: one writer at a time; wait for it to end, or stop it)", third.err().strip());
      }
      assertTrue(Files.readSymbolicLink(link).toString().startsWith("/dev/pts/"), "the live board's link is untouched");
    }
  }
}
