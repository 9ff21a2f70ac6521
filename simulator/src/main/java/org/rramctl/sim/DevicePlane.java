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
 * <p>The state is kept as the conductance. The map sends every device's b_max to G_max and b_min to G_min,
 * so in conductance the same soft-bound step needs only two numbers per device, the relative steps
 * {@code s_up = a_up / b_max} and {@code s_down = a_down / |b_min|}:
 * <pre>
 *   up:   (G_max - G) *= 1 - s_up   (1 + s_c2c * xi)
 *   down: (G - G_min) *= 1 - s_down (1 + s_c2c * xi)      then clip to [G_min, G_max]
 * </pre>
 * which is the weight-unit model above, term for term. The bounds (needed only to express a state in
 * weight units) are kept apart.
 *
 * <p>Layout: one record of {@value #REC} doubles (16 bytes) per device, row-major: the conductance, and
 * {@code s_up, s_down} packed as two floats. The stochastic update visits scattered devices, so its cost is the
 * memory it touches: one record per device, always within one cache line (four to a line), and a 785 x 256
 * array's records take 3.2 MB (bench/EMULATOR-SPEED.md). The drawn parameters are stored as floats (7
 * significant digits, far finer than their 30 % device-to-device spread); the state stays a double. The
 * array's {@code G_active - G_reference} is kept apart, one dense array per row (vector reads stream it; a
 * row of its own, starting at index 0 like the vectors it meets, is what lets the JIT vectorise those loops:
 * measured 2.5x faster than offsets into one flat array), current on every change.
 */
final class DevicePlane {
  /** Record layout: the conductance, then (s_up, s_down) as a float pair. */
  static final int G = 0;
  static final int STEPS = 1;
  static final int REC = 2;

  final int rows;
  final int cols;
  /** {@link #REC} doubles per device, device k at {@code k * REC}. */
  final double[] rec;
  /** Drawn bounds, weight units (not on the pulse path). */
  private final float[] bMax;
  private final float[] bMin;
  private final double gMin;
  private final double gMax;
  private final double gRange;
  private final double c2c;
  /**
   * Pristine (unformed) devices, null when the preset's devices are formed at birth (every preset without a
   * {@code switching} block): a pristine device keeps {@code pristineSiemens} and ignores programming pulses
   * until it is formed.
   */
  private final boolean[] pristine;
  /** Each device's drawn forming voltage at the preset's reference width, V (null with {@link #pristine}). */
  private final float[] formingVolts;
  /**
   * Symmetry-point drift ({@link DevicePreset.Drift}), all null when the preset has none: each device's drawn rate
   * (ln ratio per pulse), its step pair at zero pulses (packed as in {@link #rec}) and the pulses it has received.
   */
  private final double[] driftPerPulse;
  private final double[] steps0;
  private final long[] seen;
  private final double driftLimit;
  /** G_active - G_reference of each device of this array by row, kept current on every change (shared by both planes). */
  private double[][] diff;
  private double diffSign;

  DevicePlane(DevicePreset p, int rows, int cols, FastRandom rng) {
    this(p, rows, cols, rng, null);
  }

