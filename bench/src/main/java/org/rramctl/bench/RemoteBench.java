package org.rramctl.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.driver.remote.ClientOptions;
import org.rramctl.driver.remote.DriverServer;
import org.rramctl.driver.remote.LoopbackEcho;
import org.rramctl.driver.remote.RemoteDriver;
import org.rramctl.driver.remote.ServerOptions;
import org.rramctl.driver.remote.WireCodec;
import org.rramctl.driver.remote.Request;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/**
 * Round trips of a remote single-device read (RemoteDriver -> tcp loopback -> DriverServer -> emulator)
 * next to a bare JeroMQ DEALER/ROUTER echo of a frame of the same size, in the same JVM and run, rounds
 * interleaved so both see the same machine load; then one training step of the first MNIST layer
 * (785 x 256 tile: forward read, transpose read, BL = 31 update) through the remote driver against the
 * emulator in process. A harness rather than JMH: the quantity is a latency distribution.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.rramctl.bench.RemoteBench [roundTrips] [rounds] [steps]}.
 */
public final class RemoteBench {
  private RemoteBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    Cell cell = Cell.active(0, 3, 5);
    byte[] frame = WireCodec.encode(1, new Request.Read(cell, 0.2));
    EmulatorDriver emu = EmulatorDriver.open(DevicePreset.named("aihwkit-like"), List.of(new int[] {785, 256}), 7);
    try (LoopbackEcho echo = LoopbackEcho.start();
         DriverServer server = DriverServer.start(emu, ServerOptions.of("tcp://127.0.0.1:*"));
         RemoteDriver remote = RemoteDriver.open(server.endpoint(), ClientOptions.defaults().withLabel("bench"))) {
      System.out.printf(Locale.ROOT, "# %d round trips per round, %d rounds, frame %d bytes, %d cores, load average %.2f%n", n, rounds, frame.length,
          Runtime.getRuntime().availableProcessors(), java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      // Warm-up: JIT both paths.
      for (int i = 0; i < 3_000; i++) {
        echo.roundTrip(frame);
        remote.read(cell, 0.2);
      }
      long[] echoNs = new long[n * rounds];
      long[] remoteNs = new long[n * rounds];
      long[] inProcNs = new long[n * rounds];
      long echoTotal = 0;
      long remoteTotal = 0;
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          long a = System.nanoTime();
          echo.roundTrip(frame);
          echoNs[r * n + i] = System.nanoTime() - a;
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          long a = System.nanoTime();
          remote.read(cell, 0.2);
          remoteNs[r * n + i] = System.nanoTime() - a;
        }
        long t2 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          long a = System.nanoTime();
          emu.read(cell, 0.2);
          inProcNs[r * n + i] = System.nanoTime() - a;
        }
        echoTotal += t1 - t0;
        remoteTotal += t2 - t1;
      }
      System.out.println("| path | round trips/s | p50 us | p90 us | p99 us | max us |");
      System.out.println("|---|---:|---:|---:|---:|---:|");
      row("raw JeroMQ DEALER/ROUTER echo, tcp loopback", echoNs, echoTotal);
      row("RemoteDriver.read -> DriverServer -> emulator", remoteNs, remoteTotal);
      row("EmulatorDriver.read in process (reference)", inProcNs, -1);

      double inProc = trainingStep(emu, steps);
      double viaRemote = trainingStep(remote, steps);
      System.out.printf(Locale.ROOT, "%n| training step, 785 x 256 tile (forward + transpose read + BL 31 update) | ms per step |%n|---|---:|%n");
      System.out.printf(Locale.ROOT, "| emulator in process | %.2f |%n| through RemoteDriver over tcp loopback | %.2f |%n", inProc, viaRemote);
      System.out.printf(Locale.ROOT, "| slowdown | %.2fx |%n", viaRemote / inProc);
    } finally {
      emu.close();
    }
  }

  private static void row(String what, long[] ns, long totalNs) {
    long[] s = ns.clone();
    Arrays.sort(s);
    String rate = totalNs < 0 ? "-" : String.format(Locale.ROOT, "%.0f", s.length / (totalNs / 1e9));
    System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %.0f |%n", what, rate, pct(s, 0.50), pct(s, 0.90), pct(s, 0.99), s[s.length - 1] / 1e3);
  }

  private static double pct(long[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))] / 1e3;
  }

  /** Mean milliseconds of one training step of the 785 x 256 layer, after as many warm-up steps. */
  private static double trainingStep(CrossbarDriver d, int steps) throws IOException {
    Tile tile = new Tile(0, 0, 0, 785, 256);
    SplittableRandom rnd = new SplittableRandom(11);
    double[] x = new double[785];
    for (int i = 0; i < x.length; i++) x[i] = rnd.nextDouble() < 0.19 ? 0.2 * rnd.nextDouble() : 0;
    double[] delta = new double[256];
    for (int i = 0; i < delta.length; i++) delta[i] = 0.2 * (rnd.nextDouble() - 0.5);
    long[] rowBits = new long[785];
    byte[] rowSigns = new byte[785];
    long[] colBits = new long[256];
    byte[] colSigns = new byte[256];
    long mask = (1L << 31) - 1;
    for (int i = 0; i < 785; i++) {
      rowBits[i] = x[i] == 0 ? 0 : rnd.nextLong() & mask & rnd.nextLong();
      rowSigns[i] = (byte) (rowBits[i] == 0 ? 0 : 1);
    }
    for (int i = 0; i < 256; i++) {
      colBits[i] = rnd.nextLong() & mask & rnd.nextLong() & rnd.nextLong();
      colSigns[i] = (byte) (colBits[i] == 0 ? 0 : delta[i] > 0 ? 1 : -1);
    }
    Pulse up = Pulse.up(1.0, Duration.ofNanos(100));
    StochasticUpdate u = new StochasticUpdate(31, rowBits, rowSigns, colBits, colSigns, up, up.withPolarity(org.rramctl.driver.Polarity.DOWN));
    long start = 0;
    for (int s = 0; s < 2 * steps; s++) {
      if (s == steps) start = System.nanoTime();
      d.forwardRead(tile, ReadMode.DIFFERENTIAL, x);
      d.transposeRead(tile, ReadMode.DIFFERENTIAL, Arrays.copyOf(delta, 256));
      d.parallelUpdate(tile, Plane.ACTIVE, u);
    }
    return (System.nanoTime() - start) / 1e6 / steps;
  }
}
