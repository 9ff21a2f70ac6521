package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.remote.RemoteDriver;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunStatus;
import org.rramctl.sim.DevicePreset;

/**
 * The source-measure procedures (issue 18) through a served emulator over ZeroMQ: form and iv find what they find
 * in process on the same devices (same preset and seed), value for value.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FirstDayOverRemoteTest {
  @TempDir Path dir;

  private static Runner.Outcome ok(Runner.Outcome o) {
    assertEquals(RunStatus.SUCCESS, o.status(), o.reason());
    return o;
  }

  private static ObjectNode params(String json) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(json.replace('\'', '"'));
  }

  @Test
  void formAndIvThroughAServedEmulatorFindWhatTheyFindInProcess() throws Exception {
    DevicePreset preset = DevicePreset.named("hfox-pristine");
    try (Bench here = new Bench(preset, 1, 2, Files.createDirectories(dir.resolve("here")));
        Bench there = Bench.overRemote(preset, 1, 2, Files.createDirectories(dir.resolve("there")))) {
      assertTrue(there.driver.inner() instanceof RemoteDriver, "the procedures drive a RemoteDriver");
      JsonNode[] form = new JsonNode[2];
      JsonNode[] iv = new JsonNode[2];
      Bench[] benches = {here, there};
      for (int k = 0; k < 2; k++) {
        form[k] = ok(benches[k].runner.run(Procedures.of("form", params("{'cells':'0,0-1'}")))).summary();
        iv[k] = ok(benches[k].runner.run(Procedures.of("iv", params("{'cells':'0,0-1','cycles':2,'complianceAmps':8e-5}")))).summary();
      }
      assertEquals(2, form[1].get("formed").asInt(), "both served devices formed");
      for (int c = 0; c < 2; c++) {
        assertEquals(form[0].get("cells").get(c).get("formingVolts").asDouble(), form[1].get("cells").get(c).get("formingVolts").asDouble(), 0,
            "device " + c + "'s forming voltage");
      }
      assertEquals(4, iv[1].get("setVolts").get("n").asInt(), "a SET voltage in each of the 4 loops");
      for (String key : new String[] {"setVolts", "resetVolts"}) {
        assertEquals(iv[0].get(key).get("mean").asDouble(), iv[1].get(key).get("mean").asDouble(), 0, key);
      }
      assertEquals(here.emulator.status().pulsesApplied(), there.emulator.status().pulsesApplied(), "the same switching events on both");
    }
  }
}
