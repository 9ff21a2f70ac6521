package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunStatus;

/**
 * form and iv on two benches with the same devices (preset and seed), one in process and one behind a link, compared
 * value for value: the link must not change what the procedures find.
 */
final class FirstDayComparison {
  private FirstDayComparison() {}

  /**
   * Forms devices 0,0-1 and traces two I-V loops on each, on both benches; the forming voltages must be equal, the SET and
   * RESET means within {@code voltsTolerance} (a link carrying levels in whole millivolts rounds the loop's 50 mV steps
   * to the double's last bit), and both emulators must have seen the same switching events.
   */
  static void formAndIvFindTheSame(Bench here, Bench there, String what, double voltsTolerance) throws Exception {
    JsonNode[] form = new JsonNode[2];
    JsonNode[] iv = new JsonNode[2];
    Bench[] benches = {here, there};
    for (int k = 0; k < 2; k++) {
      form[k] = ok(benches[k].runner.run(Procedures.of("form", params("{'cells':'0,0-1'}")))).summary();
      iv[k] = ok(benches[k].runner.run(Procedures.of("iv", params("{'cells':'0,0-1','cycles':2,'complianceAmps':8e-5}")))).summary();
    }
    assertEquals(2, form[1].get("formed").asInt(), "both devices " + what + " formed");
    for (int c = 0; c < 2; c++) {
      assertEquals(form[0].get("cells").get(c).get("formingVolts").asDouble(), form[1].get("cells").get(c).get("formingVolts").asDouble(), 0,
          "device " + c + "'s forming voltage");
    }
    assertEquals(4, iv[1].get("setVolts").get("n").asInt(), "a SET voltage in each of the 4 loops");
    for (String key : new String[] {"setVolts", "resetVolts"}) {
      assertEquals(iv[0].get(key).get("mean").asDouble(), iv[1].get(key).get("mean").asDouble(), voltsTolerance, key);
    }
    assertEquals(here.emulator.status().pulsesApplied(), there.emulator.status().pulsesApplied(), "the same switching events on both");
  }

  private static Runner.Outcome ok(Runner.Outcome o) {
    assertEquals(RunStatus.SUCCESS, o.status(), o.reason());
    return o;
  }

  private static ObjectNode params(String json) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(json.replace('\'', '"'));
  }
}
