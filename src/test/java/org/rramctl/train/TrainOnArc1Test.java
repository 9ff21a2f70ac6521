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
import org.rramctl.sim.arc1.VirtualArc1;
import org.rramctl.sim.arc1.VirtualArc1Server;
import org.rramctl.sim.pty.PtyTransport;

/**
 * {@code rramctl train --zero-shift} on an ArC ONE, as a lab would run it: one 32 x 32 crossbar whose columns
 * 16-31 hold the references of columns 0-15 ({@code references=cols+16}), a 49-H-10 network (7 x 7 digits) that
 * fits the 32 x 16 active region, per-device calibration first (the board has no parallel update), then training
 * through the {@code arc1:} driver over a real pty to the virtual ArC ONE. Small on purpose: every pulse is a
 * command on the wire.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class TrainOnArc1Test {
  @TempDir Path dir;

  @Test
  void aSmallNetworkCalibratesAndTrainsOnOneCrossbarWithItsOwnReferences() throws Exception {
    VirtualArc1 board = new VirtualArc1(VirtualArc1.arcScale(DevicePreset.named("rram-imbalanced")), 32, 32, 5);
    try (PtyTransport pty = PtyTransport.open(dir.resolve("arc1")); VirtualArc1Server server = new VirtualArc1Server(board, pty)) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      Path run = dir.resolve("run");
      int code = Main.run(new String[] {"train", "--board", "arc1:" + pty.clientPath() + "?resetWait=0&writeDelay=0&references=cols+16",
          "--layers", "49-2-10", "--side", "7", "--epochs", "1", "--train-limit", "40", "--test-limit", "100", "--lr", "0.05",
          "--pulse-volts", "2.5", "--pulse-width", "100us", "--zero-shift", "--no-progress", "--out", run.toString()},
          new PrintWriter(out, true), new PrintWriter(err, true));
      assertEquals(0, code, err.toString() + out);
      JsonNode refs = new ObjectMapper().readTree(run.resolve("references.json").toFile());
      assertEquals(50 * 2 + (2 + 1) * 10, refs.path("outcome").path("devices").asInt(), refs.toString());
      assertTrue(Files.exists(run.resolve("calibration.json")), "calibrated first");
      List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
      assertEquals(1, metrics.size());
      double acc = new ObjectMapper().readTree(metrics.get(0)).path("testAccuracy").asDouble(-1);
      assertTrue(acc >= 0 && acc <= 1, "an accuracy was measured: " + metrics.get(0));
      assertTrue(board.pulsesApplied() > 1000, "calibration and updates were pulses on the board: " + board.pulsesApplied());
      assertTrue(board.errors().isEmpty(), "no protocol errors: " + board.errors());
    }
  }
}
