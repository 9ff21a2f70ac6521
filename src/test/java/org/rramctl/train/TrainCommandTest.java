package org.rramctl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int train(String... args) {
    CommandLine cmd = new CommandLine(new TrainCommand());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  @Test
  @Timeout(60)
  void aFloatingPointRunWritesMetricsAndACheckpointAndResumes() throws IOException {
    String o = dir.toString();
    assertEquals(0, train("--side", "7", "--layers", "49-16-10", "--epochs", "1", "--lr", "0.1", "--out", o, "--no-progress"));
    assertTrue(out.toString().contains("epoch   1  lr 0.10000"), out.toString());
    assertEquals(1, Files.readAllLines(dir.resolve("metrics.jsonl")).size());
    assertTrue(Files.exists(dir.resolve("checkpoint.json")));

    assertNotEquals(0, train("--side", "7", "--layers", "49-16-10", "--epochs", "2", "--lr", "0.1", "--out", o, "--no-progress"));
    assertTrue(err.toString().contains("holds the checkpoint of an earlier run (expected: --resume to continue it"), err.toString());

    assertEquals(0, train("--side", "7", "--layers", "49-16-10", "--epochs", "2", "--lr", "0.1", "--out", o, "--no-progress", "--resume"));
    assertTrue(out.toString().contains("resuming after epoch 1"), out.toString());
    assertTrue(out.toString().contains("epoch   2"), out.toString());
    assertEquals(2, Files.readAllLines(dir.resolve("metrics.jsonl")).size());
  }

  @Test
  @Timeout(60)
  void theInputSizeFollowsSideWhenNoLayersAreGivenAndAnAnalogRunUsesTheBoard() throws IOException {
    assertEquals(0, train("--side", "7", "--epochs", "1", "--out", dir.toString(), "--no-progress",
        "--board", "sim:rram-imbalanced?ratio=1&arrays=2&rows=257&cols=256"), err.toString());
    assertTrue(out.toString().contains("training 49-256-128-10"), out.toString());
    assertTrue(out.toString().contains("board emulator-rram-imbalanced-seed1"), out.toString());
    String line = Files.readAllLines(dir.resolve("metrics.jsonl")).get(0);
    assertTrue(!line.contains("\"pulses\":0,") && !line.endsWith("\"pulses\":0}"), line);
  }

  @Test
  @Timeout(60)
  void aNetworkTooBigForTheBoardFailsWithTheLayoutMessage() {
    int code = train("--epochs", "1", "--out", dir.toString(), "--no-progress", "--board", "sim:ideal?arrays=1&rows=32&cols=32");
    assertNotEquals(0, code);
    assertTrue(err.toString().contains("network 784-256-128-10: needs 235146 devices"), err.toString());
  }

  private static final String SMALL_BOARD = "sim:rram-imbalanced?ratio=1&geometry=50x16,17x10&seed=2";

  private int trainSmallAnalog(Path out, int epochs, String... extra) {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", "--side", "7", "--layers", "49-16-10", "--epochs", Integer.toString(epochs),
        "--train-limit", "100", "--out", out.toString(), "--no-progress", "--board", SMALL_BOARD));
    args.addAll(java.util.List.of(extra));
    return org.rramctl.cli.Main.run(args.toArray(String[]::new), new PrintWriter(this.out, true), new PrintWriter(err, true));
  }

  @Test
  @Timeout(120)
  void aCheckpointNamingAFileOutsideItsFolderIsRefusedAndThatFileIsNeitherReadNorDeleted() throws IOException {
    Path a = dir.resolve("a");
    assertEquals(0, trainSmallAnalog(a, 1), err.toString());
    Path other = Files.createDirectories(dir.resolve("other"));
    Path foreign = Files.copy(a.resolve("device-epoch-1.state"), other.resolve("device-epoch-1.state"));
    for (String name : new String[] {"../other/device-epoch-1.state", foreign.toString(), "sub/device-epoch-1.state", ".."}) {
      // Doctored with a valid checksum: the path check must hold on its own.
      String json = new String(org.rramctl.driver.FileChecksums.openJson(a, Files.readAllBytes(a.resolve("checkpoint.json"))).content(),
          java.nio.charset.StandardCharsets.UTF_8);
      Files.write(a.resolve("checkpoint.json"), org.rramctl.driver.FileChecksums.sealJson(json.replaceAll("\"deviceStateFile\":\"[^\"]*\"",
          "\"deviceStateFile\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(name).toString().replace("\\", "\\\\")).getBytes(
          java.nio.charset.StandardCharsets.UTF_8)));
      err.getBuffer().setLength(0);
      assertEquals(2, trainSmallAnalog(a, 2, "--resume"), name + ": " + err);
      assertTrue(err.toString().contains("deviceStateFile: '" + name + "' (expected: the name of a file in " + a.toAbsolutePath()), err.toString());
      assertTrue(Files.exists(foreign), "the file elsewhere is kept");
    }
    assertEquals(1, Files.readAllLines(a.resolve("metrics.jsonl")).size(), "nothing trained");
  }

  @Test
  @Timeout(120)
  void trainCalibrateAndExperimentHoldTheBoardToTheEnvelopeGiven() throws IOException {
    Path narrow = dir.resolve("narrow.json");
    Files.writeString(narrow, "{\"maxPulseVolts\": 0.1, \"maxReadVolts\": 0.3, \"minPulseWidth\": \"10ns\", \"maxPulseWidth\": \"10ms\","
        + " \"maxPulsesPerCommand\": 10000, \"maxPulseRateHz\": 1e6, \"complianceAmps\": 1e-3}");
    assertEquals(2, trainSmallAnalog(dir.resolve("t"), 1, "--envelope", narrow.toString()), err.toString());
    assertTrue(err.toString().contains("pulse amplitude") && err.toString().contains("0.100000 V"), err.toString());
    assertTrue(!Files.exists(dir.resolve("t").resolve("metrics.jsonl")), "nothing trained");

    err.getBuffer().setLength(0);
    int cal = org.rramctl.cli.Main.run(new String[] {"calibrate", "--board", SMALL_BOARD, "--envelope", narrow.toString(), "--out", dir.resolve("c.json").toString()},
        new PrintWriter(this.out, true), new PrintWriter(err, true));
    assertEquals(2, cal, err.toString());
    assertTrue(err.toString().contains("0.100000 V"), err.toString());

    err.getBuffer().setLength(0);
    int exp = org.rramctl.cli.Main.run(new String[] {"experiment", "zero-shift", "--imbalance", "1", "--epochs", "1", "--side", "7", "--layers", "49-16-10",
        "--train-limit", "20", "--jobs", "1", "--envelope", narrow.toString(), "--out", dir.resolve("e").toString()}, new PrintWriter(this.out, true), new PrintWriter(err, true));
    assertEquals(1, exp, err.toString());
    String md = Files.readString(dir.resolve("e").resolve("results.md"));
    assertTrue(md.contains("0.100000 V"), "the analog cells were refused by the envelope: " + md);
  }
}
