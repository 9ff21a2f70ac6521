package org.rramctl.train;

/**
 * A seeded pseudo-random generator whose whole state can be saved and restored, so a training run resumed
 * from a checkpoint draws exactly what the uninterrupted run would have drawn. Algorithm: xoshiro256**
 * (Blackman and Vigna 2018), seeded through SplitMix64. Not thread-safe; give each thread its own.
 */
public final class Rng {
  private long s0;
  private long s1;
  private long s2;
  private long s3;

  private Rng(long s0, long s1, long s2, long s3) {
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /** A generator seeded from one 64-bit seed. */
  public static Rng seeded(long seed) {
    long x = seed;
    long[] s = new long[4];
    for (int k = 0; k < 4; k++) {
      x += 0x9E3779B97F4A7C15L;
      long z = x;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      s[k] = z ^ (z >>> 31);
    }
    return new Rng(s[0], s[1], s[2], s[3]);
  }

  /** A generator continuing from a state returned by {@link #state()}. */
  public static Rng restored(long[] state) {
    if (state == null || state.length != 4 || (state[0] | state[1] | state[2] | state[3]) == 0) {
      throw new IllegalArgumentException("rng state: " + java.util.Arrays.toString(state) + " (expected: 4 longs, not all zero)");
    }
    return new Rng(state[0], state[1], state[2], state[3]);
  }

  /** Continues from a state returned by {@link #state()} (for resuming a checkpoint). */
  public void setState(long[] state) {
    Rng r = restored(state);
    s0 = r.s0;
    s1 = r.s1;
    s2 = r.s2;
    s3 = r.s3;
  }

  /** A new independent generator seeded from this one's next draw (for per-layer streams). */
  public Rng split() {
    return seeded(nextLong());
  }

  /** The full state, 4 longs. */
  public long[] state() {
    return new long[] {s0, s1, s2, s3};
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

  /** Uniform in [0, 1), 53 bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound), bound >= 1 (Lemire's multiply-shift, rejection for exactness). */
  public int nextInt(int bound) {
    if (bound < 1) throw new IllegalArgumentException("bound: " + bound + " (expected: >= 1)");
    long m = (nextLong() >>> 32) * bound;
    long low = m & 0xFFFFFFFFL;
    if (low < bound) {
      long threshold = (0x1_0000_0000L - bound) % bound;
      while (low < threshold) {
        m = (nextLong() >>> 32) * bound;
        low = m & 0xFFFFFFFFL;
      }
    }
    return (int) (m >>> 32);
  }

  /** Shuffles {@code a} in place (Fisher-Yates). */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
