package org.rramctl.sim;

/**
 * The devices of one plane (active or reference) of one emulated array: per-device soft-bound parameters
 * drawn once from a preset, and the state. Structure of arrays, row-major, for tight loops.
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
 */
final class DevicePlane {
  final int rows;
  final int cols;
  final double[] w;
  final double[] g;
  final double[] aUp;
  final double[] aDown;
  final double[] bMax;
  final double[] bMin;
  final double[] gPerW;
  private final double gMin;
  private final double c2c;
  /** G_active - G_reference of each device of this array, kept current on every change (shared by both planes). */
  private double[] diff;
  private DevicePlane partner;
  private double diffSign;

  DevicePlane(DevicePreset p, int rows, int cols, FastRandom rng) {
    this.rows = rows;
    this.cols = cols;
    int n = rows * cols;
    w = new double[n];
    g = new double[n];
    aUp = new double[n];
    aDown = new double[n];
    bMax = new double[n];
    bMin = new double[n];
    gPerW = new double[n];
    gMin = p.gMinSiemens();
    c2c = p.dwMinStd();
    double upBias = p.upDown() < 0 ? p.upDown() : 0;
    double downBias = p.upDown() > 0 ? -p.upDown() : 0;
    for (int k = 0; k < n; k++) {
      double hi = p.wMax() * (1 + p.wMaxDtod() * rng.nextGaussianExact());
      double lo = p.wMin() * (1 + p.wMinDtod() * rng.nextGaussianExact());
      bMax[k] = hi > 0 ? hi : 0.1 * p.wMax();
      bMin[k] = lo < 0 ? lo : 0.1 * p.wMin();
      double gain = 1 + p.dwMinDtod() * rng.nextGaussianExact();
      double r = p.upDownDtod() * rng.nextGaussianExact();
      aUp[k] = p.dwMin() * Math.abs(gain + r + upBias);
      aDown[k] = p.dwMin() * Math.abs(gain - r + downBias);
      gPerW[k] = (p.gMaxSiemens() - p.gMinSiemens()) / (bMax[k] - bMin[k]);
      double w0 = p.w0Std() == 0 ? 0 : p.w0Std() * rng.nextGaussianExact();
      w[k] = Math.max(bMin[k], Math.min(bMax[k], w0));
      g[k] = gMin + (w[k] - bMin[k]) * gPerW[k];
    }
  }

  /**
   * Links an active plane and its reference plane to one shared array of {@code G_active - G_reference},
   * updated on every change, so that differential vector reads stream one array instead of two.
   */
  static double[] linkDifferential(DevicePlane active, DevicePlane reference) {
    double[] d = new double[active.g.length];
    for (int k = 0; k < d.length; k++) d[k] = active.g[k] - reference.g[k];
    active.diff = d;
    active.partner = reference;
    active.diffSign = 1;
    reference.diff = d;
    reference.partner = active;
    reference.diffSign = -1;
    return d;
  }

  private void store(int k, double x) {
    w[k] = x;
    double gk = gMin + (x - bMin[k]) * gPerW[k];
    g[k] = gk;
    if (diff != null) diff[k] = diffSign * (gk - partner.g[k]);
  }

  /**
   * Applies |n| pulses to device k, UP for n > 0 and DOWN for n < 0, each step scaled by
   * {@code strength} (1 for the nominal pulse) and by its own cycle-to-cycle noise draw.
   */
  void pulse(int k, int n, double strength, FastRandom rng) {
    double x = w[k];
    if (n > 0) {
      double a = aUp[k] * strength;
      double hi = bMax[k];
      double inv = 1 / hi;
      for (int i = 0; i < n; i++) {
        x += a * (1 - x * inv) * (1 + c2c * rng.nextGaussian());
        if (x > hi) x = hi;
      }
      double lo = bMin[k];
      if (x < lo) x = lo;
    } else if (n < 0) {
      double a = aDown[k] * strength;
      double lo = bMin[k];
      double inv = 1 / lo;
      for (int i = n; i < 0; i++) {
        x -= a * (1 - x * inv) * (1 + c2c * rng.nextGaussian());
        if (x < lo) x = lo;
      }
      double hi = bMax[k];
      if (x > hi) x = hi;
    } else {
      return;
    }
    store(k, x);
  }

  /** Closed-form symmetry point of device k, weight units: a_up (1 - w/b_max) = a_down (1 - w/b_min). */
  double symmetryPointWeight(int k) {
    return (aUp[k] - aDown[k]) / (aUp[k] / bMax[k] - aDown[k] / bMin[k]);
  }

  double toSiemens(int k, double weight) {
    return gMin + (weight - bMin[k]) * gPerW[k];
  }

  /** Sets device k's state directly (emulator-only: restoring checkpoints and setting up tests). */
  void set(int k, double weight) {
    store(k, Math.max(bMin[k], Math.min(bMax[k], weight)));
  }
}
