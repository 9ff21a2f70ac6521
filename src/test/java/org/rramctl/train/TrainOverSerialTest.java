package org.rramctl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same training loop through the serial driver, as on lab hardware: `rramctl train --board serial:PATH
 * --zero-shift` on a 49-16-10 network (7 x 7 digits), with calibration first, against a virtual board
 * speaking the firmware protocol on a real pseudo-terminal (jSerialComm on the host side).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TrainOverSerialTest {
  @TempDir Path dir;

  @Test
  void aSmallNetworkCalibratesAndTrainsThroughTheSerialDriver() throws Exception {
    PtyTraining.Result r = PtyTraining.train(dir, List.of(new int[] {50, 16}, new int[] {17, 10}), "--zero-shift");
    Path run = r.run();
    assertEquals(0, r.code(), r.err());
    JsonNode refs = new ObjectMapper().readTree(run.resolve("references.json").toFile());
    assertEquals(49 * 16 + 16 + 17 * 10, refs.path("outcome").path("devices").asInt(), refs.toString());
    assertTrue(Files.exists(run.resolve("calibration.json")), "calibrated first");
    List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertEquals(1, metrics.size());
    double acc = new ObjectMapper().readTree(metrics.get(0)).path("testAccuracy").asDouble();
    assertTrue(acc > 0.3, "above chance after one epoch through the serial driver: " + metrics.get(0));
    assertTrue(r.pulsesApplied() > 100_000, "the updates were pulses on the board: " + r.pulsesApplied());
  }
}
