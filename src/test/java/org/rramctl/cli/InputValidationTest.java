package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad paths and values are refused before any work, with one line and exit 2 (issue 13, points 11-14). */
class InputValidationTest {
  static final String BOARD = "sim:ideal?arrays=1&rows=2&cols=2&seed=3";

  @TempDir Path dir;

  private static void refused(CliRun.Result r, String expected) {
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("rramctl: ") && r.err().contains(expected), r.err());
  }

  @Test
  @Timeout(60)
  void aFolderNamedLikeAJournalDoesNotBreakTheRunsCommands() throws Exception {
    Path runs = dir.resolve("runs");
    CliRun.Result map = CliRun.run("procedure", "map", "--board", BOARD, "--runs", runs.toString());
    assertEquals(0, map.code(), map.err());
    Files.createDirectories(runs.resolve("x.jsonl"));
    CliRun.Result list = CliRun.run("runs", "list", "--runs", runs.toString());
    assertEquals(0, list.code(), list.err());
    assertTrue(list.out().contains("map") && !list.out().contains("x "), list.out());
    assertEquals(0, CliRun.run("runs", "show", "last", "--runs", runs.toString()).code());
    assertEquals(0, CliRun.run("plot", "last", "--runs", runs.toString(), "--out", dir.resolve("plots").toString()).code());
    refused(CliRun.run("runs", "list", "--runs", dir.resolve("nonexistent").toString()), "--runs: " + dir.resolve("nonexistent") + ": no such folder");
  }

  @Test
  @Timeout(60)
  void badOutputPathsAreRefusedBeforeTheFirstPulse() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    refused(CliRun.run("calibrate", "--board", BOARD, "--out", dir.toString()), "--out: " + dir + " is a folder (expected: a file name)");
    refused(CliRun.run("calibrate", "--board", BOARD, "--out", file.resolve("x").toString()), "is a file (expected: a path whose folders are folders)");
    refused(CliRun.run("calibrate", "--board", BOARD, "--out", dir.resolve("c.json").toString(), "--plot", file.toString()), "--plot: " + file + " is a file");
    Path runs = dir.resolve("runs");
    refused(CliRun.run("procedure", "map", "--board", BOARD, "--runs", runs.toString(), "--plots", file.toString()), "--plots: " + file + " is a file");
    assertFalse(Files.exists(runs), "no run was started");
    refused(CliRun.run("train", "--side", "7", "--layers", "49-16-10", "--epochs", "1", "--out", file.toString(), "--no-progress"), "--out: " + file + " is a file");
    refused(CliRun.run("train", "--side", "7", "--layers", "49-16-10", "--epochs", "1", "--out", "", "--no-progress"), "--out: '' (expected: a folder)");
    refused(CliRun.run("experiment", "zero-shift", "--epochs", "1", "--out", file.toString()), "--out: " + file + " is a file");
    refused(CliRun.run("runs", "export", "last", "--runs", dir.toString(), "--csv", dir.toString()), "--csv: " + dir + " is a folder");
  }
}
