package org.rramctl.sim;

/**
 * The devices of one plane (active or reference) of one emulated array: per-device soft-bound parameters
 * drawn once from a preset, and the state.
 *
 * <p>Model (DESIGN.md section 2, aihwkit's SoftBoundsDevice):
 * <pre>
 *   up:   w += a_up   * (1 - w / b_max) * (1 + s_c2c * xi)
 *   down: w -= a_down * (1 - w / b_min) * (1 + s_c2c * xi)      then clip to [b_min, b_max]
 *   b_max = w_max (1 + w_max_dtod xi),  b_min = w_min (1 + w_min_dtod xi)
 *   gain = 1 + dw_min_dtod xi,  r = up_down_dtod xi
 *   a_up = dw_min |gain + r + up_bias|,  a_down = dw_min |gain - r + down_bias|
 *   up_down > 0: down_bias = -up_down;  up_down < 0: up_bias = up_down
 * </pre>
 * Step sizes that variation draws negative are taken as absolute values (aihwkit does the same); a
 * drawn bound that crosses zero is folded back to a tenth of its nominal value so that b_min < 0 < b_max
 * always holds. Conductance is the linear map {@code G = G_min + (w - b_min) / (b_max - b_min) * (G_max - G_min)}.
 *
 * <p>Layout: one record of {@value #REC} doubles (24 bytes) per device, row-major: the state (a double) and,
 * packed two floats to a double, each polarity's step and bound ({@code a_up, b_max} and {@code a_down, b_min}).
 * The stochastic update visits scattered devices, so its cost is the memory it touches: one record per device,
 * mostly one cache line, and a whole 785 x 256 array's records (4.8 MB) fit in the last-level cache of the
 * machines measured, where separate arrays per parameter (11 MB) did not (BENCHMARKS.md). The drawn parameters
 * are stored as floats (7 significant digits, far finer than their 30 % device-to-device spread); the state
 * stays a double. The array's {@code G_active - G_reference} is kept apart, one dense array per row (vector
 * reads stream it; a row of its own, starting at index 0 like the vectors it meets, is what lets the JIT
 * vectorise those loops: measured 2.5x faster than offsets into one flat array), current on every change.
 */
final class DevicePlane {
  /** Record layout: the state, then (a_up, b_max) and (a_down, b_min) as float pairs. */
  static final int W = 0;
  static final int UP = 1;
  static final int DOWN = 2;
  static final int REC = 3;

  final int rows;
  final int cols;
  /** {@link #REC} doubles per device, device k at {@code k * REC}. */
  final double[] rec;
  private final double gMin;
  private final double gRange;
  private final double c2c;
  /** G_active - G_reference of each device of this array by row, kept current on every change (shared by both planes). */
  private double[][] diff;
  private double diffSign;

  DevicePlane(DevicePreset p, int rows, int cols, FastRandom rng) {
    this.rows = rows;
    this.cols = cols;
    int n = rows * cols;
    rec = new double[n * REC];
    gMin = p.gMinSiemens();
    gRange = p.gMaxSiemens() - p.gMinSiemens();
    c2c = p.dwMinStd();
    double upBias = p.upDown() < 0 ? p.upDown() : 0;
    double downBias = p.upDown() > 0 ? -p.upDown() : 0;
    for (int k = 0; k < n; k++) {
      int o = k * REC;
      double hi = p.wMax() * (1 + p.wMaxDtod() * rng.nextGaussianExact());
      double lo = p.wMin() * (1 + p.wMinDtod() * rng.nextGaussianExact());
      float bMax = (float) (hi > 0 ? hi : 0.1 * p.wMax());
      float bMin = (float) (lo < 0 ? lo : 0.1 * p.wMin());
      double gain = 1 + p.dwMinDtod() * rng.nextGaussianExact();
      double r = p.upDownDtod() * rng.nextGaussianExact();
      rec[o + UP] = pack((float) (p.dwMin() * Math.abs(gain + r + upBias)), bMax);
      rec[o + DOWN] = pack((float) (p.dwMin() * Math.abs(gain - r + downBias)), bMin);
      double w0 = p.w0Std() == 0 ? 0 : p.w0Std() * rng.nextGaussianExact();
      rec[o + W] = Math.max(bMin, Math.min(bMax, w0));
    }
  }

  /** Two floats in one double's bits: {@code step} in the high half, {@code bound} in the low half. */
  private static double pack(float step, float bound) {
    return Double.longBitsToDouble(((long) Float.floatToRawIntBits(step) << 32) | (Float.floatToRawIntBits(bound) & 0xFFFFFFFFL));
  }

  private static float step(double packed) {
    return Float.intBitsToFloat((int) (Double.doubleToRawLongBits(packed) >>> 32));
  }

  private static float bound(double packed) {
    return Float.intBitsToFloat((int) Double.doubleToRawLongBits(packed));
  }