  /**
   * @param driftDraws draws each device's drift rate when the preset has drift (a generator of its own, so that every
   *     other draw is that of the same preset without drift); unused otherwise
   */
  DevicePlane(DevicePreset p, int rows, int cols, FastRandom rng, FastRandom driftDraws) {
    this.rows = rows;
    this.cols = cols;
    int n = rows * cols;
    rec = new double[n * REC];
    bMax = new float[n];
    bMin = new float[n];
    gMin = p.gMinSiemens();
    gMax = p.gMaxSiemens();
    gRange = gMax - gMin;
    c2c = p.dwMinStd();
    double upBias = p.upDown() < 0 ? p.upDown() : 0;
    double downBias = p.upDown() > 0 ? -p.upDown() : 0;
    for (int k = 0; k < n; k++) {
      double hi = p.wMax() * (1 + p.wMaxDtod() * rng.nextGaussianExact());
      double lo = p.wMin() * (1 + p.wMinDtod() * rng.nextGaussianExact());
      float top = (float) (hi > 0 ? hi : 0.1 * p.wMax());
      float bottom = (float) (lo < 0 ? lo : 0.1 * p.wMin());
      double gain = 1 + p.dwMinDtod() * rng.nextGaussianExact();
      double r = p.upDownDtod() * rng.nextGaussianExact();
      double aUp = p.dwMin() * Math.abs(gain + r + upBias);
      double aDown = p.dwMin() * Math.abs(gain - r + downBias);
      bMax[k] = top;
      bMin[k] = bottom;
      rec[k * REC + STEPS] = pack((float) (aUp / top), (float) (aDown / -bottom));
      double w0 = p.w0Std() == 0 ? 0 : p.w0Std() * rng.nextGaussianExact();
      rec[k * REC + G] = toSiemens(k, Math.max(bottom, Math.min(top, w0)));
    }
    DevicePreset.Switching sw = p.switching();
    if (sw != null && sw.formingVolts() > 0) {
      // Drawn after every soft-bound parameter, so the soft-bound draws are those of the same preset without forming.
      pristine = new boolean[n];
      formingVolts = new float[n];
      for (int k = 0; k < n; k++) {
        pristine[k] = true;
        formingVolts[k] = (float) Math.max(0.5 * sw.formingVolts(), sw.formingVolts() * (1 + sw.formingVoltsDtod() * rng.nextGaussianExact()));
        rec[k * REC + G] = sw.pristineSiemens();
      }
    } else {
      pristine = null;
      formingVolts = null;
    }
    DevicePreset.Drift dr = p.drift();
    if (dr != null) {
      driftPerPulse = new double[n];
      steps0 = new double[n];
      seen = new long[n];
      driftLimit = dr.logRatioLimit();
      for (int k = 0; k < n; k++) {
        driftPerPulse[k] = (dr.logRatioPerMegapulse() + dr.logRatioPerMegapulseDtod() * driftDraws.nextGaussianExact()) / 1e6;
        steps0[k] = rec[k * REC + STEPS];
      }
    } else {
      driftPerPulse = null;
      steps0 = null;
      seen = null;
      driftLimit = 0;
    }
  }

  /** True when the preset has symmetry-point drift. */
  boolean hasDrift() {
    return seen != null;
  }

  /** Pulses device k has received (counted only with drift; 0 otherwise). */
  long pulsesSeen(int k) {
    return seen == null ? 0 : seen[k];
  }

  /** Restores device k's pulse count (a saved state) and the steps that follow from it. */
  void restorePulsesSeen(int k, long n) {
    if (seen == null) return;
    seen[k] = n;
    rec[k * REC + STEPS] = driftedSteps(k, n);
  }

  /** Device k's step pair after n pulses ({@link DevicePreset.Drift}). */
  private double driftedSteps(int k, long n) {
    double h = Math.max(-driftLimit, Math.min(driftLimit, driftPerPulse[k] * n));
    double f = Math.exp(h / 2);
    double s = steps0[k];
    return pack((float) (high(s) * f), (float) (low(s) / f));
  }

  /** Counts {@code n} more pulses on device k and moves its steps to where the drift puts them. */
  private void age(int k, int n) {
    long c = seen[k] + n;
    seen[k] = c;
    rec[k * REC + STEPS] = driftedSteps(k, c);
  }

  /** True while device k is unformed. */
  boolean pristine(int k) {
    return pristine != null && pristine[k];
  }

  /** Device k's drawn forming voltage at the reference width, V; 0 when the preset has no forming. */
  double formingVolts(int k) {
    return formingVolts == null ? 0 : formingVolts[k];
  }

