package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.sim.DevicePreset;
import org.rramctl.train.Recheck;

/**
 * The drifting presets and the command of {@code examples/drift} (issue 19 point 3, src/EXPERIMENT-NOTES.md "Session 8")
 * stay runnable: the presets load with the drift the notes state, and the script's re-check options train.
 */
class DriftExamplesTest {
  private static final Path EXAMPLES = Path.of("..", "examples", "drift");

  @TempDir Path dir;

  @Test
  void thePresetsCarryTheDriftTheNotesState() {
    DevicePreset crossing = DevicePreset.resolve(EXAMPLES.resolve("crossing.json").toString());
    assertEquals(new DevicePreset.Drift(-20, 4, 2), crossing.drift());
    DevicePreset zeroMean = DevicePreset.resolve(EXAMPLES.resolve("zero-mean.json").toString());
    assertEquals(new DevicePreset.Drift(0, 40, 1), zeroMean.drift());
    // apart from the drift, both are rram-imbalanced
    DevicePreset base = DevicePreset.named("rram-imbalanced");
    assertEquals(base.upDown(), crossing.upDown());
    assertEquals(base.dwMin(), zeroMean.dwMin());
  }

  @Test
  @Timeout(180)
  void theScriptsRecheckOptionsTrainOnTheCrossingPreset() throws IOException {
    String script = Files.readString(EXAMPLES.resolve("recheck-benefit.sh"));
    String rc = "--recheck-every 4000 --recheck-devices 5% --recheck-search quick";
    assertTrue(script.contains("rc=\"" + rc + "\""), "the script's re-check options are the ones tested here");
    Path out = dir.resolve("run");
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", "--board",
        "sim:" + EXAMPLES.resolve("crossing.json") + "?geometry=50x16,17x10&seed=1", "--side", "7", "--layers", "49-16-10", "--zero-shift",
        "--epochs", "1", "--train-limit", "80", "--lr", "0.05", "--seed", "1", "--no-progress", "--out", out.toString()));
    args.addAll(java.util.List.of("--recheck-every", "40", "--recheck-devices", "5%", "--recheck-search", "quick"));
    CliRun.Result r = CliRun.run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.err() + r.out());
    // 80 samples, a re-check every 40; 5 % of the 800- and 170-device tiles: 40 + 9 devices each time
    java.util.List<String> lines = Files.readAllLines(out.resolve(Recheck.FILE));
    assertEquals(2, lines.size());
    assertTrue(lines.get(0).contains("\"checked\":49"), lines.get(0));
  }
}
