package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep for a batch engine (issue 16 point 3): three {@code --shard I/3} runs, each into its own folder as
 * three array tasks would write them, merged with {@code experiment merge}, give exactly the table of the
 * unsharded run with the same seeds; shards of different settings, missing or repeated shards are refused in
 * one line with nothing written.
 */
class ExperimentShardTest {
  @TempDir Path dir;

  private static final String[] TINY = {"experiment", "zero-shift", "--side", "7", "--layers", "49-16-10", "--train-limit", "60", "--epochs", "1",
      "--imbalance", "1,3"};

  private static CliRun.Result experiment(String... extra) {
    List<String> a = new ArrayList<>(List.of(TINY));
    a.addAll(List.of(extra));
    return CliRun.run(a.toArray(String[]::new));
  }

  private static void refused(CliRun.Result r, String expected) {
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertEquals(expected, r.err().strip());
  }

  @Test
  @Timeout(300)
  void threeShardsMergedGiveTheTableOfTheUnshardedRun() throws Exception {
    Path whole = dir.resolve("whole");
    CliRun.Result w = experiment("--jobs", "2", "--out", whole.toString());
    assertEquals(0, w.code(), w.err());
    List<String> shardDirs = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      Path s = dir.resolve("shard-" + i);
      CliRun.Result r = experiment("--jobs", "1", "--shard", i + "/3", "--out", s.toString());
      assertEquals(0, r.code(), r.err());
      assertTrue(Files.readString(s.resolve("results.md")).contains("Shard " + i + "/3 of the cells only"), "a shard's table says so");
      shardDirs.add(s.toString());
    }
    ObjectMapper json = new ObjectMapper();
    assertEquals(List.of(3, 2, 2), shardDirs.stream().map(d -> {
      try {
        return json.readTree(Path.of(d).resolve("results.json").toFile()).get("cells").size();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).toList(), "7 cells (2 ratios x 3 schemes + floating point) dealt round-robin");

    Path merged = dir.resolve("merged");
    List<String> args = new ArrayList<>(List.of("experiment", "merge"));
    args.addAll(List.of(shardDirs.get(2), shardDirs.get(0), shardDirs.get(1))); // any order
    args.addAll(List.of("--out", merged.toString()));
    CliRun.Result m = CliRun.run(args.toArray(String[]::new));
    assertEquals(0, m.code(), m.err());
    assertEquals(Files.readString(whole.resolve("results.md")), Files.readString(merged.resolve("results.md")), "the same table, regime and all");
    JsonNode a = json.readTree(whole.resolve("results.json").toFile());
    JsonNode b = json.readTree(merged.resolve("results.json").toFile());
    assertEquals(a.get("summary"), b.get("summary"));
    assertEquals(a.get("cells").size(), b.get("cells").size());
    for (int k = 0; k < a.get("cells").size(); k++) {
      // Same cells in the same order with the same metrics; only the wall-clock fields differ.
      // (The board URI differs only in threads=1, which a run with --jobs > 1 adds; results are the same.)
      for (String f : List.of("id", "scheme", "ratio", "seed")) assertEquals(a.get("cells").get(k).get("cell").get(f), b.get("cells").get(k).get("cell").get(f), f);
      for (int e = 0; e < a.get("cells").get(k).get("epochs").size(); e++) {
        JsonNode x = a.get("cells").get(k).get("epochs").get(e);
        JsonNode y = b.get("cells").get(k).get("epochs").get(e);
        for (String f : List.of("epoch", "trainLoss", "trainAccuracy", "testAccuracy", "pulses")) assertEquals(x.get(f), y.get(f), f + " of cell " + k);
      }
    }
    assertTrue(b.get("shard").isNull());
    for (String f : List.of("accuracy-vs-epoch-conventional.png", "accuracy-vs-epoch-zero-shifted.png", "final-accuracy-vs-ratio.png")) {
      assertTrue(Files.size(merged.resolve(f)) > 0, f);
    }

    // Refusals, nothing written.
    refused(CliRun.run("experiment", "merge", shardDirs.get(0), shardDirs.get(1), "--out", dir.resolve("m2").toString()),
        "rramctl: merge: shards 3/3 missing (expected: all 3 shards)");
    refused(CliRun.run("experiment", "merge", shardDirs.get(0), shardDirs.get(0), shardDirs.get(1), "--out", dir.resolve("m3").toString()),
        "rramctl: merge: " + shardDirs.get(0) + ": shard 1/3 given twice (expected: each shard once)");
    refused(CliRun.run("experiment", "merge", shardDirs.get(0), whole.toString(), "--out", dir.resolve("m4").toString()),
        "rramctl: merge: " + whole.resolve("results.json") + ": a whole experiment, not a shard (expected: results of a --shard I/N run, schema rramctl.experiment.zero-shift/1)");
    Path other = dir.resolve("other-3");
    assertEquals(0, experiment("--jobs", "1", "--shard", "3/3", "--lr", "0.02", "--out", other.toString()).code());
    refused(CliRun.run("experiment", "merge", shardDirs.get(0), shardDirs.get(1), other.toString(), "--out", dir.resolve("m5").toString()),
        "rramctl: merge: " + other + ": regime differ from " + shardDirs.get(0) + " (expected: shards of one experiment, run with the same settings)");
    refused(CliRun.run("experiment", "merge", shardDirs.get(0), shardDirs.get(1), shardDirs.get(2), "--out", merged.toString()),
        "rramctl: --out: " + merged + " holds results already (expected: a new folder for the merged experiment)");
    for (String m2 : List.of("m2", "m3", "m4", "m5")) assertFalse(Files.exists(dir.resolve(m2)), m2 + " was not written");
    refused(experiment("--shard", "4/3", "--out", dir.resolve("x").toString()), "rramctl: --shard: 4/3 (expected: I/N with 1 <= I <= N, e.g. 2/3)");
    refused(experiment("--shard", "two", "--out", dir.resolve("x").toString()), "rramctl: --shard: 'two' (expected: I/N with 1 <= I <= N, e.g. 2/3)");
    assertFalse(Files.exists(dir.resolve("x")));
  }
}
