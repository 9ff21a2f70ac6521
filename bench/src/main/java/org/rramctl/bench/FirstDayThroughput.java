package org.rramctl.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.driver.transport.SerialPortTransport;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunStatus;
import org.rramctl.procedure.Procedures;
import org.rramctl.procedure.Runner;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.board.VirtualBoard;
import org.rramctl.sim.pty.PtyTransport;
import org.rramctl.sim.scpi.VirtualSmu;
import org.rramctl.sim.scpi.VirtualSmuServer;

/**
 * Throughput of the first-day procedures (issue 18) as whole journaled runs: events per second (an event is one
 * measured point: a forming pulse and its read, an I-V point, an endurance cycle of two pulse trains and two reads, a
 * switch-seek or converge step of a pulse train and a read) on the emulator in-process, through the serial driver
 * and a virtual board on a real pty (protocol version 2: form and iv through SOURCE and SWEEP), through the remote
 * driver to a served emulator over ZeroMQ on loopback, on the simulated 2400 and 2602B over a pty, and through the ArC
 * ONE driver and a virtual ArC ONE on a pty (form and iv through its CurveTracer job). Median of
 * {@code rounds} runs after one untimed warm-up run, each on a fresh board; then each column as a ratio to the first.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.rramctl.bench.FirstDayThroughput [rounds [procedures [boards]]]},
 * procedures and boards as comma-separated names (boards: emulator, serial, zmq, k2400, k2600, arc1; default all); or
 * {@code ... FirstDayThroughput roles [rounds [seconds]]} for the source-measure role alone ({@link #roles}).
 */
public final class FirstDayThroughput {
  private FirstDayThroughput() {}

  interface Board extends AutoCloseable {
    CrossbarDriver driver();

    /** The devices a run uses: four on the arrays, the one device of an SMU. */
    default String cells() {
      return driver().info().array(0).devices() >= 4 ? "0,0-3" : "0,0";
    }

    @Override
    void close() throws Exception;
  }

  interface Opener {
    Board open(DevicePreset preset) throws Exception;
  }

  record Case(String procedure, String preset, String params) {}

  static Board emulator(DevicePreset p) {
    EmulatorDriver emu = EmulatorDriver.open(p, List.of(new int[] {4, 4}), 3);
    EnvelopedDriver d = new EnvelopedDriver(emu, SafetyEnvelope.of(emu.info()));
    return new Board() {
      public CrossbarDriver driver() {
        return d;
      }

      public void close() {
        d.close();
      }
    };
  }

  static Board serial(DevicePreset p, Path dir) throws Exception {
    EmulatorDriver emu = EmulatorDriver.open(p, List.of(new int[] {4, 4}), 3);
    VirtualBoard vb = new VirtualBoard(emu, VirtualBoard.Config.defaults());
    PtyTransport pty = PtyTransport.open(dir.resolve("board-" + System.nanoTime()));
    vb.serve(pty);
    String path = pty.clientPath();
    SerialBoardDriver s = SerialBoardDriver.open(() -> SerialPortTransport.open(path, 115_200), SessionSettings.defaults());
    EnvelopedDriver d = new EnvelopedDriver(s, SafetyEnvelope.of(s.info()));
    return new Board() {
      public CrossbarDriver driver() {
        return d;
      }

      public void close() throws Exception {
        d.close();
        vb.close();
      }
    };
  }

  /** The emulator served by a DriverServer on loopback, driven through a RemoteDriver over ZeroMQ (tcp). */
  static Board remote(DevicePreset p) throws Exception {
    EmulatorDriver emu = EmulatorDriver.open(p, List.of(new int[] {4, 4}), 3);
    org.rramctl.driver.remote.DriverServer server = org.rramctl.driver.remote.DriverServer.start(emu,
        org.rramctl.driver.remote.ServerOptions.of("tcp://127.0.0.1:*"));
    org.rramctl.driver.remote.RemoteDriver r = org.rramctl.driver.remote.RemoteDriver.open(server.endpoint(),
        org.rramctl.driver.remote.ClientOptions.defaults().withLabel("bench"));
    EnvelopedDriver d = new EnvelopedDriver(r, SafetyEnvelope.of(r.info()));
    return new Board() {
      public CrossbarDriver driver() {
        return d;
      }

      public void close() throws Exception {
        d.close();
        server.close();
        emu.close();
      }
    };
  }