  /**
   * Links an active plane and its reference plane to one shared array of {@code G_active - G_reference},
   * updated on every change, so that differential vector reads stream one array instead of two.
   */
  static double[][] linkDifferential(DevicePlane active, DevicePlane reference) {
    double[][] d = new double[active.rows][active.cols];
    active.diff = d;
    active.diffSign = 1;
    reference.diff = d;
    reference.diffSign = -1;
    recomputeDifferential(active, reference, d);
    return d;
  }

  /** Sets every entry of {@code d} to {@code G_active - G_reference} from the two planes' states. */
  static void recomputeDifferential(DevicePlane active, DevicePlane reference, double[][] d) {
    int cols = active.cols;
    for (int r = 0; r < d.length; r++) {
      for (int c = 0; c < cols; c++) d[r][c] = active.g(r * cols + c) - reference.g(r * cols + c);
    }
  }

  double w(int k) {
    return rec[k * REC + W];
  }

  double aUp(int k) {
    return step(rec[k * REC + UP]);
  }

  double aDown(int k) {
    return step(rec[k * REC + DOWN]);
  }

  double bMax(int k) {
    return bound(rec[k * REC + UP]);
  }

  double bMin(int k) {
    return bound(rec[k * REC + DOWN]);
  }

  double gPerW(int k) {
    return gRange / (bMax(k) - bMin(k));
  }

  /** Noise-free conductance of device k, siemens. */
  double g(int k) {
    return gMin + (w(k) - bMin(k)) * gPerW(k);
  }

  /**
   * Applies |n| pulses to the device at (row, col), UP for n > 0 and DOWN for n < 0, each step scaled by
   * {@code strength} (1 for the nominal pulse) and by its own cycle-to-cycle noise draw.
   */
  void pulse(int row, int col, int n, double strength, FastRandom rng) {
    if (n > 0) {
      pulseUp(row, col, n, strength, rng);
    } else if (n < 0) {
      pulseDown(row, col, -n, strength, rng);
    }
  }

  /**
   * Loads the records and differential entries of {@code n} devices of one row, all at once, and returns a
   * meaningless sum of them (the caller keeps it, so the loads are not optimised away). Independent loads
   * overlap their cache misses; the pulses that follow find the lines in cache. A prefetch, in plain Java.
   */
  double touch(int row, int col0, int[] cols, int n) {
    double[] d = rec;
    double[] dr = diff == null ? null : diff[row];
    int base = row * this.cols + col0;
    double s = 0;
    for (int t = 0; t < n; t++) {
      int c = cols[t];
      s += d[(base + c) * REC];
      if (dr != null) s += dr[col0 + c];
    }
    return s;
  }

  /** {@code n >= 1} UP pulses on the device at (row, col). */
  void pulseUp(int row, int col, int n, double strength, FastRandom rng) {
    int o = (row * cols + col) * REC;
    double[] d = rec;
    double x0 = d[o + W];
    double packed = d[o + UP];
    double hi = bound(packed);
    double a = step(packed) * strength;
    double slope = a / hi;
    double x = x0;
    for (int i = 0; i < n; i++) {
      x += (a - slope * x) * (1 + c2c * rng.nextGaussian());
      if (x > hi) x = hi;
    }
    double lo = bound(d[o + DOWN]);
    if (x < lo) x = lo; // a noise draw below -1/c2c steps backwards
    store(o, row, col, x0, x, hi, lo);
  }

  /** {@code n >= 1} DOWN pulses on the device at (row, col). */
  void pulseDown(int row, int col, int n, double strength, FastRandom rng) {
    int o = (row * cols + col) * REC;
    double[] d = rec;
    double x0 = d[o + W];
    double packed = d[o + DOWN];
    double lo = bound(packed);
    double a = step(packed) * strength;
    double slope = a / lo;
    double x = x0;
    for (int i = 0; i < n; i++) {
      x -= (a - slope * x) * (1 + c2c * rng.nextGaussian());
      if (x < lo) x = lo;
    }
    double hi = bound(d[o + UP]);
    if (x > hi) x = hi;
    store(o, row, col, x0, x, hi, lo);
  }

  private void store(int o, int row, int col, double old, double x, double hi, double lo) {
    rec[o + W] = x;
    if (diff != null) diff[row][col] += diffSign * (x - old) * (gRange / (hi - lo));
  }

  /** Closed-form symmetry point of device k, weight units: a_up (1 - w/b_max) = a_down (1 - w/b_min). */
  double symmetryPointWeight(int k) {
    double aUp = aUp(k);
    double aDown = aDown(k);
    return (aUp - aDown) / (aUp / bMax(k) - aDown / bMin(k));
  }

  double toSiemens(int k, double weight) {
    return gMin + (weight - bMin(k)) * gPerW(k);
  }

  /** Sets device k's state directly (emulator-only: restoring checkpoints and setting up tests). */
  void set(int k, double weight) {
    int o = k * REC;
    double hi = bMax(k);
    double lo = bMin(k);
    store(o, k / cols, k % cols, rec[o + W], Math.max(lo, Math.min(hi, weight)), hi, lo);
  }
}
