package org.rramctl.train;

/**
 * The bit streams of the RPU stochastic update (Gokmen and Vlasov 2016; aihwkit's pulsed update; DESIGN.md
 * section 4), host side. For an SGD step {@code W <- W - lr * x d^T} with nominal pulse step {@code dwMin}:
 *
 * <pre>
 *   BL'  = min(BL, ceil(lr * x_max * d_max / dwMin))          (update-BL management, else BL' = BL)
 *   A = B = sqrt(lr / (dwMin * BL'))
 *   B *= sqrt(d_max / x_max),  A *= sqrt(x_max / d_max)        (update management)
 *   p_x[j] = min(1, B |x_j|),  p_d[i] = min(1, A |d_i|)
 * </pre>
 *
 * Each of the BL' slots fires row j with probability p_x[j] and column i with p_d[i], independently; device
 * (j, i) gets {@code bitCount(xBits[j] & dBits[i])} pulses with expectation
 * {@code BL' p_x p_d = lr |x_j d_i| / dwMin}, i.e. an expected weight change of {@code lr |x_j d_i|} (while no
 * probability is clipped). Signs: row j carries sign(x_j), column i carries -sign(d_i); a coincidence is UP
 * when their product is positive, so the weight moves along {@code -lr x_j d_i}.
 *
 * <p>Probabilities are quantised to 1/65536 and each bit costs a 16-bit slice of one 64-bit draw
 * (branch-free compare): four bits per {@link Rng#nextLong()}.
 */
public final class StochasticPulses {
  private StochasticPulses() {}

  /** Slots actually used for one update (update-BL management); 0 when nothing is to be written. */
  public static int bitLength(double lr, double xMax, double dMax, double dwMin, int maxBitLength, boolean blManagement) {
    if (!(lr > 0) || !(xMax > 0) || !(dMax > 0)) return 0;
    if (!blManagement) return maxBitLength;
    double want = Math.ceil(lr * xMax * dMax / dwMin);
    return want >= maxBitLength ? maxBitLength : Math.max(1, (int) want);
  }

  /** Largest |v[k]|. */
  public static double absMax(double[] v, int n) {
    double m = 0;
    for (int k = 0; k < n; k++) {
      double a = Math.abs(v[k]);
      if (a > m) m = a;
    }
    return m;
  }

  /**
   * Fills the bits and signs of one side of a program.
   *
   * @param v values (x or d), n of them
   * @param scale B for x, A for d (after management); p = min(1, scale |v|)
   * @param negate true for the column side (signs of -d)
   * @param bl slots, 1..63
   * @param bits receives one stream per value (bits 0..bl-1)
   * @param signs receives +1/-1 where the stream is not empty, 0 where it is
   * @return how many streams are non-empty
   */
  public static int draw(double[] v, int n, double scale, boolean negate, int bl, Rng rng, long[] bits, byte[] signs) {
    int active = 0;
    for (int k = 0; k < n; k++) {
      double val = v[k];
      long b = 0;
      if (val != 0) b = bernoulliBits(rng, Math.abs(val) * scale, bl);
      bits[k] = b;
      if (b == 0) {
        signs[k] = 0;
      } else {
        signs[k] = (byte) ((val > 0) != negate ? 1 : -1);
        active++;
      }
    }
    return active;
  }

  /** {@code bl} independent Bernoulli(p) bits (p clipped to [0, 1], quantised to 1/65536) in bits 0..bl-1. */
  public static long bernoulliBits(Rng rng, double p, int bl) {
    long mask = (1L << bl) - 1;
    if (p >= 1) return mask;
    int t = (int) (p * 65536.0 + 0.5);
    if (t <= 0) return 0;
    long out = 0;
    for (int k = 0; k < bl; k += 4) {
      long r = rng.nextLong();
      // bit is 1 when the 16-bit slice is below t: (slice - t) is negative, its sign bit is set
      out |= (((r & 0xFFFF) - t) >>> 63) << k;
      out |= ((((r >>> 16) & 0xFFFF) - t) >>> 63) << (k + 1);
      out |= ((((r >>> 32) & 0xFFFF) - t) >>> 63) << (k + 2);
      out |= ((((r >>> 48) & 0xFFFF) - t) >>> 63) << (k + 3);
    }
    return out & mask;
  }
}
