package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.Outcome;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.board.VirtualBoard;
import org.rramctl.sim.pty.PtyTransport;

/**
 * Ctrl-C as a lab user presses it: a real rramctl process (a child JVM running the CLI) drives a virtual board
 * on a real pseudo-terminal through a pulse train of 1,000 pulses at a 6 ms period (6 s of board time), and
 * gets a real SIGINT once the train is running. The board must be told at once (ABORT on the session's link,
 * while the train's command still waits for its answer): it stops within the pulse in progress, the process
 * says the board confirmed its outputs idle, and exits with 130.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CtrlCOverSerialTest {
  private static final int COUNT = 1000;

  @TempDir Path tmp;
  private VirtualBoard board;
  private PtyTransport pty;
  private EmulatorDriver emu;

  @AfterEach
  void close() {
    if (board != null) board.close();
    if (pty != null) pty.close();
  }

  private String startBoard() throws Exception {
    emu = EmulatorDriver.open(DevicePreset.named("ideal"), List.of(new int[] {2, 2}), 3);
    // A 10 s watchdog: a test JVM stalled for a second by a loaded machine must not trip it (not what this tests).
    board = new VirtualBoard(emu, VirtualBoard.Config.defaults().withWatchdogMillis(10_000).withRealTimePulses(true));
    pty = PtyTransport.open(tmp.resolve("board"));
    board.serve(pty);
    return "serial:" + pty.clientPath();
  }

  private Process rramctl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    if (CrashTest.sigintIgnored()) {
      // A background job ignores SIGINT and its children inherit that; restore it as a terminal would have it.
      Assumptions.assumeTrue(new java.io.File("/usr/bin/perl").canExecute(), "SIGINT is ignored here and no perl to restore it");
      cmd.addAll(List.of("/usr/bin/perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die"));
    }
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), org.rramctl.cli.Main.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile()).start();
  }

  /** Waits for the board to start a train of COUNT pulses, then sends SIGINT. */
  private void interruptOnceTheTrainRuns(Process child) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (board.executionLog().stream().noneMatch(e -> count(e) == COUNT)) {
      assertTrue(child.isAlive(), "rramctl ended before the train started: " + Files.readString(tmp.resolve("err.txt")));
      assertTrue(System.nanoTime() < deadline, "the train never started");
      child.waitFor(5, TimeUnit.MILLISECONDS);
    }
    assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start().waitFor());
  }

  private static long count(VirtualBoard.LogEntry e) {
    if (e.command() instanceof org.rramctl.protocol.Command.Pulse p) return p.count();
    if (e.command() instanceof org.rramctl.protocol.Command.PulseThenRead p) return p.count();
    return -1;
  }

  /** The train's log entry once it has ended: stopped by ABORT, with nothing applied after the pulse in progress. */
  private VirtualBoard.LogEntry assertStoppedByAbort() throws java.io.IOException {
    VirtualBoard.LogEntry train = board.executionLog().stream().filter(e -> count(e) == COUNT).findFirst().orElseThrow();
    assertEquals(Outcome.ABORTED, train.outcome(), "the train's outcome: " + train + "; rramctl said: " + Files.readString(tmp.resolve("err.txt")));
    assertEquals(ErrorCode.ABORTED, train.stopReason(), "stopped by the host's ABORT, not by the board's watchdog: " + train);
    assertTrue(train.pulsesApplied() < COUNT, "stopped part-way: " + train);
    assertTrue(train.pulsesApplied() - train.pulsesAtStop() <= 1, "pulses after the ABORT arrived, beyond the one in progress: " + train);
    assertEquals(train.pulsesApplied(), emu.status().pulsesApplied(), "no pulse after the train on the board");
    return train;
  }

  @Test
  void ctrlCDuringPulseSendsAbortAtOnceAndReportsTheBoardsConfirmation() throws Exception {
    String uri = startBoard();
    Process child = rramctl("pulse", "--board", uri, "--cell", "0,0", "--up", "--amplitude", "1.0", "--width", "3ms", "--count", Integer.toString(COUNT));
    interruptOnceTheTrainRuns(child);
    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "rramctl exits after Ctrl-C");
    String err = Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8);
    assertEquals(130, child.exitValue(), err);
    assertStoppedByAbort();
    assertTrue(err.contains("the board confirmed its outputs idle"), err);
    assertTrue(err.contains(": aborted: PULSE") && err.contains("; outputs idle"), err);
  }

  /**
   * Training is thousands of operations: after Ctrl-C the one in flight is aborted and nothing more is sent
   * (no further reference programming, update or read), whether the signal came during an operation or
   * between two. Without the stop, the run kept sending until the JVM exited with an operation in flight
   * that only the board's watchdog ended.
   */
  @Test
  void ctrlCDuringTrainingAbortsTheOperationInFlightAndSendsNothingMore() throws Exception {
    emu = EmulatorDriver.open(DevicePreset.named("rram-imbalanced"), List.of(new int[] {50, 16}, new int[] {17, 10}), 5);
    board = new VirtualBoard(emu, VirtualBoard.Config.defaults().withWatchdogMillis(10_000).withRealTimePulses(true));
    pty = PtyTransport.open(tmp.resolve("board"));
    board.serve(pty);
    Process child = rramctl("train", "--board", "serial:" + pty.clientPath(), "--layers", "49-16-10", "--side", "7", "--epochs", "1",
        "--train-limit", "100", "--pulse-volts", "1.0", "--pulse-width", "1ms", "--no-progress", "--out", tmp.resolve("run").toString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int atSignal;
    while (true) {
      List<VirtualBoard.LogEntry> log = board.executionLog();
      if (log.size() >= 3 && log.get(log.size() - 1).outcome() == Outcome.IN_PROGRESS) {
        atSignal = log.size();
        break;
      }
      assertTrue(child.isAlive(), "rramctl ended before it programmed anything: " + Files.readString(tmp.resolve("err.txt")));
      assertTrue(System.nanoTime() < deadline, "the board never got a device-changing command");
      child.waitFor(2, TimeUnit.MILLISECONDS);
    }
    assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start().waitFor());
    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "rramctl exits after Ctrl-C");
    String err = Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8);
    assertEquals(130, child.exitValue(), err);
    assertTrue(err.contains("the board confirmed its outputs idle"), err);
    List<VirtualBoard.LogEntry> log = board.executionLog();
    // The command running at the signal, and at most one that passed its check in the same instant: both
    // ended by the host's ABORT, none by the watchdog, and no command after them.
    assertTrue(log.size() <= atSignal + 1, "commands after Ctrl-C: " + log.subList(atSignal - 1, log.size()));
    long logged = 0;
    for (int i = 0; i < log.size(); i++) {
      VirtualBoard.LogEntry e = log.get(i);
      logged += e.pulsesApplied();
      assertTrue(e.stopReason() != ErrorCode.WATCHDOG, "stopped by the watchdog, not the host: " + e);
      if (i >= atSignal - 1 && e.outcome() == Outcome.ABORTED) {
        assertEquals(ErrorCode.ABORTED, e.stopReason(), e.toString());
        assertTrue(e.pulsesApplied() - e.pulsesAtStop() <= 1, "pulses after the ABORT arrived, beyond the one in progress: " + e);
      }
    }
    assertTrue(log.get(atSignal - 1).outcome() != Outcome.IN_PROGRESS, "the command at the signal ended: " + log.get(atSignal - 1));
    assertEquals(logged, emu.status().pulsesApplied(), "no pulse on the board beyond the logged commands");
  }

  @Test
  void ctrlCDuringAProcedureSendsAbortAtOnceAndTheStopDocumentSaysOutputsIdle() throws Exception {
    String uri = startBoard();
    Process child = rramctl("procedure", "read-statistics", "--board", uri, "--cells", "0,0", "--runs", tmp.resolve("runs").toString(), "--reads", "2",
        "--step-pulses", Integer.toString(COUNT), "--width", "3ms");
    interruptOnceTheTrainRuns(child);
    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "rramctl exits after Ctrl-C");
    assertEquals(130, child.exitValue(), Files.readString(tmp.resolve("err.txt")));
    assertStoppedByAbort();
    org.rramctl.journal.RunDirectory dir = new org.rramctl.journal.RunDirectory(tmp.resolve("runs"));
    var stop = org.rramctl.journal.Journal.read(dir.journal(dir.resolve("last"))).stop().orElseThrow();
    assertEquals("aborted", stop.get("status").asText(), stop.toString());
    assertTrue(stop.get("outputsIdle").asBoolean(), stop.toString());
  }
}
