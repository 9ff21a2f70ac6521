package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunStatus;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.pty.PtyTransport;
import org.rramctl.sim.scpi.VirtualSmu;
import org.rramctl.sim.scpi.VirtualSmuServer;

/**
 * form and iv on the simulated Keithley 2400 and 2602B: the SCPI driver over jSerialComm on a real pty, the virtual
 * instrument measuring a pristine hfox device at the far end (native list / trigger-model sweeps).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FirstDayOnSmuTest {
  @TempDir Path dir;

  private static ObjectNode params(String json) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(json.replace('\'', '"'));
  }

  @ParameterizedTest
  @EnumSource(VirtualSmu.Model.class)
  void formThenIvOnTheSimulatedInstrument(VirtualSmu.Model model) throws Exception {
    VirtualSmu smu = new VirtualSmu(model, DevicePreset.named("hfox-pristine"), 2);
    Cell c = Cell.active(0, 0, 0);
    try (PtyTransport pty = PtyTransport.open(); VirtualSmuServer server = new VirtualSmuServer(smu, pty);
        EnvelopedDriver driver = org.rramctl.driver.Boards.open("scpi:serial:" + pty.clientPath() + "?compliance=1e-3", null)) {
      Runner runner = new Runner(new RunDirectory(dir), driver, "scpi:serial:" + pty.clientPath());
      // The 2400 cannot make pulses shorter than 500 us: form with 1 ms pulses (three decades above the 1 us reference).
      Runner.Outcome f = runner.run(Procedures.of("form", params("{'width':'1ms','planes':'both'}")));
      assertEquals(RunStatus.SUCCESS, f.status(), f.reason());
      assertFalse(smu.device().truth().pristine(c));
      JsonNode row = f.summary().get("cells").get(0);
      double expected = smu.device().truth().formingVolts(c) - 0.3;
      assertTrue(row.get("formingVolts").asDouble() >= expected - 1e-9 && row.get("formingVolts").asDouble() < expected + 0.05 + 1e-9,
          "formed at " + row.get("formingVolts") + " V, device forms at " + expected + " V for 1 ms");
      assertEquals(model == VirtualSmu.Model.K2600 ? 2 : 1, f.summary().get("formed").asInt(), "the 2602B's smub holds the reference device");
      Runner.Outcome iv = runner.run(Procedures.of("iv", params("{'cycles':2,'complianceAmps':8e-5}")));
      assertEquals(RunStatus.SUCCESS, iv.status(), iv.reason());
      JsonNode s = iv.summary();
      assertEquals(2, s.get("setVolts").get("n").asInt());
      assertEquals(2, s.get("resetVolts").get("n").asInt());
      assertTrue(s.get("offOnRatio").get("min").asDouble() > 5, s.toString());
      assertFalse(smu.outputOn(0), "output off after the runs");
      assertEquals(0, smu.sourceLevel(0), 0);
    }
  }
}
