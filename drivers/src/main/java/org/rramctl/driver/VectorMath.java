package org.rramctl.driver;

/** Vector arithmetic shared by the emulator's reads and the floating-point baseline they are measured against. */
public final class VectorMath {
  private VectorMath() {}

  /**
   * {@code sum_c v[c] * g[off + c]} over n columns in eight partial sums (one sum's additions form a chain that
   * waits on the add's latency; eight chains overlap), with an offset-free loop for the usual tile at column 0,
   * which the JIT compiles better. The emulator's transpose reads and the floating-point baseline's backward pass
   * both use it, so the two do the same arithmetic in the same order.
   */
  public static double dot(double[] v, double[] g, int off, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    double s4 = 0;
    double s5 = 0;
    double s6 = 0;
    double s7 = 0;
    int c = 0;
    if (off == 0) {
      for (; c + 7 < n; c += 8) {
        s0 += v[c] * g[c];
        s1 += v[c + 1] * g[c + 1];
        s2 += v[c + 2] * g[c + 2];
        s3 += v[c + 3] * g[c + 3];
        s4 += v[c + 4] * g[c + 4];
        s5 += v[c + 5] * g[c + 5];
        s6 += v[c + 6] * g[c + 6];
        s7 += v[c + 7] * g[c + 7];
      }
      for (; c < n; c++) s0 += v[c] * g[c];
    } else {
      for (; c + 7 < n; c += 8) {
        s0 += v[c] * g[off + c];
        s1 += v[c + 1] * g[off + c + 1];
        s2 += v[c + 2] * g[off + c + 2];
        s3 += v[c + 3] * g[off + c + 3];
        s4 += v[c + 4] * g[off + c + 4];
        s5 += v[c + 5] * g[off + c + 5];
        s6 += v[c + 6] * g[off + c + 6];
        s7 += v[c + 7] * g[off + c + 7];
      }
      for (; c < n; c++) s0 += v[c] * g[off + c];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }
}
