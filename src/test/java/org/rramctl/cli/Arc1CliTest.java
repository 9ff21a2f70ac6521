package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.arc1.VirtualArc1;
import org.rramctl.sim.arc1.VirtualArc1Server;
import org.rramctl.sim.pty.PtyTransport;

/** The command line on an ArC ONE (the virtual one on a pty), as the README shows it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Arc1CliTest {
  @TempDir Path dir;

  @Test
  void infoReadAndPulseWorkAndBadInputIsOneLineWithExitCode2() throws Exception {
    VirtualArc1 board = new VirtualArc1(VirtualArc1.arcScale(DevicePreset.named("rram-imbalanced")), 32, 32, 1);
    try (PtyTransport pty = PtyTransport.open(dir.resolve("arc1")); VirtualArc1Server server = new VirtualArc1Server(board, pty)) {
      String uri = "arc1:" + pty.clientPath() + "?resetWait=0";
      CliRun.Result info = CliRun.run("info", "--board", uri);
      assertEquals(0, info.code(), info.err());
      assertTrue(info.out().contains("(ArC ONE)") && info.out().contains("array 0    32 x 32") && info.out().contains("firmware   1.0"), info.out());
      assertTrue(info.out().contains("pulse 0.00100 .. 12.0 V, 1us .. 10s"), info.out());

      CliRun.Result refs = CliRun.run("info", "--board", uri + "&references=cols+16");
      assertEquals(0, refs.code(), refs.err());
      assertTrue(refs.out().contains("array 0    32 x 16 + reference array"), refs.out());

      CliRun.Result pulse = CliRun.run("pulse", "--board", uri, "--cell", "1,6", "--up", "--amplitude", "2.5", "--width", "100us", "--count", "10");
      assertEquals(0, pulse.code(), pulse.err());
      assertEquals(10, board.pulsesApplied());

      CliRun.Result narrow = CliRun.run("pulse", "--board", uri, "--cell", "1,6", "--up", "--amplitude", "2.5", "--width", "500ns");
      assertEquals(2, narrow.code());
      assertTrue(narrow.err().startsWith("rramctl: ") && narrow.err().strip().lines().count() == 1, narrow.err());
      CliRun.Result between = CliRun.run("pulse", "--board", uri, "--cell", "1,6", "--up", "--amplitude", "2.5", "--width", "1500ns");
      assertEquals(2, between.code());
      assertTrue(between.err().contains("whole number of microseconds") && between.err().strip().lines().count() == 1, between.err());
      assertEquals(10, board.pulsesApplied(), "refused before a byte was sent");

      CliRun.Result outside = CliRun.run("read", "--board", uri, "--cell", "40,6");
      assertEquals(2, outside.code());
      assertTrue(outside.err().contains("outside array 0"), outside.err());
    }
    CliRun.Result geometry = CliRun.run("virtual-arc1", "--pty", dir.resolve("x").toString(), "--geometry", "40x40");
    assertEquals(2, geometry.code());
    assertTrue(geometry.err().contains("--geometry: '40x40'") && geometry.err().strip().lines().count() == 1, geometry.err());
    assertFalse(dir.resolve("x").toFile().exists(), "nothing half-made");
  }

  @Test
  void formAndIvAreOneCommandEachAndWhatTheCurveTracerCannotDoIsOneLineWithExitCode2() throws Exception {
    VirtualArc1 board = new VirtualArc1(DevicePreset.named("hfox-pristine"), 1, 2, 1);
    Path runs = dir.resolve("runs");
    try (PtyTransport pty = PtyTransport.open(dir.resolve("arc1")); VirtualArc1Server server = new VirtualArc1Server(board, pty)) {
      String uri = "arc1:" + pty.clientPath() + "?words=1&bits=2&resetWait=0";
      CliRun.Result form = CliRun.run("procedure", "form", "--board", uri, "--cells", "0,0-1", "--runs", runs.toString());
      assertEquals(0, form.code(), form.err());
      assertTrue(form.out().contains("formed: 2"), form.out());
      CliRun.Result iv = CliRun.run("procedure", "iv", "--board", uri, "--cells", "0,0", "--cycles", "1", "--runs", runs.toString());
      assertEquals(0, iv.code(), iv.err());
      assertTrue(iv.out().contains("setVolts: n 1"), iv.out());
      long journals = java.nio.file.Files.list(runs).filter(f -> f.toString().endsWith(".jsonl")).count();
      CliRun.Result low = CliRun.run("procedure", "iv", "--board", uri, "--cells", "0,0", "--compliance", "5uA", "--runs", runs.toString());
      assertEquals(2, low.code());
      assertTrue(low.err().startsWith("rramctl: current compliance: 5 uA (allowed: whole microamperes from 11 uA to 1000 uA on the ArC ONE")
          && low.err().strip().lines().count() == 1, low.err());
      CliRun.Result fast = CliRun.run("procedure", "form", "--board", uri, "--cells", "0,0", "--width", "10us", "--runs", runs.toString());
      assertEquals(2, fast.code());
      assertTrue(fast.err().startsWith("rramctl: source duration: 10us (allowed: whole microseconds from 30 us") && fast.err().strip().lines().count() == 1,
          fast.err());
      assertEquals(journals, java.nio.file.Files.list(runs).filter(f -> f.toString().endsWith(".jsonl")).count(), "no run written for the refused ones");
    }
  }
}
