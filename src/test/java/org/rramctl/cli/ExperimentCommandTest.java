package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.calibration.CalibrationRecord;
import org.rramctl.calibration.CalibrationRecords;
import org.rramctl.driver.Tile;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.train.References;

class ExperimentCommandTest {
  @TempDir Path dir;

  private static CliRun.Result run(String... args) {
    return CliRun.run(args);
  }

  private static void assertOneLineUsageError(CliRun.Result r, String expected) {
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), "exactly one line: " + r.err());
    assertEquals(expected, r.err().strip());
  }

  /** Stands for OutOfMemoryError and its kind: thrown inside a cell, it must not be recorded as a failed cell. */
  private static final class JvmUnfit extends Error {
    JvmUnfit() {
      super("the JVM is not fit to go on", null, false, false);
    }
  }

  @Test
  @Timeout(180)
  void anErrorInACellStopsTheExperimentInsteadOfRunningTheOtherCellsInTheSameJvm() throws IOException {
    Path out = dir.resolve("zs");
    Writer failsAtTheFirstEpoch = new StringWriter() {
      private boolean thrown;

      @Override
      public void write(String str, int off, int len) {
        // Once only: the cells after it would run normally, and the experiment would write results with one failed cell.
        if (!thrown && str.substring(off, off + len).contains("] epoch ")) {
          thrown = true;
          throw new JvmUnfit();
        }
        super.write(str, off, len);
      }
    };
    try {
      CliRun.Result r = CliRun.run(failsAtTheFirstEpoch, "experiment", "zero-shift", "--side", "7", "--layers", "49-16-10", "--train-limit", "60",
          "--epochs", "1", "--imbalance", "1", "--jobs", "1", "--out", out.toString());
      assertTrue(r.code() != 0, "an Error is not a finished experiment: " + r.err());
    } catch (JvmUnfit expected) {
      // propagated as it is: fine
    }
    assertFalse(Files.exists(out.resolve("results.json")), "the experiment went on after an Error and wrote its results");
  }

  @Test
  @Timeout(180)
  void aTinyExperimentWritesEveryFileAndATableWithEveryCell() throws IOException {
    Path out = dir.resolve("zs");
    CliRun.Result r = run("experiment", "zero-shift", "--side", "7", "--layers", "49-16-10", "--train-limit", "60", "--epochs", "1",
        "--imbalance", "1,3", "--jobs", "2", "--out", out.toString());
    assertEquals(0, r.code(), r.err() + r.out());
    for (String f : List.of("results.json", "results.md", "accuracy-vs-epoch-conventional.png", "accuracy-vs-epoch-zero-shifted.png", "accuracy-vs-epoch-tiki-taka.png",
        "final-accuracy-vs-ratio.png")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    String md = Files.readString(out.resolve("results.md"));
    String pct = "[0-9]+\\.[0-9]{2} %";
    for (String ratio : List.of("1", "3")) {
      assertTrue(Pattern.compile("(?m)^\\| " + ratio + " \\| " + pct + " \\| " + pct + " \\| " + pct + " \\|$").matcher(md).find(), md);
    }
    assertTrue(md.contains("| up/down ratio | conventional | zero-shifted | tiki-taka |"), md);
    assertTrue(Pattern.compile("(?m)^\\| floating point \\(no devices\\) \\| " + pct + " \\| \\| \\|$").matcher(md).find(), md);
    assertTrue(md.contains("Initial weights (init write-verify)") && md.contains("Tiki-Taka: transfer every 1 sample(s)"), md);
    // The achieved initialisation error, per scheme and layer (C's for Tiki-Taka).
    for (String scheme : List.of("conventional", "zero-shifted", "tiki-taka")) {
      for (int layer = 1; layer <= 2; layer++) assertTrue(md.contains("| " + scheme + " | " + layer + " | 2 | "), scheme + " layer " + layer + ": " + md);
    }
    assertTrue(md.contains("Regime: Network 49-16-10") && md.contains("BL 31") && md.contains("1 epoch(s)") && md.contains("device units w in [-1, 1]"), md);
    assertFalse(md.contains("Failed cells"), md);
    assertTrue(r.out().contains("| 3 |"), "the table ends the terminal output: " + r.out());

    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertEquals(7, json.get("cells").size());
    for (JsonNode c : json.get("cells")) {
      assertTrue(c.get("ok").asBoolean(), c.toString());
      assertEquals(1, c.get("epochs").size(), c.toString());
      assertEquals(c.get("cell").get("scheme").asText().equals("floating point") ? 0 : 2, c.get("init").size(), c.toString());
    }
    assertTrue(Files.readString(out.resolve("cells/ratio3-tiki-taka-seed1/references.json")).contains("\"algorithm\" : \"tiki-taka\""));
    assertEquals(2 * (50 * 16 + 17 * 10), new ObjectMapper().readTree(io(out.resolve("cells/ratio3-tiki-taka-seed1/references.json"))).path("outcome").path("devices").asInt());
    assertTrue(Files.exists(out.resolve("cells/ratio3-zero-shifted-seed1/calibration.json")));
    assertTrue(Files.readString(out.resolve("cells/ratio3-conventional-seed1/references.json")).contains("\"scheme\" : \"conventional\""));
  }

  private static String io(Path p) throws IOException {
    return new String(org.rramctl.driver.FileChecksums.openJson(p, Files.readAllBytes(p)).content(), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void anUnknownSchemeIsOneLineAndExitTwoWithNothingWritten() {
    Path out = dir.resolve("never");
    assertOneLineUsageError(run("experiment", "zero-shift", "--schemes", "conventional,sgd", "--out", out.toString()),
        "rramctl: --schemes: 'sgd' (expected: distinct names of conventional, zero-shift, tiki-taka, comma-separated)");
    assertFalse(Files.exists(out));
  }

  @Test
  void aZeroRatioIsOneLineAndExitTwoWithNothingWritten() {
    Path out = dir.resolve("never");
    assertOneLineUsageError(run("experiment", "zero-shift", "--imbalance", "0", "--out", out.toString()),
        "rramctl: --imbalance: 0 (expected: ratios > 0, comma-separated, e.g. 1,1.5,2,3)");
    assertFalse(Files.exists(out));
  }

  @Test
  void aRatioThatIsNoNumberIsOneLineAndExitTwoWithNothingWritten() {
    Path out = dir.resolve("never");
    assertOneLineUsageError(run("experiment", "zero-shift", "--imbalance", "1,x", "--out", out.toString()),
        "rramctl: --imbalance: 'x' (expected: ratios > 0, comma-separated, e.g. 1,1.5,2,3)");
    assertFalse(Files.exists(out));
  }

  @Test
  void zeroEpochsIsOneLineAndExitTwoWithNothingWritten() {
    Path out = dir.resolve("never");
    assertOneLineUsageError(run("experiment", "zero-shift", "--epochs", "0", "--out", out.toString()), "rramctl: --epochs: 0 (expected: >= 1)");
    assertFalse(Files.exists(out));
  }

  @Test
  @Timeout(60)
  void trainingWithARecordFromAnotherBoardIsRefusedInOneLine() throws IOException {
    Path cal = dir.resolve("cal.json");
    Tile tile = new Tile(0, 0, 0, 4, 4);
    try (EmulatorDriver other = EmulatorDriver.open(DevicePreset.named("rram-imbalanced"), List.of(new int[] {50, 16}, new int[] {17, 10}), 8)) {
      CalibrationRecord rec = References.calibrate(other, List.of(tile), References.calibrationSettings(other.info(),
          org.rramctl.driver.Pulse.up(1.0, java.time.Duration.ofNanos(100))), org.rramctl.calibration.Monitor.NONE);
      CalibrationRecords.write(rec, cal);
    }
    Path out = dir.resolve("run");
    assertOneLineUsageError(run("train", "--side", "7", "--layers", "49-16-10", "--epochs", "1", "--no-progress", "--zero-shift", "--calibration", cal.toString(),
        "--board", "sim:rram-imbalanced?geometry=50x16,17x10&seed=9", "--out", out.toString()),
        "rramctl: calibration record " + cal + ": board emulator-rram-imbalanced-seed8 with arrays [50x16,17x10]"
            + " (expected: the connected board emulator-rram-imbalanced-seed9 with arrays [50x16,17x10])");
    assertFalse(Files.exists(out.resolve("checkpoint.json")));
  }

  @Test
  @Timeout(120)
  void trainingWithARecordOfThisBoardProgramsTheReferencesFromIt() throws IOException {
    Path cal = dir.resolve("cal.json");
    String board = "sim:rram-imbalanced?ratio=2&geometry=50x16,17x10&seed=8";
    assertEquals(0, run("calibrate", "--board", board, "--fit-devices", "0", "--out", cal.toString()).code());
    Path out = dir.resolve("run");
    CliRun.Result r = run("train", "--side", "7", "--layers", "49-16-10", "--epochs", "1", "--train-limit", "100", "--no-progress", "--zero-shift",
        "--calibration", cal.toString(), "--board", board, "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("references zero-shifted (" + cal + "): 970 devices"), r.out());
    assertFalse(r.out().contains("tile(s) of board"), "the record replaces the calibration: " + r.out());
    JsonNode refs = new ObjectMapper().readTree(out.resolve("references.json").toFile());
    assertEquals("zero-shifted", refs.get("scheme").asText());
    assertTrue(refs.get("outcome").get("reached").asLong() >= 0.95 * 970, refs.toString());
    assertTrue(Files.exists(out.resolve("checkpoint.json")));
  }

  @Test
  void aCalibrationRecordWithoutZeroShiftIsOneLineAndExitTwo() {
    assertOneLineUsageError(run("train", "--side", "7", "--layers", "49-16-10", "--calibration", "cal.json", "--board", "sim:", "--out", dir.toString()),
        "rramctl: --calibration: cal.json without --zero-shift (expected: --zero-shift, whose references it sets)");
  }
}
