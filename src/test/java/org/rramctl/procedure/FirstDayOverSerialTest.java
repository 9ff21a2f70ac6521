package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunStatus;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.board.VirtualBoard;

/**
 * The first-day procedures through the serial driver and a virtual board on a real pseudo-terminal. The pulse-based
 * ones (endurance, switch-seek, converge) run on any board; form and iv run through SOURCE and SWEEP on a board of
 * protocol version 2 and find what they find in process on the same devices, and an older (version 1) board is refused
 * before anything is sent, naming the board and its protocol version.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FirstDayOverSerialTest {
  @TempDir Path dir;

  private static ObjectNode params(String json) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(json.replace('\'', '"'));
  }

  @Test
  void formAndIvOverThePtyFindWhatTheyFindInProcess() throws Exception {
    DevicePreset preset = DevicePreset.named("hfox-pristine");
    try (Bench here = new Bench(preset, 1, 2, Files.createDirectories(dir.resolve("here")));
        Bench there = Bench.overSerial(preset, 1, 2, Files.createDirectories(dir.resolve("there")))) {
      assertTrue(there.driver.inner() instanceof SerialBoardDriver, "the procedures drive a SerialBoardDriver");
      assertEquals(2, there.driver.info().protocolVersion());
      FirstDayComparison.formAndIvFindTheSame(here, there, "behind the pty", 1e-9);
    }
  }

  @Test
  void anOlderBoardIsRefusedFormAndIvBeforeAnythingIsSentNamingItsProtocolVersion() throws Exception {
    VirtualBoard.Config v1 = VirtualBoard.Config.defaults().withBoardId("RB-0011").withFirmware("1.2.0", 1);
    try (Bench b = Bench.overSerial(DevicePreset.named("hfox-pristine"), 1, 3, dir, v1)) {
      long sent = ((SerialBoardDriver) b.driver.inner()).session().bytesSent();
      for (String p : new String[] {"form", "iv"}) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> b.runner.run(Procedures.of(p, params("{}"))));
        assertTrue(x.getMessage().startsWith(p + ": board RB-0011 (rramctl virtual board (hfox-pristine), protocol 1) has no source-measure capability"),
            x.getMessage());
        assertTrue(x.getMessage().contains("a crossbar board of protocol version 2 or later with SOURCE"), x.getMessage());
      }
      assertEquals(sent, ((SerialBoardDriver) b.driver.inner()).session().bytesSent(), "nothing sent for the refused runs");
    }
  }

  @Test
  void pulseBasedProceduresRunOverTheWire() throws Exception {
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
    }
  }
}