  /**
   * The same devices (preset as given, 4 x 4, seed 3) in a virtual ArC ONE on a real pty, driven by the {@code arc1:}
   * driver over jSerialComm (no reset wait or write delay): form and iv through the CurveTracer job.
   */
  static Board arc1(DevicePreset p, Path dir) throws Exception {
    org.rramctl.sim.arc1.VirtualArc1 board = new org.rramctl.sim.arc1.VirtualArc1(p, 4, 4, 3);
    PtyTransport pty = PtyTransport.open(dir.resolve("arc1-" + System.nanoTime()));
    org.rramctl.sim.arc1.VirtualArc1Server server = new org.rramctl.sim.arc1.VirtualArc1Server(board, pty);
    return served(Boards.open("arc1:" + pty.clientPath() + "?words=4&bits=4&resetWait=0&writeDelay=0", null), server);
  }

  /** A board opened on a simulated instrument's link: closing it closes the driver, then the instrument's server. */
  static Board served(EnvelopedDriver d, AutoCloseable server) {
    return new Board() {
      public CrossbarDriver driver() {
        return d;
      }

      public void close() throws Exception {
        d.close();
        server.close();
      }
    };
  }

  static Board smu(VirtualSmu.Model m, DevicePreset p) throws Exception {
    VirtualSmu smu = new VirtualSmu(m, p, 3);
    PtyTransport pty = PtyTransport.open();
    VirtualSmuServer server = new VirtualSmuServer(smu, pty);
    return served(Boards.open("scpi:serial:" + pty.clientPath() + "?compliance=1e-3", null), server);
  }

