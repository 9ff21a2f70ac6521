package org.rramctl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.cli.Main;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.board.VirtualBoard;
import org.rramctl.sim.pty.PtyTransport;

/**
 * The same training loop through the serial driver, as on lab hardware: `rramctl train --board serial:PATH
 * --zero-shift` on a 49-16-10 network (7 x 7 digits), with calibration first, against a virtual board
 * speaking the firmware protocol on a real pseudo-terminal (jSerialComm on the host side).
 */
// A 10 s watchdog (the host waits a quarter of it for an answer), as the other virtual-board tests: at load 15 on
// 2 cores the board's thread went unscheduled for over 1.3 s and the run failed with 'no answer to LAST_EXECUTED'.
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TrainOverSerialTest {
  @TempDir Path dir;

  @Test
  void aSmallNetworkCalibratesAndTrainsThroughTheSerialDriver() throws Exception {
    EmulatorDriver emu = EmulatorDriver.open(DevicePreset.named("rram-imbalanced"), List.of(new int[] {50, 16}, new int[] {17, 10}), 5);
    VirtualBoard board = new VirtualBoard(emu, VirtualBoard.Config.defaults().withWatchdogMillis(10_000));
    try (PtyTransport pty = PtyTransport.open(dir.resolve("board"))) {
      board.serve(pty);
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      Path run = dir.resolve("run");
      int code = Main.run(new String[] {"train", "--board", "serial:" + pty.clientPath(), "--layers", "49-16-10", "--side", "7", "--epochs", "1",
          "--lr", "0.05", "--g-unit", "1.2375e-5", "--dw-min", "0.004", "--pulse-volts", "1.0", "--pulse-width", "100ns",
          "--read-volts", "0.2", "--zero-shift", "--no-progress", "--out", run.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
      assertEquals(0, code, err.toString());
      JsonNode refs = new ObjectMapper().readTree(run.resolve("references.json").toFile());
      assertEquals(49 * 16 + 16 + 17 * 10, refs.path("outcome").path("devices").asInt(), refs.toString());
      assertTrue(Files.exists(run.resolve("calibration.json")), "calibrated first");
      List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
      assertEquals(1, metrics.size());
      double acc = new ObjectMapper().readTree(metrics.get(0)).path("testAccuracy").asDouble();
      assertTrue(acc > 0.3, "above chance after one epoch through the serial driver: " + metrics.get(0));
      assertTrue(emu.status().pulsesApplied() > 100_000, "the updates were pulses on the board: " + emu.status().pulsesApplied());
    } finally {
      board.close();
    }
  }
}
