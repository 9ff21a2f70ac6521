package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.journal.Journal;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunStatus;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.arc1.VirtualArc1;
import org.rramctl.sim.arc1.VirtualArc1Server;
import org.rramctl.sim.pty.PtyTransport;

/**
 * The characterisation procedures on an ArC ONE: the {@code arc1:} driver over jSerialComm on a real pty, the
 * virtual ArC ONE at the far end. Pulse response on the noise-free ideal preset against the soft-bound closed
 * form; read statistics on the imbalanced preset against the emulator's read noise.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProceduresOnArc1Test {
  @TempDir Path dir;

  @Test
  void pulseResponseMatchesTheClosedFormThroughTheArc1Driver() throws Exception {
    VirtualArc1 board = new VirtualArc1(VirtualArc1.arcScale(DevicePreset.named("ideal")), 8, 8, 1);
    try (PtyTransport pty = PtyTransport.open(); VirtualArc1Server server = new VirtualArc1Server(board, pty);
        EnvelopedDriver driver = Boards.open("arc1:" + pty.clientPath() + "?words=8&bits=8&resetWait=0&writeDelay=0", null)) {
      Runner runner = new Runner(new RunDirectory(dir), driver, "arc1:" + pty.clientPath());
      Runner.Outcome o = runner.run(PulseResponse.of(new PulseResponse.Params("2,3", 40, 1, 2.5, "100us", 0.5)));
      assertEquals(RunStatus.SUCCESS, o.status(), o.reason());
      List<ObjectNode> events = Journal.read(o.journal()).events();
      assertEquals(1 + 2 * 40, events.size());
      EmulatorDriver.DeviceParams p = board.devices().truth().params(Cell.active(0, 2, 3));
      for (ObjectNode e : events) {
        int n = e.get("pulse").asInt();
        double expected = Bench.afterPulses(p, Math.min(n, 40), Math.max(0, n - 40));
        // The emulator's ADC step (16 bits over 1.25 G_max), then a float32 resistance on the wire (2^-24 relative).
        assertEquals(expected, e.get("g").asDouble(), 1.25e-4 / 65535 + expected * 1e-7, "event " + e);
      }
      assertEquals(80, board.pulsesApplied());
    }
  }

  @Test
  void readStatisticsSeeTheEmulatorsReadNoise() throws Exception {
    DevicePreset preset = DevicePreset.named("rram-imbalanced");
    VirtualArc1 board = new VirtualArc1(VirtualArc1.arcScale(preset), 8, 8, 2);
    try (PtyTransport pty = PtyTransport.open(); VirtualArc1Server server = new VirtualArc1Server(board, pty);
        EnvelopedDriver driver = Boards.open("arc1:" + pty.clientPath() + "?words=8&bits=8&resetWait=0&writeDelay=0", null)) {
      Runner runner = new Runner(new RunDirectory(dir), driver, "arc1:" + pty.clientPath());
      Runner.Outcome o = runner.run(ReadStatistics.of(new ReadStatistics.Params("1,1", 400, 20, 2.5, "100us", 0.5)));
      assertEquals(RunStatus.SUCCESS, o.status(), o.reason());
      JsonNode row = o.summary().path("cells").get(0);
      double expected = preset.readNoiseStd() * board.devices().truth().siemensPerWeight(Cell.active(0, 1, 1));
      double std = row.path("stdSiemens").asDouble();
      assertEquals(expected, std, 0.2 * expected, "read noise std through the driver vs the emulator's; summary " + o.summary());
      assertTrue(row.path("stepPerPulseSiemens").asDouble() > 0, "the step pulses moved the device: " + row);
    }
  }
}
