package org.rramctl.sim;

/**
 * A small, fast, seedable generator (xoshiro256**, Blackman and Vigna 2018) whose whole state can be
 * saved and restored, so emulator runs are reproducible and resumable. Gaussian draws for the per-pulse
 * cycle-to-cycle noise come from a fixed table of 4,096 standard-normal quantiles (at the bin midpoints,
 * so the tails end at about 3.7 sigma), rescaled so that the table's variance is exactly 1, indexed by
 * 12 random bits: five draws per 64-bit step. The pulse loop's cost is dominated by this draw: a table
 * lookup is several times cheaper than a Box-Muller or ziggurat sample, and a 32 KB table stays in the
 * first-level cache, where the 512 KB table of 65,536 quantiles used before did not (measured: training
 * 8-15 % faster, bench/EMULATOR-SPEED.md). Not thread-safe.
 *
 * <p>The state is padded by 64 bytes on both sides (the superclass's fields come first in the object, the
 * trailing fields last): generators of different threads, allocated next to each other, would otherwise share a
 * cache line that both write on every draw (measured: a two-thread update ran slower than one thread).
 */
public final class FastRandom extends FastRandomLeadingPad {
  private static final int TABLE_BITS = 12;
  private static final int DRAWS_PER_LONG = 64 / TABLE_BITS;
  private static final double[] NORMAL = buildTable();

  private long s0;
  private long s1;
  private long s2;
  private long s3;
  private long pool;
  private int poolLeft;
  long tp0;
  long tp1;
  long tp2;
  long tp3;
  long tp4;
  long tp5;
  long tp6;
  long tp7;

  public FastRandom(long seed) {
    // SplitMix64 expands the seed into a non-zero state, as the xoshiro authors recommend.
    long x = seed;
    s0 = splitMix(x += 0x9E3779B97F4A7C15L);
    s1 = splitMix(x += 0x9E3779B97F4A7C15L);
    s2 = splitMix(x += 0x9E3779B97F4A7C15L);
    s3 = splitMix(x + 0x9E3779B97F4A7C15L);
  }

  private static long splitMix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public long nextLong() {
    long result = Long.rotateLeft(s1 * 5, 7) * 9;
    long t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = Long.rotateLeft(s3, 45);
    return result;
  }

  /** Uniform in [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Exact standard normal (Box-Muller); for device-to-device draws, where quality matters more than speed. */
  public double nextGaussianExact() {
    double u1;
    do {
      u1 = nextDouble();
    } while (u1 == 0);
    double u2 = nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Standard normal from the quantile table (per-pulse noise): mean 0, variance 1, |value| below 3.7. */
  public double nextGaussian() {
    if (poolLeft == 0) {
      pool = nextLong();
      poolLeft = DRAWS_PER_LONG;
    }
    int idx = (int) (pool & ((1 << TABLE_BITS) - 1));
    pool >>>= TABLE_BITS;
    poolLeft--;
    return NORMAL[idx];
  }

  /** The full state, for checkpoints. */
  public long[] state() {
    return new long[] {s0, s1, s2, s3, pool, poolLeft};
  }

  public void restore(long[] st) {
    if (st == null || st.length != 6) throw new IllegalArgumentException("random state: " + (st == null ? "null" : st.length + " values") + " (expected: 6)");
    if (st[5] < 0 || st[5] > DRAWS_PER_LONG) throw new IllegalArgumentException("random state: " + st[5] + " pooled draws (expected: 0.." + DRAWS_PER_LONG + ")");
    s0 = st[0];
    s1 = st[1];
    s2 = st[2];
    s3 = st[3];
    pool = st[4];
    poolLeft = (int) st[5];
  }

  private static double[] buildTable() {
    int n = 1 << TABLE_BITS;
    double[] t = new double[n];
    double sumSquares = 0;
    for (int i = 0; i < n; i++) {
      t[i] = inverseNormal((i + 0.5) / n);
      sumSquares += t[i] * t[i];
    }
    double scale = 1 / Math.sqrt(sumSquares / n); // the quantiles are symmetric: the mean is 0
    for (int i = 0; i < n; i++) t[i] *= scale;
    return t;
  }

  /** Acklam's rational approximation of the standard normal quantile, refined by one Halley step. */
  static double inverseNormal(double p) {
    final double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    final double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01};
    final double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    final double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
    double x;
    if (p < 0.02425) {
      double q = Math.sqrt(-2 * Math.log(p));
      x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p > 1 - 0.02425) {
      double q = Math.sqrt(-2 * Math.log(1 - p));
      x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else {
      double q = p - 0.5;
      double r = q * q;
      x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    double e = 0.5 * erfc(-x / Math.sqrt(2)) - p;
    double u = e * Math.sqrt(2 * Math.PI) * Math.exp(x * x / 2);
    return x - u / (1 + x * u / 2);
  }

  /** Complementary error function (Numerical Recipes' erfcc, fractional error below 1.2e-7). */
  static double erfc(double x) {
    double z = Math.abs(x);
    double t = 1 / (1 + 0.5 * z);
    double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
        + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
  }
}

/** Fields laid out before {@link FastRandom}'s state (a superclass's fields come first). */
abstract class FastRandomLeadingPad {
  long lp0;
  long lp1;
  long lp2;
  long lp3;
  long lp4;
  long lp5;
  long lp6;
  long lp7;
}
