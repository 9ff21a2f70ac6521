package org.rramctl.train;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rramctl.cli.Main;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.board.VirtualBoard;
import org.rramctl.sim.pty.PtyTransport;

/**
 * `rramctl train` of the small 49-16-10 network (7 x 7 digits, the small network's regime: lr 0.05, gUnit / 8,
 * nominal step 0.004, 1.0 V / 100 ns pulses, 0.2 V reads) through the serial driver, against a virtual board of
 * rram-imbalanced arrays (seed 5) on a real pseudo-terminal. The board has a 10 s watchdog (the host waits a quarter
 * of it for an answer), as the other virtual-board tests: at load 15 on 2 cores its thread went unscheduled for over
 * 1.3 s and a run failed with 'no answer to LAST_EXECUTED'.
 */
final class PtyTraining {
  private PtyTraining() {}

  /** What the command said and did: its exit code, output, run folder, and the pulses the board's devices received. */
  record Result(int code, String out, String err, Path run, long pulsesApplied) {}

  static Result train(Path dir, List<int[]> arrays, String... extraArgs) throws Exception {
    EmulatorDriver emu = EmulatorDriver.open(DevicePreset.named("rram-imbalanced"), arrays, 5);
    VirtualBoard board = new VirtualBoard(emu, VirtualBoard.Config.defaults().withWatchdogMillis(10_000));
    try (PtyTransport pty = PtyTransport.open(dir.resolve("board"))) {
      board.serve(pty);
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      Path run = dir.resolve("run");
      List<String> args = new ArrayList<>(List.of("train", "--board", "serial:" + pty.clientPath(), "--layers", "49-16-10", "--side", "7", "--epochs",
          "1", "--lr", "0.05", "--g-unit", "1.2375e-5", "--dw-min", "0.004", "--pulse-volts", "1.0", "--pulse-width", "100ns", "--read-volts", "0.2"));
      args.addAll(List.of(extraArgs));
      args.addAll(List.of("--no-progress", "--out", run.toString()));
      int code = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
      return new Result(code, out.toString(), err.toString(), run, emu.status().pulsesApplied());
    } finally {
      board.close();
    }
  }
}