  /** Forms device k: it leaves the pristine state at conductance {@code g}, clipped to [G_min, G_max]. */
  void form(int k, double g) {
    if (pristine == null || !pristine[k]) return;
    pristine[k] = false;
    int o = k * REC;
    store(o, k / cols, k % cols, rec[o + G], Math.max(gMin, Math.min(gMax, g)));
  }

  /**
   * Marks device k pristine or formed (restoring a saved state); a pristine device gets {@code pristineSiemens}. The
   * differential array is left alone: a restore reads it from the saved state, where it already holds this value.
   */
  void restorePristine(int k, boolean isPristine, double pristineSiemens) {
    if (pristine == null) return;
    pristine[k] = isPristine;
    if (isPristine) rec[k * REC + G] = pristineSiemens;
  }

  /** True when the plane has pristine-state bookkeeping (its preset needs forming). */
  boolean hasForming() {
    return pristine != null;
  }

  /**
   * The state change of a source-measure operation on device k: the soft-bound step of one nominal pulse, with its
   * cycle-to-cycle draw, compounded {@code strength} times ({@code (1 - s)^strength} of the distance to the bound
   * remains; strength 1 is one nominal pulse), so a long or strong drive saturates at the bound instead of
   * overshooting. A SET never lowers the conductance and stops at {@code gCap}, the compliance-limited level.
   */
  void drive(int k, boolean up, double strength, double gCap, FastRandom rng) {
    if (pristine(k) || !(strength > 0)) return;
    int o = k * REC;
    double g0 = rec[o + G];
    double s = (up ? high(rec[o + STEPS]) : low(rec[o + STEPS])) * (1 + c2c * rng.nextGaussian());
    double keep = s >= 1 ? 0 : Math.pow(1 - s, strength);
    double g;
    if (up) {
      g = gMax - Math.min(gRange, Math.max(0, (gMax - g0) * keep));
      if (g > gCap) g = Math.max(g0, gCap);
    } else {
      g = gMin + Math.min(gRange, Math.max(0, (g0 - gMin) * keep));
    }
    store(o, k / cols, k % cols, g0, g);
    if (seen != null) age(k, 1);
  }

  /** Two floats in one double's bits: {@code up} in the high half, {@code down} in the low half. */
  private static double pack(float up, float down) {
    return Double.longBitsToDouble(((long) Float.floatToRawIntBits(up) << 32) | (Float.floatToRawIntBits(down) & 0xFFFFFFFFL));
  }

  private static float high(double packed) {
    return Float.intBitsToFloat((int) (Double.doubleToRawLongBits(packed) >>> 32));
  }

