package org.rramctl.bench;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Two facts about the machine that decided the emulator's memory layout (bench/EMULATOR-SPEED.md):
 * <ol>
 *   <li>the latency of a dependent cache miss against the size of the data it falls in (a random cyclic chase,
 *       one hop per 64-byte line), which shows how much data stays in the caches;
 *   <li>a forward product {@code y += v_j * W[j][.]} over the rows of a 785 x 256 matrix with 19 % of the
 *       inputs non-zero, once with W one flat array (rows at an offset) and once with one array per row.
 * </ol>
 * <pre>
 *   java -cp bench/target/benchmarks.jar org.rramctl.bench.MachineProbe
 * </pre>
 */
public final class MachineProbe {
  private static volatile double sink;

  private MachineProbe() {}

  public static void main(String[] args) {
    System.out.println("dependent miss latency by data size:");
    for (int pass = 0; pass < 2; pass++) {
      for (int kb : new int[] {256, 1024, 2048, 4096, 8192, 12288, 16384, 32768, 131072}) {
        double ns = chase(kb);
        if (pass == 1) System.out.printf(Locale.ROOT, "  %7d KB: %6.1f ns%n", kb, ns);
      }
    }
    int rows = 785;
    int cols = 256;
    double[] flat = new double[rows * cols];
    double[][] byRow = new double[rows][cols];
    for (int k = 0; k < flat.length; k++) {
      flat[k] = k * 1e-7;
      byRow[k / cols][k % cols] = k * 1e-7;
    }
    double[] v = new double[rows];
    SplittableRandom r = new SplittableRandom(1);
    for (int j = 0; j < rows; j++) v[j] = r.nextDouble() < 0.19 ? 0.1 : 0;
    double[] y = new double[cols];
    System.out.println("forward product, 785 x 256, 19 % of inputs non-zero (us per product):");
    for (int rep = 0; rep < 4; rep++) {
      int n = 20_000;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) forwardFlat(flat, v, y, rows, cols);
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) forwardRows(byRow, v, y, rows, cols);
      long t2 = System.nanoTime();
      sink = y[3];
      if (rep > 0) System.out.printf(Locale.ROOT, "  flat array at offsets %5.1f, one array per row %5.1f%n", (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n);
    }
  }

  private static double chase(int kb) {
    int lines = kb * 1024 / 64;
    int[] perm = new int[lines];
    for (int i = 0; i < lines; i++) perm[i] = i;
    SplittableRandom r = new SplittableRandom(1);
    for (int i = lines - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    long[] next = new long[lines * 8];
    for (int i = 0; i < lines; i++) next[perm[i] * 8] = perm[(i + 1) % lines] * 8L;
    int p = 0;
    int steps = 5_000_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < steps; i++) p = (int) next[p];
    long t1 = System.nanoTime();
    sink = p;
    return (t1 - t0) / (double) steps;
  }

  private static void forwardFlat(double[] w, double[] v, double[] y, int rows, int cols) {
    for (int j = 0; j < rows; j++) {
      double vj = v[j];
      if (vj == 0) continue;
      int off = j * cols;
      for (int c = 0; c < cols; c++) y[c] += vj * w[off + c];
    }
  }

  private static void forwardRows(double[][] w, double[] v, double[] y, int rows, int cols) {
    for (int j = 0; j < rows; j++) {
      double vj = v[j];
      if (vj == 0) continue;
      double[] row = w[j];
      for (int c = 0; c < cols; c++) y[c] += vj * row[c];
    }
  }
}