  /** Events per second of one run, or NaN when the board refuses the procedure. */
  static double run(Opener opener, Case c, Path dir) throws Exception {
    try (Board b = opener.open(DevicePreset.named(c.preset()))) {
      Runner r = new Runner(new RunDirectory(Files.createTempDirectory(dir, "runs")), b.driver(), "bench");
      ObjectNode params = (ObjectNode) Json.MAPPER.readTree(c.params().replace('\'', '"'));
      params.put("cells", b.cells());
      if (c.procedure().equals("iv") || c.procedure().equals("endurance")) {
        // A formed device first, so that the loops and cycles switch (not counted).
        ObjectNode f = (ObjectNode) Json.MAPPER.readTree("{\"cells\":\"" + b.cells() + "\",\"width\":\"1ms\"}");
        if (b.driver().sourceMeasure().isPresent() && c.preset().equals("hfox-pristine")) r.run(Procedures.of("form", f));
      }
      long t0 = System.nanoTime();
      Runner.Outcome o;
      try {
        o = r.run(Procedures.of(c.procedure(), params));
      } catch (IllegalArgumentException refused) {
        if (refused.getMessage().contains("source-measure")) return Double.NaN;
        throw refused;
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (o.status() != RunStatus.SUCCESS) throw new IllegalStateException(c + ": " + o.reason());
      return o.events() / seconds;
    }
  }

  /**
   * The source-measure role alone, without the procedures' journal: SOURCE calls per second (a level below the
   * forming voltage of a pristine device, so that nothing changes) and I-V points per second of the 96-point loop as
   * one sweep (one SWEEP command over the pty, one SWEEP request over ZeroMQ), on a device formed first, and single
 * reads of the same device for comparison (the round trip of the link without the role). Each timed
   * for {@code seconds} after a warm-up of the same length; median of {@code rounds}.
   */
  static void roles(int rounds, double seconds, Path dir) throws Exception {
    String[] titles = {"emulator (in-process)", "serial driver, virtual board on a pty (protocol 2)", "remote driver over ZeroMQ (tcp loopback)",
        "ArC ONE driver, virtual ArC ONE on a pty (CurveTracer)"};
    Opener[] openers = {FirstDayThroughput::emulator, p -> serial(p, dir), FirstDayThroughput::remote, p -> arc1(p, dir)};
    Sweep loop = Sweep.loop(1.2, 1.2, 0.05, 1_000_000, 0, 1e-4);
    double[][] med = new double[3][openers.length];
    for (int b = 0; b < openers.length; b++) {
      double[][] r = new double[3][rounds];
      for (int k = 0; k < rounds; k++) {
        try (Board board = openers[b].open(DevicePreset.named("hfox-pristine"))) {
          SourceMeasure sm = SourceMeasure.of(board.driver());
          Cell pristine = Cell.active(0, 0, 0);
          Cell formed = Cell.active(0, 1, 1);
          sm.source(formed, 3.0, 1_000_000, 1e-4);
          for (int pass = 0; pass < 2; pass++) { // warm-up, then measured
            long n = 0;
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
              sm.source(pristine, 0.5, 100_000, 1e-4);
              n++;
            }
            r[0][k] = n / ((System.nanoTime() - t0) / 1e9);
            long points = 0;
            t0 = System.nanoTime();
            end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) points += sm.sweep(formed, loop).points();
            r[1][k] = points / ((System.nanoTime() - t0) / 1e9);
            n = 0;
            t0 = System.nanoTime();
            end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
              board.driver().read(formed, 0.2);
              n++;
            }
            r[2][k] = n / ((System.nanoTime() - t0) / 1e9);
          }
        }
      }
      for (int q = 0; q < 3; q++) {
        Arrays.sort(r[q]);
        med[q][b] = r[q][rounds / 2];
      }
    }
    System.out.println("| operation | " + String.join(" | ", titles) + " |");
    System.out.println("|---|" + "---:|".repeat(titles.length));
    String[] ops = {"SOURCE (source() calls/s)", "SWEEP, 96-point I-V loop (points/s)", "READ, for comparison (read() calls/s)"};
    for (int q = 0; q < 3; q++) {
      StringBuilder line = new StringBuilder("| " + ops[q] + " |");
      for (double v : med[q]) line.append(String.format(Locale.ROOT, " %,.0f (%.3f) |", v, v / med[q][0]));
      System.out.println(line);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("roles")) {
      roles(args.length > 1 ? Integer.parseInt(args[1]) : 3, args.length > 2 ? Double.parseDouble(args[2]) : 1.0, Files.createTempDirectory("firstday-bench"));
      return;
    }
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path dir = Files.createTempDirectory("firstday-bench");
    List<Case> cases = List.of(
        new Case("form", "hfox-pristine", "{'width':'1ms'}"),
        new Case("iv", "hfox-pristine", "{'cycles':2}"),
        new Case("endurance", "hfox-pristine", "{'cycles':50}"),
        new Case("switch-seek", "rram-imbalanced", "{'width':'1ms','pulsesPerStep':1}"),
        new Case("converge", "rram-imbalanced", "{'targetOhms':20000,'tolerance':0.02,'width':'1ms','pulses':1,'fromVolts':0.52,'toVolts':0.6,'stepVolts':0.01,'maxIterations':200}"));
    List<String> only = args.length > 1 ? List.of(args[1].split(",")) : null;
    List<String> names = List.of("emulator", "serial", "zmq", "k2400", "k2600", "arc1");
    List<String> chosen = args.length > 2 ? List.of(args[2].split(",")) : names;
    String[] titles = {"emulator", "serial driver, virtual board on a pty", "remote driver over ZeroMQ (tcp loopback)", "simulated 2400 on a pty",
        "simulated 2602B on a pty", "ArC ONE driver, virtual ArC ONE on a pty"};
    Opener[] all = {FirstDayThroughput::emulator, p -> serial(p, dir), FirstDayThroughput::remote, p -> smu(VirtualSmu.Model.K2400, p),
        p -> smu(VirtualSmu.Model.K2600, p), p -> arc1(p, dir)};
    List<Integer> columns = new java.util.ArrayList<>();
    for (String b : chosen) {
      if (!names.contains(b)) throw new IllegalArgumentException("board: " + b + " (expected: one of " + names + ")");
      columns.add(names.indexOf(b));
    }
    StringBuilder header = new StringBuilder("| procedure |");
    for (int k : columns) header.append(' ').append(titles[k]).append(" |");
    System.out.println(header);
    System.out.println("|---|" + "---:|".repeat(columns.size()));
    StringBuilder ratios = new StringBuilder();
    for (Case c : cases) {
      if (only != null && !only.contains(c.procedure())) continue;
      StringBuilder line = new StringBuilder("| " + c.procedure() + " |");
      StringBuilder ratio = new StringBuilder("| " + c.procedure() + " |");
      double first = Double.NaN;
      for (int col : columns) {
        double[] r = new double[rounds];
        run(all[col], c, dir); // warm-up (JIT, class loading), not counted
        for (int k = 0; k < rounds; k++) r[k] = run(all[col], c, dir);
        Arrays.sort(r);
        double med = r[rounds / 2];
        if (Double.isNaN(first)) first = med;
        line.append(Double.isNaN(med) ? " refused (no source-measure role) |" : String.format(Locale.ROOT, " %,.0f |", med));
        ratio.append(Double.isNaN(med) ? " - |" : String.format(Locale.ROOT, " %.3f |", med / first));
      }
      System.out.println(line);
      ratios.append(ratio).append('\n');
    }
    System.out.println();
    System.out.println("ratio to the first column:");
    System.out.print(ratios);
  }
}
