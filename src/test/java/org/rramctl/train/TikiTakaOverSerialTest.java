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
 * Tiki-Taka through the serial driver (issue 16 point 2): `rramctl train --board serial:PATH --algorithm tiki-taka`
 * on a 49-16-10 network, an A and a C array per layer (four arrays), calibration first, against a virtual board
 * speaking the firmware protocol on a real pseudo-terminal. The network reads C alone (gamma 0), which starts at
 * random weights: it can only beat chance if the columns of A reached C through the driver. The small network's
 * regime (lr 0.05, gUnit / 8, nominal step 0.004) takes C's rate equal to the SGD rate (--lr-c 1).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TikiTakaOverSerialTest {
  @TempDir Path dir;

  @Test
  void aSmallTikiTakaNetworkCalibratesAndTrainsThroughTheSerialDriver() throws Exception {
    PtyTraining.Result r = PtyTraining.train(dir, List.of(new int[] {50, 16}, new int[] {17, 10}, new int[] {50, 16}, new int[] {17, 10}),
        "--train-limit", "3000", "--test-limit", "500", "--algorithm", "tiki-taka", "--lr-c", "1");
    Path run = r.run();
    assertEquals(0, r.code(), r.err());
    JsonNode refs = new ObjectMapper().readTree(run.resolve("references.json").toFile());
    assertEquals(2 * (50 * 16 + 17 * 10), refs.path("outcome").path("devices").asInt(), refs.toString());
    assertEquals("tiki-taka", refs.path("algorithm").asText(), refs.toString());
    assertTrue(r.out().contains("Tiki-Taka: transfer every 1 sample(s)"), r.out());
    List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertEquals(1, metrics.size());
    double acc = new ObjectMapper().readTree(metrics.get(0)).path("testAccuracy").asDouble();
    assertTrue(acc > 0.3, "above chance after one epoch of Tiki-Taka through the serial driver: " + metrics.get(0));
  }
}