  private static float low(double packed) {
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

  /** Noise-free state of device k, weight units. */
  double w(int k) {
    return bMin[k] + (rec[k * REC + G] - gMin) / gPerW(k);
  }

  /** Relative UP step of device k: a_up / b_max. */
  double sUp(int k) {
    return high(rec[k * REC + STEPS]);
  }

  /** Relative DOWN step of device k: a_down / |b_min|. */
  double sDown(int k) {
    return low(rec[k * REC + STEPS]);
  }

  double aUp(int k) {
    return sUp(k) * bMax[k];
  }

  double aDown(int k) {
    return -sDown(k) * bMin[k];
  }

  double bMax(int k) {
    return bMax[k];
  }

  double bMin(int k) {
    return bMin[k];
  }

  double gPerW(int k) {
    return gRange / ((double) bMax[k] - bMin[k]);
  }

  /** Noise-free conductance of device k, siemens. */
  double g(int k) {
    return rec[k * REC + G];
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
   * {@code n >= 1} UP pulses on the device at (row, col): the distance to G_max shrinks by s_up per pulse. Each
   * pulse starts from the stored conductance of the one before, so n pulses in one call give exactly (to the last
   * bit) what n calls of one pulse give.
   */
  void pulseUp(int row, int col, int n, double strength, FastRandom rng) {
    if (pristine != null && pristine[row * cols + col]) return;
    if (seen != null) {
      pulseDrifting(row, col, n, strength, rng);
      return;
    }
    int o = (row * cols + col) * REC;
    double[] d = rec;
    double g0 = d[o + G];
    double s = high(d[o + STEPS]) * strength;
    double g = g0;
    for (int i = 0; i < n; i++) {
      double dist = gMax - g;
      dist -= s * dist * (1 + c2c * rng.nextGaussian());
      g = gMax - Math.min(gRange, Math.max(0, dist)); // a noise draw below -1/c2c steps backwards
    }
    store(o, row, col, g0, g);
  }

  /** {@code n >= 1} DOWN pulses on the device at (row, col): the distance to G_min shrinks by s_down per pulse. */
  void pulseDown(int row, int col, int n, double strength, FastRandom rng) {
    if (pristine != null && pristine[row * cols + col]) return;
    if (seen != null) {
      pulseDrifting(row, col, -n, strength, rng);
      return;
    }
    int o = (row * cols + col) * REC;
    double[] d = rec;
    double g0 = d[o + G];
    double s = low(d[o + STEPS]) * strength;
    double g = g0;
    for (int i = 0; i < n; i++) {
      double dist = g - gMin;
      dist -= s * dist * (1 + c2c * rng.nextGaussian());
      g = gMin + Math.min(gRange, Math.max(0, dist));
    }
    store(o, row, col, g0, g);
  }

  /**
   * |n| pulses (UP for n > 0) on a device whose steps drift: the same step as {@link #pulseUp} / {@link #pulseDown},
   * one pulse at a time, each with the steps its count has reached.
   */
  private void pulseDrifting(int row, int col, int n, double strength, FastRandom rng) {
    int k = row * cols + col;
    int o = k * REC;
    double g0 = rec[o + G];
    double g = g0;
    for (int i = 0, m = Math.abs(n); i < m; i++) {
      if (n > 0) {
        double dist = gMax - g;
        dist -= high(rec[o + STEPS]) * strength * dist * (1 + c2c * rng.nextGaussian());
        g = gMax - Math.min(gRange, Math.max(0, dist));
      } else {
        double dist = g - gMin;
        dist -= low(rec[o + STEPS]) * strength * dist * (1 + c2c * rng.nextGaussian());
        g = gMin + Math.min(gRange, Math.max(0, dist));
      }
      age(k, 1);
    }
    store(o, row, col, g0, g);
  }

  private void store(int o, int row, int col, double old, double g) {
    rec[o + G] = g;
    if (diff != null) diff[row][col] += diffSign * (g - old);
  }

  /** Closed-form symmetry point of device k, siemens: s_up (G_max - G) = s_down (G - G_min). */
  double symmetryPointSiemens(int k) {
    double up = sUp(k);
    double down = sDown(k);
    return (up * gMax + down * gMin) / (up + down);
  }

  /** Closed-form symmetry point of device k, weight units: a_up (1 - w/b_max) = a_down (1 - w/b_min). */
  double symmetryPointWeight(int k) {
    double up = sUp(k);
    double down = sDown(k);
    return (up * bMax[k] + down * bMin[k]) / (up + down);
  }

  double toSiemens(int k, double weight) {
    return gMin + (weight - bMin[k]) * gPerW(k);
  }

  /** Sets device k's state directly, weight units, clipped to its bounds (emulator-only: setting up tests). */
  void set(int k, double weight) {
    setConductance(k, toSiemens(k, Math.max(bMin[k], Math.min(bMax[k], weight))));
  }

  /** Sets device k's conductance directly, clipped to [G_min, G_max] (emulator-only: restoring saved states). */
  void setConductance(int k, double siemens) {
    store(k * REC, k / cols, k % cols, rec[k * REC + G], Math.max(gMin, Math.min(gMax, siemens)));
  }
}
