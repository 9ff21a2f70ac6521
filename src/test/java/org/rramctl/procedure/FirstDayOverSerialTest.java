package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunStatus;
import org.rramctl.sim.DevicePreset;

/**
 * The first-day procedures through the serial driver and a virtual board on a real pseudo-terminal. The pulse-based
 * ones (endurance, switch-seek, converge) run; form and iv need the source-measure role, which this protocol version
 * does not carry, and are refused before anything is sent, naming the board.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FirstDayOverSerialTest {
  @TempDir Path dir;

  private static ObjectNode params(String json) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(json.replace('\'', '"'));
  }

  @Test
  void pulseBasedProceduresRunOverTheWireAndSourceMeasureOnesAreRefusedClearly() throws Exception {
    try (Bench b = Bench.overSerial(DevicePreset.named("rram-imbalanced"), 1, 3, dir)) {
      Runner.Outcome e = b.runner.run(Procedures.of("endurance", params("{'cells':'0,0','cycles':10}")));
      assertEquals(RunStatus.SUCCESS, e.status(), e.reason());
      assertTrue(e.summary().get("cells").get(0).get("enduranceCycles").isNull());
      Runner.Outcome s = b.runner.run(Procedures.of("switch-seek", params("{'cells':'0,1'}")));
      assertEquals(RunStatus.SUCCESS, s.status(), s.reason());
      JsonNode row = s.summary().get("cells").get(0);
      assertEquals("up", row.get("setPolarity").asText());
      assertEquals(0.6, row.get("setVolts").asDouble(), 1e-9);
      Runner.Outcome c = b.runner.run(Procedures.of("converge", params("{'cells':'0,2','targetOhms':20000,'tolerance':0.02}")));
      assertEquals(RunStatus.SUCCESS, c.status(), c.reason());
      assertEquals(1, c.summary().get("reached").asInt());
      long before = b.driver.status().pulsesApplied();
      for (String p : new String[] {"form", "iv"}) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> b.runner.run(Procedures.of(p, params("{}"))));
        assertTrue(x.getMessage().contains("source-measure") && x.getMessage().contains(b.driver.info().boardId()), x.getMessage());
      }
      assertEquals(before, b.driver.status().pulsesApplied(), "nothing sent for the refused runs");
    }
  }
}
