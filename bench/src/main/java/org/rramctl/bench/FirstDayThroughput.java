package org.rramctl.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.rramctl.driver.Boards;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.SafetyEnvelope;
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
 * and a virtual board on a real pty, and on the simulated 2400 and 2602B over a pty. Median of {@code rounds} runs,
 * each on a fresh board. form and iv need the source-measure role, which the serial protocol does not carry yet.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.rramctl.bench.FirstDayThroughput [rounds]}.
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

  static Board smu(VirtualSmu.Model m, DevicePreset p) throws Exception {
    VirtualSmu smu = new VirtualSmu(m, p, 3);
    PtyTransport pty = PtyTransport.open();
    VirtualSmuServer server = new VirtualSmuServer(smu, pty);
    EnvelopedDriver d = Boards.open("scpi:serial:" + pty.clientPath() + "?compliance=1e-3", null);
    return new Board() {
      public CrossbarDriver driver() {
        return d;
      }

      public void close() {
        d.close();
        server.close();
      }
    };
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

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path dir = Files.createTempDirectory("firstday-bench");
    List<Case> cases = List.of(
        new Case("form", "hfox-pristine", "{'width':'1ms'}"),
        new Case("iv", "hfox-pristine", "{'cycles':2}"),
        new Case("endurance", "hfox-pristine", "{'cycles':50}"),
        new Case("switch-seek", "rram-imbalanced", "{'width':'1ms','pulsesPerStep':1}"),
        new Case("converge", "rram-imbalanced", "{'targetOhms':20000,'tolerance':0.02,'width':'1ms','pulses':1,'fromVolts':0.52,'toVolts':0.6,'stepVolts':0.01,'maxIterations':200}"));
    String[] boards = {"emulator", "serial driver, virtual board on a pty", "simulated 2400 on a pty", "simulated 2602B on a pty"};
    Opener[] openers = {FirstDayThroughput::emulator, p -> serial(p, dir), p -> smu(VirtualSmu.Model.K2400, p), p -> smu(VirtualSmu.Model.K2600, p)};
    System.out.println("| procedure | " + String.join(" | ", boards) + " |");
    System.out.println("|---|" + "---:|".repeat(boards.length));
    for (Case c : cases) {
      StringBuilder line = new StringBuilder("| " + c.procedure() + " |");
      for (Opener o : openers) {
        double[] r = new double[rounds];
        for (int k = 0; k < rounds; k++) r[k] = run(o, c, dir);
        Arrays.sort(r);
        double med = r[rounds / 2];
        line.append(Double.isNaN(med) ? " refused (no source-measure role) |" : String.format(Locale.ROOT, " %,.0f |", med));
      }
      System.out.println(line);
    }
  }
}
