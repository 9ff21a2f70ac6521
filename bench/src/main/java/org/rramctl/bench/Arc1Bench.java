package org.rramctl.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Pulse;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.arc1.VirtualArc1;
import org.rramctl.sim.arc1.VirtualArc1Server;
import org.rramctl.sim.board.VirtualBoard;
import org.rramctl.sim.pty.PtyTransport;
import org.rramctl.sim.scpi.VirtualSmu;
import org.rramctl.sim.scpi.VirtualSmuServer;

/**
 * Single-device operation rates of the three byte-level drivers side by side, each over a real pseudo-terminal
 * opened by jSerialComm with its virtual instrument at the far end: the ArC ONE driver ({@code arc1:}, with no
 * write delay and with libarc1's 1 ms), the firmware-protocol driver ({@code serial:}, VirtualBoard) and the
 * SCPI driver ({@code scpi:serial:}, simulated Keithley 2400). Operations: a read, one pulse, a pulse-then-read.
 * The stacks are measured in alternating blocks so that load from other processes falls on all alike.
 * Run: {@code java -cp bench/target/benchmarks.jar org.rramctl.bench.Arc1Bench [opsPerBlock] [blocks]}.
 */
public final class Arc1Bench {
  private Arc1Bench() {}

  private record Stack(String name, CrossbarDriver driver, Pulse pulse, double readVolts, AutoCloseable server) {}

  public static void main(String[] args) throws Exception {
    int perBlock = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    System.out.printf(Locale.ROOT, "java %s, %d cores, load %s%n", System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
    DevicePreset imbalanced = DevicePreset.named("rram-imbalanced");
    Stack[] stacks = {
        arc1(imbalanced, 0), arc1(imbalanced, 1), serial(imbalanced), smu(imbalanced)};
    String[] ops = {"read", "pulse", "pulse-then-read"};
    long[][][] t = new long[stacks.length][ops.length][perBlock * blocks];
    try {
      for (int b = -2; b < blocks; b++) { // two warm-up blocks
        for (int s = 0; s < stacks.length; s++) {
          for (int o = 0; o < ops.length; o++) block(stacks[s], o, t[s][o], b < 0 ? -1 : b * perBlock, perBlock);
        }
      }
    } finally {
      for (Stack s : stacks) {
        s.driver().close();
        s.server().close();
      }
    }
    System.out.printf(Locale.ROOT, "%-28s %-16s %12s %12s %12s%n", "stack", "operation", "median us", "p90 us", "ops/s (1/median)");
    for (int s = 0; s < stacks.length; s++) {
      for (int o = 0; o < ops.length; o++) {
        long[] x = t[s][o].clone();
        Arrays.sort(x);
        double med = x[x.length / 2] / 1e3;
        System.out.printf(Locale.ROOT, "%-28s %-16s %12.1f %12.1f %12.0f%n", stacks[s].name(), ops[o], med, x[(int) (0.9 * (x.length - 1))] / 1e3, 1e6 / med);
      }
    }
  }

  private static void block(Stack s, int op, long[] out, int at, int n) throws IOException {
    Cell c = Cell.active(0, 0, 0);
    for (int i = 0; i < n; i++) {
      // alternate polarity so the device stays mid-range
      Pulse p = i % 2 == 0 ? s.pulse() : s.pulse().withPolarity(s.pulse().polarity().opposite());
      long t0 = System.nanoTime();
      switch (op) {
        case 0 -> s.driver().read(c, s.readVolts());
        case 1 -> s.driver().pulse(c, p, 1);
        default -> s.driver().pulseThenRead(c, p, 1, s.readVolts());
      }
      long dt = System.nanoTime() - t0;
      if (at >= 0) out[at + i] = dt;
    }
  }

  private static Stack arc1(DevicePreset preset, int writeDelayMs) throws IOException {
    PtyTransport pty = PtyTransport.open();
    VirtualArc1Server server = new VirtualArc1Server(new VirtualArc1(VirtualArc1.arcScale(preset), 32, 32, 1), pty);
    CrossbarDriver d = Boards.open("arc1:" + pty.clientPath() + "?resetWait=0&writeDelay=" + writeDelayMs, null);
    return new Stack("arc1: writeDelay=" + writeDelayMs + " ms", d, Pulse.up(VirtualArc1.NOMINAL_VOLTS, Duration.ofNanos(VirtualArc1.NOMINAL_WIDTH_NANOS)), 0.5, server);
  }

  private static Stack serial(DevicePreset preset) throws IOException {
    EmulatorDriver emu = EmulatorDriver.open(preset, List.of(new int[] {32, 32}), 1);
    VirtualBoard board = new VirtualBoard(emu, VirtualBoard.Config.defaults());
    PtyTransport pty = PtyTransport.open();
    board.serve(pty);
    CrossbarDriver d = Boards.open("serial:" + pty.clientPath(), null);
    return new Stack("serial: (VirtualBoard)", d, Pulse.up(preset.pulseVolts(), Duration.ofNanos(preset.pulseWidthNanos())), 0.2, board);
  }

  private static Stack smu(DevicePreset preset) throws IOException {
    DevicePreset p = preset.withNominalPulse(1.0, VirtualSmu.NOMINAL_PULSE.toNanos(), 0.5);
    PtyTransport pty = PtyTransport.open();
    VirtualSmuServer server = new VirtualSmuServer(new VirtualSmu(VirtualSmu.Model.K2400, p, 1), pty);
    CrossbarDriver d = Boards.open("scpi:serial:" + pty.clientPath() + "?model=auto&compliance=1e-3", null);
    return new Stack("scpi: (Keithley 2400)", d, Pulse.up(1.0, VirtualSmu.NOMINAL_PULSE), 0.2, server);
  }
}
