package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.scpi.SmuDriver;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunStatus;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.pty.PtyTransport;
import org.rramctl.sim.scpi.VirtualSmu;
import org.rramctl.sim.scpi.VirtualSmuServer;

/**
 * The pulse-response procedure on a source-measure unit: the SCPI driver over jSerialComm on a real pty,
 * the simulated 2602B at the far end, its noise-free ideal device driven by 1 ms pulses. Every read must
 * match the soft-bound closed form within the instrument's measurement resolution.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProceduresOnSmuTest {
  @TempDir Path dir;

  @Test
  void pulseResponseOnTheSimulated2602BMatchesTheClosedForm() throws Exception {
    DevicePreset ideal = DevicePreset.named("ideal").withNominalPulse(1.0, 1_000_000, 0.5);
    VirtualSmu smu = new VirtualSmu(VirtualSmu.Model.K2600, ideal, 1);
    try (PtyTransport pty = PtyTransport.open(); VirtualSmuServer server = new VirtualSmuServer(smu, pty);
        EnvelopedDriver driver = org.rramctl.driver.Boards.open("scpi:serial:" + pty.clientPath() + "?compliance=1e-3", null)) {
      Runner runner = new Runner(new RunDirectory(dir), driver, "scpi:serial:" + pty.clientPath());
      Runner.Outcome o = runner.run(PulseResponse.of(new PulseResponse.Params("0,0", 40, 1, 1.0, "1ms", 0.2)));
      assertEquals(RunStatus.SUCCESS, o.status(), o.reason());
      List<ObjectNode> events = org.rramctl.journal.Journal.read(o.journal()).events();
      assertEquals(1 + 2 * 40, events.size());
      EmulatorDriver.DeviceParams p = smu.device().truth().params(org.rramctl.driver.Cell.active(0, 0, 0));
      for (ObjectNode e : events) {
        int n = e.get("pulse").asInt();
        double expected = Bench.afterPulses(p, Math.min(n, 40), Math.max(0, n - 40));
        // The virtual instrument reads through the emulator's 16-bit ADC, then prints 6 significant digits.
        assertEquals(expected, e.get("g").asDouble(), 1.25e-4 / 65535 + 1e-10, "event " + e);
      }
      assertEquals(80, smu.pulsesApplied());
      org.junit.jupiter.api.Assertions.assertFalse(smu.outputOn(0), "output off after the run");
    }
  }

  @Test
  void anSmusDefaultEnvelopeIsAFewVoltsAndABoardProfileWidensItDeliberately() throws Exception {
    VirtualSmu smu = new VirtualSmu(VirtualSmu.Model.K2400, DevicePreset.named("ideal"), 1);
    try (PtyTransport pty = PtyTransport.open(); VirtualSmuServer server = new VirtualSmuServer(smu, pty)) {
      String uri = "scpi:serial:" + pty.clientPath();
      java.io.StringWriter out = new java.io.StringWriter();
      java.io.StringWriter err = new java.io.StringWriter();
      int code = org.rramctl.cli.Main.run(new String[] {"pulse", "--board", uri, "--cell", "0,0", "--up", "--amplitude", "50", "--width", "1ms"},
          new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
      assertEquals(2, code, out + " " + err);
      org.junit.jupiter.api.Assertions.assertTrue(err.toString().contains("pulse amplitude: 50.0000 V (allowed: 0.00100000 V <= V <= 5.00000 V)"), err.toString());
      org.junit.jupiter.api.Assertions.assertEquals(0, smu.pulsesApplied(), "nothing reached the instrument");
      try (EnvelopedDriver d = org.rramctl.driver.Boards.open(uri, null)) {
        assertEquals(SmuDriver.DEFAULT_MAX_PULSE_VOLTS, d.envelope().limits().maxPulseVolts());
        assertEquals(SmuDriver.DEFAULT_MAX_READ_VOLTS, d.envelope().limits().maxReadVolts());
        assertEquals(210.0, d.info().hardwareLimits().maxPulseVolts(), "the instrument's range is still what a profile may reach");
      }
      java.nio.file.Path profile = dir.resolve("wide.json");
      java.nio.file.Files.writeString(profile, "{\"maxPulseVolts\": 8, \"maxReadVolts\": 0.5, \"minPulseWidth\": \"500us\", \"maxPulseWidth\": \"1s\","
          + " \"maxPulsesPerCommand\": 100, \"maxPulseRateHz\": 100, \"complianceAmps\": 1e-3}");
      try (EnvelopedDriver d = org.rramctl.driver.Boards.open(uri, SafetyEnvelope.load(profile))) {
        assertEquals(8.0, d.envelope().limits().maxPulseVolts(), "widened on purpose");
      }
    }
  }
}
