package org.rramctl.bench;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.EmulatorSettings;

/**
 * The emulator's hot paths on the first layer of the 784-256-128-10 network (a 785 x 256 tile), each
 * next to a plain-Java floating-point baseline of the same arithmetic on the same sizes:
 * forward read (differential, with read noise and ADC) vs a float matrix-vector product; transpose read
 * vs its float counterpart; the stochastic pulse update (BL = 31, MNIST-like sparsity) vs an exact
 * float rank-1 update {@code W -= lr d x^T}; and calibration's whole-array program (one pulse on every
 * device, alternating UP and DOWN), on one and on two threads. The float baselines keep one array per row,
 * as {@code FloatLayer} does (the layout the JIT vectorises).
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar EmulatorBench -f 3 -wi 3 -i 5 -w 1 -r 1}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EmulatorBench {
  static final int ROWS = 785;
  static final int COLS = 256;

  /** Fraction of inputs that are non-zero (MNIST: about 19 % of pixels). */
  @Param({"0.19"})
  double inputDensity;

  /** The emulator's threads (results are the same for any value; only whole-array operations use two). */
  @Param({"1", "2"})
  int threads;

  EmulatorDriver emu;
  Tile tile;
  double[] rowVolts;
  double[] colVolts;
  StochasticUpdate update;
  StochasticUpdate allUp;
  StochasticUpdate allDown;
  boolean upNext;
  float[][] weights;
  float[] x;
  float[] d;

  @Setup
  public void setUp() {
    emu = EmulatorDriver.open(DevicePreset.named("rram-imbalanced"), List.of(new int[] {ROWS, COLS}), EmulatorSettings.seed(1).withThreads(threads));
    tile = new Tile(0, 0, 0, ROWS, COLS);
    SplittableRandom r = new SplittableRandom(42);
    rowVolts = new double[ROWS];
    x = new float[ROWS];
    for (int j = 0; j < ROWS; j++) {
      if (r.nextDouble() < inputDensity) {
        x[j] = (float) r.nextDouble();
        rowVolts[j] = 0.2 * x[j];
      }
    }
    colVolts = new double[COLS];
    d = new float[COLS];
    for (int i = 0; i < COLS; i++) {
      d[i] = (float) (r.nextGaussian() * 0.05);
      colVolts[i] = 0.2 * Math.max(-1, Math.min(1, d[i] * 10));
    }
    // Bit streams of the RPU update with BL = 31 at lr 0.01, dw_min 0.001: A = B = sqrt(lr / (dw_min BL)) = 0.568.
    int bl = 31;
    double ab = Math.sqrt(0.01 / (0.001 * bl));
    long[] rb = new long[ROWS];
    byte[] rs = new byte[ROWS];
    for (int j = 0; j < ROWS; j++) {
      rb[j] = bits(r, ab * Math.abs(x[j]), bl);
      rs[j] = (byte) (rb[j] == 0 ? 0 : 1);
    }
    long[] cb = new long[COLS];
    byte[] cs = new byte[COLS];
    for (int i = 0; i < COLS; i++) {
      cb[i] = bits(r, Math.min(1, ab * Math.abs(d[i])), bl);
      cs[i] = (byte) (cb[i] == 0 ? 0 : (d[i] > 0 ? -1 : 1));
    }
    Pulse up = Pulse.up(1.0, Duration.ofNanos(100));
    Pulse down = Pulse.down(1.0, Duration.ofNanos(100));
    update = new StochasticUpdate(bl, rb, rs, cb, cs, up, down);
    allUp = StochasticUpdate.uniform(ROWS, COLS, org.rramctl.driver.Polarity.UP, up, down);
    allDown = StochasticUpdate.uniform(ROWS, COLS, org.rramctl.driver.Polarity.DOWN, up, down);
    weights = new float[ROWS][COLS];
    for (float[] row : weights) {
      for (int k = 0; k < COLS; k++) row[k] = (float) (r.nextGaussian() * 0.05);
    }
  }

  private static long bits(SplittableRandom r, double p, int bl) {
    long b = 0;
    for (int k = 0; k < bl; k++) if (r.nextDouble() < p) b |= 1L << k;
    return b;
  }

  @TearDown
  public void tearDown() {
    emu.close();
  }

  @Benchmark
  public double[] forwardReadEmulated() throws Exception {
    return emu.forwardRead(tile, ReadMode.DIFFERENTIAL, rowVolts);
  }

  @Benchmark
  public float[] forwardFloatBaseline() {
    float[] y = new float[COLS];
    for (int j = 0; j < ROWS; j++) {
      float v = x[j];
      if (v == 0) continue;
      float[] row = weights[j];
      for (int i = 0; i < COLS; i++) y[i] += v * row[i];
    }
    return y;
  }

  @Benchmark
  public double[] transposeReadEmulated() throws Exception {
    return emu.transposeRead(tile, ReadMode.DIFFERENTIAL, colVolts);
  }

  @Benchmark
  public float[] transposeFloatBaseline() {
    float[] out = new float[ROWS];
    for (int j = 0; j < ROWS; j++) {
      float[] row = weights[j];
      float s0 = 0;
      float s1 = 0;
      float s2 = 0;
      float s3 = 0;
      for (int i = 0; i < COLS; i += 4) {
        s0 += d[i] * row[i];
        s1 += d[i + 1] * row[i + 1];
        s2 += d[i + 2] * row[i + 2];
        s3 += d[i + 3] * row[i + 3];
      }
      out[j] = (s0 + s1) + (s2 + s3);
    }
    return out;
  }

  @Benchmark
  public long stochasticUpdateEmulated() throws Exception {
    emu.parallelUpdate(tile, Plane.ACTIVE, update);
    return emu.status().pulsesApplied();
  }

  @Benchmark
  public float[][] rankOneUpdateFloatBaseline() {
    float lr = 0.01f;
    for (int j = 0; j < ROWS; j++) {
      float v = x[j];
      if (v == 0) continue;
      float[] row = weights[j];
      for (int i = 0; i < COLS; i++) row[i] -= lr * d[i] * v;
    }
    return weights;
  }

  /** Calibration's building block: every device of the tile gets one pulse, UP and DOWN in turn. */
  @Benchmark
  public long wholeArrayPulseEmulated() throws Exception {
    emu.parallelUpdate(tile, Plane.ACTIVE, upNext ? allUp : allDown);
    upNext = !upNext;
    return emu.status().pulsesApplied();
  }
}
