package org.rramctl.bench;

import java.io.IOException;
import java.util.Locale;
import org.rramctl.data.Digits;
import org.rramctl.data.MnistDataset;
import org.rramctl.driver.Boards;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.train.AnalogLayer;
import org.rramctl.train.AnalogSettings;
import org.rramctl.train.Network;
import org.rramctl.train.Rng;
import org.rramctl.train.TikiTakaLayer;
import org.rramctl.train.TikiTakaSettings;

/**
 * Training throughput of one network, floating point and (with a board URI) analog, in the same JVM:
 * SGD steps on the vendored training digits in a fixed seeded order, timed after a warm-up.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar org.rramctl.bench.TrainThroughput [LAYERS [SIDE [BOARD [SAMPLES [TT_BOARD]]]]]
 *   defaults: 784-256-128-10 28 sim: 16000, TT_BOARD: BOARD with geometry= one array per A and C block
 * </pre>
 * Prints one line per mode (floating point; analog SGD; Tiki-Taka with its default settings, on a board with
 * twice the arrays): samples per second, median of 5 timed rounds of SAMPLES/5 steps each, by wall time and by
 * the thread's CPU time (the second is steadier on a shared machine), and the ratios of the three.
 */
public final class TrainThroughput {
  private TrainThroughput() {}

  public static void main(String[] args) throws IOException {
    int[] sizes = Network.parseSizes(args.length > 0 ? args[0] : "784-256-128-10");
    int side = args.length > 1 ? Integer.parseInt(args[1]) : 28;
    String board = args.length > 2 ? args[2] : "sim:";
    int samples = args.length > 3 ? Integer.parseInt(args[3]) : 16_000;
    Digits train = MnistDataset.vendored().withSide(side).train();
    double[][] inputs = new double[train.count()][train.inputSize()];
    for (int i = 0; i < train.count(); i++) train.input(i, inputs[i]);

    String ttBoard = args.length > 4 ? args[4] : withGeometry(board, TikiTakaLayer.geometry(sizes));
    Network floating = Network.floating(sizes, 1.0, Rng.seeded(1));
    double[] f = measure(floating, train, inputs, samples);
    report("float    ", Network.format(sizes), f);
    if (!board.equals("none")) {
      double[] a;
      try (EnvelopedDriver driver = Boards.open(board, null)) {
        Rng root = Rng.seeded(1);
        Network analog = Network.of(sizes, AnalogLayer.factory(driver, sizes, AnalogSettings.defaults(), root.split(), root.split()));
        a = measure(analog, train, inputs, samples);
        report("analog   ", Network.format(sizes) + " on " + board, a);
      }
      double[] t;
      try (EnvelopedDriver driver = Boards.open(ttBoard, null)) {
        Rng root = Rng.seeded(1);
        Network tt = Network.of(sizes, TikiTakaLayer.factory(driver, sizes, AnalogSettings.defaults(), TikiTakaSettings.defaults(), root.split(), root.split(), true));
        t = measure(tt, train, inputs, samples);
        report("tiki-taka", Network.format(sizes) + " on " + ttBoard + ", " + TikiTakaSettings.defaults().describe(), t);
      }
      System.out.printf(Locale.ROOT, "ratios (thread CPU): float / analog %.2f, analog / tiki-taka %.2f, float / tiki-taka %.2f%n", f[1] / a[1], a[1] / t[1], f[1] / t[1]);
    }
  }

  /** A sim: board URI with its geometry set to {@code geometry}; another board unchanged. */
  static String withGeometry(String board, String geometry) {
    if (!board.startsWith("sim:")) return board;
    String b = board.replaceAll("([?&])geometry=[^&]*&?", "$1").replaceAll("[?&]$", "");
    return b + (b.contains("?") ? "&" : "?") + "geometry=" + geometry;
  }

  private static void report(String mode, String what, double[] rates) {
    System.out.printf(Locale.ROOT, "%s %s: %.0f samples/s wall, %.0f samples/s of thread CPU time%n", mode, what, rates[0], rates[1]);
  }

  /** Median samples/s over 5 rounds after one warm-up round: {wall, thread CPU}. */
  private static double[] measure(Network net, Digits train, double[][] inputs, int samples) throws IOException {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    int round = Math.max(1, samples / 5);
    int next = 0;
    double[] wall = new double[5];
    double[] cpu = new double[5];
    for (int r = -1; r < 5; r++) {
      long t0 = System.nanoTime();
      long c0 = mx.getCurrentThreadCpuTime();
      for (int k = 0; k < round; k++) {
        int i = next++ % train.count();
        net.trainStep(inputs[i], train.label(i), 0.01);
      }
      double s = (System.nanoTime() - t0) / 1e9;
      double c = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
      if (r >= 0) {
        wall[r] = round / s;
        cpu[r] = round / c;
      }
    }
    java.util.Arrays.sort(wall);
    java.util.Arrays.sort(cpu);
    return new double[] {wall[2], cpu[2]};
  }
}
