package org.rramctl.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;
import org.rramctl.calibration.SymmetryPointSearch.Errors;
import org.rramctl.driver.Tile;

/**
 * The standard-error machinery of {@link SymmetryPointSearch} on small synthetic inputs, against values worked out by
 * hand or by a plain reference computation written from CALIBRATION-NOTES.md ("Standard errors from a pooled noise
 * level") and the Javadoc, not by calling the code under test. The statistical tests (coverage, width ratio) pass for
 * many small arithmetic slips; these pin the arithmetic itself.
 */
class SymmetryPointErrorsTest {
  private static final double EPS = 1e-9;

  // ---- reference computations (independent of the code under test) ----

  /** Weighted least squares of v[L] = a x_L + b, x_L = 1 - rho^L, by solving the 2 x 2 normal equations about the weighted means. */
  private static double[] wls(double[] v, int[] w, int lags, double rho) {
    double sw = 0, mx = 0, my = 0;
    for (int l = 1; l <= lags; l++) {
      double x = 1 - Math.pow(rho, l);
      sw += w[l];
      mx += w[l] * x;
      my += w[l] * v[l];
    }
    mx /= sw;
    my /= sw;
    double cxx = 0, cxy = 0;
    for (int l = 1; l <= lags; l++) {
      double x = 1 - Math.pow(rho, l);
      cxx += w[l] * (x - mx) * (x - mx);
      cxy += w[l] * (x - mx) * (v[l] - my);
    }
    double a = cxy / cxx;
    return new double[] {a, my - a * mx};
  }

  /** {@link #wls} with A, B >= 0: B = 0 (fit through the origin) when B < 0, then A = 0 (weighted mean) when A < 0. */
  private static double[] constrained(double[] v, int[] w, int lags, double rho) {
    double[] ab = wls(v, w, lags, rho);
    if (ab[1] < 0) {
      double sxy = 0, sxx = 0;
      for (int l = 1; l <= lags; l++) {
        double x = 1 - Math.pow(rho, l);
        sxy += w[l] * x * v[l];
        sxx += w[l] * x * x;
      }
      ab = new double[] {sxy / sxx, 0};
    }
    if (ab[0] < 0) {
      double sy = 0, sw = 0;
      for (int l = 1; l <= lags; l++) {
        sy += w[l] * v[l];
        sw += w[l];
      }
      ab = new double[] {0, sy / sw};
    }
    return ab;
  }

  /** Weighted residual sum of squares of v[L] against a (1 - rho^L) + b, term by term. */
  private static double rss(double[] v, int[] w, int lags, double rho, double a, double b) {
    double s = 0;
    for (int l = 1; l <= lags; l++) {
      double r = v[l] - a * (1 - Math.pow(rho, l)) - b;
      s += w[l] * r * r;
    }
    return s;
  }

  /** The AR(1) variance sum g(m, rho) = sum over all pairs j, k of rho^|j - k| (the double sum, not the closed form). */
  private static double arSum(int m, double rho) {
    double g = 0;
    for (int j = 0; j < m; j++) for (int k = 0; k < m; k++) g += Math.pow(rho, Math.abs(j - k));
    return g;
  }

  /** Empirical variogram of x[a..f) at lag l: mean over pairs of the squared difference. */
  private static double vario(float[] x, int off, int a, int f, int l) {
    double s = 0;
    int pairs = 0;
    for (int k = a; k + l < f; k++) {
      s += Math.pow(x[off + k + l] - x[off + k], 2);
      pairs++;
    }
    return s / pairs;
  }

  private static int[] weights(int lags, int m) {
    int[] w = new int[lags + 1];
    for (int l = 1; l <= lags; l++) w[l] = m - l;
    return w;
  }

  // ---- variogram ----

  @Test
  void variogramOfAKnownSeries() {
    // Device 1 of capacity 10; its window [2, 8) holds 1, 3, 2, 6, 4, 5 (m = 6, so 3 lags). Junk elsewhere.
    float[] s = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, -7, 50, 1, 3, 2, 6, 4, 5, 80, -90};
    double[] v = new double[11];
    int lags = Errors.variogram(s, 10, 1, v, 2, 8);
    assertEquals(3, lags);
    // lag 1: 2, -1, 4, -2, 1 -> 26 / 5; lag 2: 1, 3, 2, -1 -> 15 / 4; lag 3: 5, 1, 3 -> 35 / 3
    assertEquals(26.0 / 5, v[1], EPS);
    assertEquals(15.0 / 4, v[2], EPS);
    assertEquals(35.0 / 3, v[3], EPS);
    assertEquals(0, v[4]);
  }

  @Test
  void variogramLagsLimitedByTheOutputArray() {
    float[] s = {1, 3, 2, 6, 4, 5, 0, 2};
    double[] v = new double[3];
    assertEquals(2, Errors.variogram(s, 8, 0, v, 0, 8));
    assertEquals(vario(s, 0, 0, 8, 1), v[1], EPS);
    assertEquals(vario(s, 0, 0, 8, 2), v[2], EPS);
  }

  // ---- variogram fits ----

  @Test
  void fitRecoversExactModelData() {
    double rho = 0.8, a = 2.0, b = 0.5;
    int lags = 6;
    double[] v = new double[lags + 1];
    for (int l = 1; l <= lags; l++) v[l] = a * (1 - Math.pow(rho, l)) + b;
    int[] w = weights(lags, 13);
    double[] ab = Errors.fitVariogram(v, w, lags, rho);
    assertEquals(a, ab[0], 1e-9);
    assertEquals(b, ab[1], 1e-9);
    assertEquals(0, ab[2], 1e-9);
    double[] u = Errors.fitVariogramUnconstrained(v, w, lags, rho);
    assertEquals(a, u[0], 1e-9);
    assertEquals(b, u[1], 1e-9);
    double[] above = Errors.fitVariogramAbove(v, w, lags, rho, b);
    assertEquals(a, above[0], 1e-9);
    assertEquals(b, above[1]);
  }

  @Test
  void fitOfNoisyDataIsTheWeightedLeastSquaresSolution() {
    double rho = 0.7;
    int lags = 5;
    double[] v = {0, 1.1, 1.6, 2.3, 2.2, 2.6};
    int[] w = {0, 9, 4, 7, 1, 3};
    double[] ref = wls(v, w, lags, rho);
    assertTrue(ref[0] > 0 && ref[1] > 0, "reference fit in the unconstrained region");
    double[] ab = Errors.fitVariogram(v, w, lags, rho);
    assertEquals(ref[0], ab[0], 1e-9);
    assertEquals(ref[1], ab[1], 1e-9);
    assertEquals(rss(v, w, lags, rho, ref[0], ref[1]), ab[2], 1e-9);
    assertTrue(ab[2] > 1e-3, "a real residual: " + ab[2]);
    double[] u = Errors.fitVariogramUnconstrained(v, w, lags, rho);
    assertEquals(ref[0], u[0], 1e-9);
    assertEquals(ref[1], u[1], 1e-9);
  }

  @Test
  void fitClampsANegativeInterceptToZero() {
    // Steep through the origin and beyond: the free fit has b < 0, so b = 0 and a is the fit through the origin.
    double rho = 0.5;
    int lags = 4;
    double[] v = {0, 0.2, 1.2, 1.9, 2.3};
    int[] w = {0, 5, 4, 3, 2};
    double[] free = wls(v, w, lags, rho);
    assertTrue(free[1] < 0, "free intercept " + free[1]);
    double sxy = 0, sxx = 0;
    for (int l = 1; l <= lags; l++) {
      double x = 1 - Math.pow(rho, l);
      sxy += w[l] * x * v[l];
      sxx += w[l] * x * x;
    }
    double[] ab = Errors.fitVariogram(v, w, lags, rho);
    assertEquals(sxy / sxx, ab[0], 1e-12);
    assertEquals(0, ab[1]);
    assertEquals(rss(v, w, lags, rho, sxy / sxx, 0), ab[2], 1e-9);
    // Unconstrained keeps the negative intercept.
    double[] u = Errors.fitVariogramUnconstrained(v, w, lags, rho);
    assertEquals(free[0], u[0], 1e-9);
    assertEquals(free[1], u[1], 1e-9);
  }

  @Test
  void fitClampsANegativeSlopeToZero() {
    // Falling with the lag: a = 0 and b is the weighted mean.
    double rho = 0.6;
    int lags = 4;
    double[] v = {0, 3.0, 2.5, 2.2, 1.0};
    int[] w = {0, 1, 2, 3, 4};
    double[] free = wls(v, w, lags, rho);
    assertTrue(free[0] < 0 && free[1] > 0, "free fit " + free[0] + ", " + free[1]);
    double mean = (3.0 * 1 + 2.5 * 2 + 2.2 * 3 + 1.0 * 4) / 10;
    double[] ab = Errors.fitVariogram(v, w, lags, rho);
    assertEquals(0, ab[0]);
    assertEquals(mean, ab[1], 1e-12);
    assertEquals(rss(v, w, lags, rho, 0, mean), ab[2], 1e-9);
  }

  @Test
  void fitWithADegenerateDesignIsTheWeightedMean() {
    // rho = 0: every x_L is 1, so A and B cannot be told apart: A = 0, B = weighted mean.
    double[] v = {0, 1.0, 2.0, 4.0};
    int[] w = {0, 1, 1, 2};
    double mean = (1.0 + 2.0 + 8.0) / 4;
    double[] ab = Errors.fitVariogram(v, w, 3, 0);
    assertEquals(0, ab[0]);
    assertEquals(mean, ab[1], 1e-12);
    assertEquals(rss(v, w, 3, 0, 0, mean), ab[2], 1e-9);
    assertArrayEquals(new double[] {0, mean}, Errors.fitVariogramUnconstrained(v, w, 3, 0), 1e-12);
  }

  @Test
  void fitAboveAKnownWhiteLevelIsTheWeightedSlope() {
    double rho = 0.9, b = 0.3;
    int lags = 4;
    double[] v = {0, 0.5, 0.9, 0.8, 1.4};
    int[] w = {0, 7, 2, 5, 1};
    double sxy = 0, sxx = 0;
    for (int l = 1; l <= lags; l++) {
      double x = 1 - Math.pow(rho, l);
      sxy += w[l] * x * (v[l] - b);
      sxx += w[l] * x * x;
    }
    double[] ab = Errors.fitVariogramAbove(v, w, lags, rho, b);
    assertEquals(sxy / sxx, ab[0], 1e-12);
    assertEquals(b, ab[1]);
  }

  // ---- leftover bias ----

  @Test
  void leftoverBiasOfAHandWorkedWindow() {
    // m = 4 (h = 2), rho = 0.5: weights 1, 0.5 | 0.25, 0.125; e1 = 1.5, e2 = 0.375;
    // expected half difference 0.375 / 2 - 1.5 / 2 = -0.5625, mean weight 1.875 / 4 = 0.46875, ratio -5/6.
    // Window (the last 4 of f = 6 samples of device 1): 4, 2 | 1, 1 -> halves' means 3 and 1, difference -2.
    float[] s = {0, 0, 0, 0, 0, 0, 0, 0, 99, 99, 4, 2, 1, 1, 0, 0};
    assertEquals(-5.0 / 6 * -2, Errors.leftoverBias(s, 8, 6, 1, 4, 0.5), 1e-6);
  }

  @Test
  void leftoverBiasOfAnExactApproachIsTheOffsetOfTheMean() {
    // Samples w* + c rho^k: the documented property is that the bias equals the window mean minus w*.
    double wStar = 3, c = 2, rho = 0.8;
    int m = 7;
    int f = 10;
    float[] s = new float[f];
    for (int k = 0; k < f; k++) s[k] = (float) (wStar + c * Math.pow(rho, k - (f - m)));
    double mean = 0;
    for (int k = f - m; k < f; k++) mean += s[k];
    mean /= m;
    assertEquals(mean - wStar, Errors.leftoverBias(s, f, f, 0, m, rho), 1e-5);
  }

  @Test
  void leftoverBiasWithoutCorrelationIsZero() {
    // rho = 0: only the first sample carries the approach and ... expected difference is -1/h; with rho = 1 nothing
    // decays, the expected difference is 0 and so is the bias.
    float[] s = {5, 1, 7, 2, 9, 3};
    assertEquals(0, Errors.leftoverBias(s, 6, 6, 0, 6, 1.0));
    // rho = 0: e1 = 1, e2 = 0, expected difference -1/3, mean weight 1/6, ratio -1/2; halves 13/3 and 14/3.
    assertEquals(-0.5 * (14.0 / 3 - 13.0 / 3), Errors.leftoverBias(s, 6, 6, 0, 6, 0.0), 1e-6);
  }

  // ---- probe steps, median, traced devices ----

  @Test
  void probeStepsOfAHandWorkedProbe() {
    // Window [0, 1]; read 0.4, UP by 0.2 to top 0.6 (1/3 of the way to 1), DOWN by 0.3 (half the way to 0).
    Errors.ProbeSteps one = Errors.probeSteps(0.2, 0.3, 0.6, 0, 1, 1);
    assertEquals(1.0 / 3, one.up(), 1e-12);
    assertEquals(0.5, one.down(), 1e-12);
    Errors.ProbeSteps two = Errors.probeSteps(0.2, 0.3, 0.6, 0, 1, 2);
    assertEquals(1 - Math.sqrt(2.0 / 3), two.up(), 1e-12);
    assertEquals(1 - Math.sqrt(0.5), two.down(), 1e-12);
    // phi = (1 - s_up)(1 - s_down) = sqrt(1/3) per pair; 3 pairs apart: (1/3)^1.5.
    assertEquals(Math.pow(1.0 / 3, 1.5), Errors.probeCorrelation(0.2, 0.3, 0.6, 0, 1, 2, 3), 1e-12);
    assertNull(Errors.probeSteps(0.2, 0.3, 1.0, 0, 1, 1), "UP all the way to the bound");
    assertNull(Errors.probeSteps(0.2, 0.0, 0.6, 0, 1, 1), "stuck DOWN");
    assertNull(Errors.probeSteps(-0.1, 0.3, 0.6, 0, 1, 1), "moved the wrong way");
    assertTrue(Double.isNaN(Errors.probeCorrelation(0.2, 0.6, 0.6, 0, 1, 2, 3)), "DOWN all the way to the bound");
  }

  /** A noise-free soft-bound probe of k pulses each way from g0: {rise, fall, read after}. */
  private static double[] probe(double g0, double sUp, double sDown, double gMin, double gMax, int k) {
    double top = gMax - (gMax - g0) * Math.pow(1 - sUp, k);
    double end = gMin + (top - gMin) * Math.pow(1 - sDown, k);
    return new double[] {top - g0, top - end, end};
  }

  @Test
  void stepAtTheSymmetryPointIsTheSameWhereverTheProbeStarts() {
    // Window [0, 1]; a lopsided device (s_up / s_down = 44): G* = s_up / (s_up + s_down) = 0.978, step there
    // s_up s_down / (s_up + s_down) = 2.2e-5 per pulse.
    double sUp = 1e-3;
    double sDown = sUp / 44;
    double gStar = sUp / (sUp + sDown);
    double step = sUp * sDown / (sUp + sDown);
    for (double g0 : new double[] {0.1, 0.5, gStar, 0.999}) {
      double[] p = probe(g0, sUp, sDown, 0, 1, 128);
      assertEquals(step, Errors.stepAtSymmetryPoint(p[0], p[1], p[2], gStar, 0, 1, 128), 1e-9 * step, "probe from " + g0);
    }
    // The rise from mid-window is 0.060, from G* 0.0027 (128 steps of 2.2e-5): the responses depend on the start,
    // the step does not.
    double[] mid = probe(0.5, sUp, sDown, 0, 1, 128);
    double[] atStar = probe(gStar, sUp, sDown, 0, 1, 128);
    assertTrue(mid[0] > 20 * atStar[0], "rise from mid-window " + mid[0] + ", from the symmetry point " + atStar[0]);
    // A dead device (no response) has no step; noise about zero stays about zero instead of being dropped.
    assertEquals(0, Errors.stepAtSymmetryPoint(0, 0, 0.4, 0.4, 0, 1, 128), 0);
    assertEquals(-0.001 / 128, Errors.stepAtSymmetryPoint(-0.001, -0.001, 0.4, 0.4, 0, 1, 128), 0.01 * 0.001 / 128);
    assertTrue(Double.isNaN(Errors.stepAtSymmetryPoint(0.1, 0.1, 0.4, 1.0, 0, 1, 128)), "symmetry point on the bound");
    assertTrue(Double.isNaN(Errors.stepAtSymmetryPoint(0.1, 0.1, 0.4, Double.NaN, 0, 1, 128)), "no estimate");
  }

  @Test
  void medianOfOddAndEvenCounts() {
    double[] odd = {5, 1, 3};
    assertEquals(3, SymmetryPointSearch.median(odd));
    assertArrayEquals(new double[] {5, 1, 3}, odd, "input left alone");
    assertEquals(2.5, SymmetryPointSearch.median(new double[] {4, 1, 3, 2}));
  }

  @Test
  void tracedDevicesSpreadOverTheTile() {
    assertArrayEquals(new int[] {0, 1, 2}, SymmetryPointSearch.traceIndices(new Tile(0, 0, 0, 1, 3)));
    assertArrayEquals(new int[] {0, 1, 2, 3}, SymmetryPointSearch.traceIndices(new Tile(0, 0, 0, 2, 2)));
    // 10 x 6 = 60 devices: 0, 60/3 + 6/2 = 23, 120/3 + 6/3 = 42, 59
    assertArrayEquals(new int[] {0, 23, 42, 59}, SymmetryPointSearch.traceIndices(new Tile(0, 0, 0, 10, 6)));
    // 3 x 3: 0, 3 + 1 = 4, 6 + 1 = 7, 8
    assertArrayEquals(new int[] {0, 4, 7, 8}, SymmetryPointSearch.traceIndices(new Tile(0, 0, 0, 3, 3)));
  }

  // ---- pooled errors (per-device correlation) ----

  /** Seeded AR(1) series with correlation rho and unit innovation, plus white noise of sd {@code white}, per device. */
  private static float[] ar1(int n, int capacity, int len, double rho, double white, long seed) {
    Random r = new Random(seed);
    float[] s = new float[n * capacity];
    for (int i = 0; i < n; i++) {
      double x = r.nextGaussian() / Math.sqrt(1 - rho * rho);
      for (int k = 0; k < len; k++) {
        x = rho * x + r.nextGaussian();
        s[i * capacity + k] = (float) (x + white * r.nextGaussian());
      }
    }
    return s;
  }

  @Test
  void pooledErrorsWithOwnCorrelationFollowTheDocumentedFormula() {
    int capacity = 64;
    int n = 3;
    float[] s = ar1(n, capacity, capacity, 0.6, 0.5, 11);
    int[] finishedAt = {40, 0, 33};
    double[] own = {0.6, 0.5, 0.45};
    double[] se = {-1, -2, -3};
    Errors.pooledErrors(s, capacity, finishedAt, n, 0, se, own);
    assertEquals(-2, se[1], "an unfinished device keeps its standard error");
    for (int i : new int[] {0, 2}) {
      int f = finishedAt[i];
      int m = f - f / 2;
      int lags = m / 2;
      double[] v = new double[lags + 1];
      for (int l = 1; l <= lags; l++) v[l] = vario(s, i * capacity, f / 2, f, l);
      int[] w = weights(lags, m);
      double[] ab = constrained(v, w, lags, own[i]);
      double stat = ab[0] / 2 * arSum(m, own[i]) / ((double) m * m) + ab[1] / 2 / m;
      double bias = Errors.leftoverBias(s, capacity, f, i, m, own[i]);
      double dof = Math.max(1, m * (1 - own[i]));
      double widen = new TDistribution(dof).inverseCumulativeProbability(0.975) / 1.959964;
      assertEquals(widen * Math.sqrt(stat + bias * bias), se[i], 1e-9 * se[i], "device " + i);
    }
  }

  @Test
  void pooledErrorsWithoutAnyCorrelationLeaveTheErrorsAlone() {
    int capacity = 64;
    float[] s = ar1(2, capacity, capacity, 0.6, 0.5, 12);
    double[] se = {7, 8};
    // Two devices are too few for a shared correlation, and their own are not correlations (NaN, 1).
    Errors.pooledErrors(s, capacity, new int[] {40, 40}, 2, 0, se, new double[] {Double.NaN, 1});
    assertArrayEquals(new double[] {7, 8}, se);
    Errors.pooledErrors(s, capacity, new int[] {40, 40}, 2, 0, se);
    assertArrayEquals(new double[] {7, 8}, se);
  }

  // ---- model errors (pooled noise level) ----

  /** modelErrors' inputs for six devices: three that pool, one whose probe does not fit, one barely started, one with too few noise samples. */
  private static final int CAP = 64, NOISE_CAP = 80, EVERY = 20;
  private static final int[] FINISHED = {40, 33, 50, 40, 3, 36};
  private static final int[] NOISE_FROM = {10, 5, 0, 10, 10, 10};
  private static final int[] NOISE_TO = {70, 61, 80, 70, 70, 16};
  private static final double[] EST = {0.41, 0.52, 0.33, 0.4, 0.4, 0.45};
  private static final double[] ANCHOR = {0.4, 0.5, 0.3, 0.4, 0.4, 0.45};
  private static final double[] RISE = {0.12, 0.1, 0.15, 0, 0.12, 0.11};
  private static final double[] FALL = {0.1, 0.08, 0.12, 0.1, 0.1, 0.09};

  private static final double G_MIN = 0.05;

  private static double[] modelErrors(int n, float[] samples, float[] noise, double white) {
    double[] se = {-1, -2, -3, -4, -5, -6};
    Errors.modelErrors(samples, CAP, FINISHED, noise, NOISE_CAP, NOISE_FROM, NOISE_TO, n, EST, ANCHOR, RISE, FALL, G_MIN, 1, EVERY, white, se);
    return se;
  }

  /** modelErrors as CALIBRATION-NOTES.md "Standard errors from a pooled noise level" and the Javadoc describe it. */
  private static double[] referenceModelErrors(int n, float[] samples, float[] noise, double white) {
    double[] se = {-1, -2, -3, -4, -5, -6};
    double[] f = new double[n];
    double[] rho = new double[n];
    double[] s2 = new double[n];
    double[] r2 = new double[n];
    boolean[] pool = new boolean[n];
    boolean[] model = new boolean[n];
    for (int i = 0; i < n; i++) {
      if (FINISHED[i] < 4) continue;
      Errors.ProbeSteps st = Errors.probeSteps(RISE[i], FALL[i], ANCHOR[i] + FALL[i], G_MIN, 1, SymmetryPointSearch.PROBE_PULSES);
      if (st == null) continue;
      double phi = (1 - st.up()) * (1 - st.down());
      double aUp = st.up() * (1 - EST[i]);
      double aDown = st.down() * (EST[i] - G_MIN);
      rho[i] = Math.pow(phi, EVERY);
      f[i] = (aUp * aUp + aDown * aDown) / (1 - phi * phi);
      model[i] = true;
      int h = NOISE_TO[i] - NOISE_FROM[i];
      if (h < SymmetryPointSearch.POOL_MIN_SAMPLES) continue;
      int lags = h / 2;
      double[] v = new double[lags + 1];
      for (int l = 1; l <= lags; l++) v[l] = vario(noise, i * NOISE_CAP, NOISE_FROM[i], NOISE_TO[i], l);
      int[] w = weights(lags, h);
      if (Double.isNaN(white)) {
        double[] ab = wls(v, w, lags, rho[i]);
        s2[i] = ab[0] / 2;
        r2[i] = ab[1] / 2;
      } else {
        double sxy = 0, sxx = 0;
        for (int l = 1; l <= lags; l++) {
          double x = 1 - Math.pow(rho[i], l);
          sxy += w[l] * x * (v[l] - 2 * white);
          sxx += w[l] * x * x;
        }
        s2[i] = sxy / sxx / 2;
      }
      pool[i] = true;
    }
    double sumS2 = 0, sumF = 0, sumR2 = 0, dof = 0;
    int pooled = 0;
    for (int i = 0; i < n; i++) {
      if (!pool[i]) continue;
      sumS2 += s2[i];
      sumF += f[i];
      sumR2 += r2[i];
      dof += (NOISE_TO[i] - NOISE_FROM[i]) * (1 - rho[i]);
      pooled++;
    }
    double c2 = sumS2 / sumF;
    assertTrue(c2 > 0, "c^2 " + c2);
    double r2Pooled = Double.isNaN(white) ? Math.max(0, sumR2 / pooled) : white;
    if (pooled > 1) {
      double scatter = 0;
      for (int i = 0; i < n; i++) if (pool[i]) scatter += Math.pow(s2[i] - c2 * f[i], 2);
      double varC2 = scatter / (pooled - 1) * pooled / (sumF * sumF);
      dof = Math.min(dof, 2 * c2 * c2 / varC2);
    }
    double widen = new TDistribution(Math.max(1, dof)).inverseCumulativeProbability(0.975) / 1.959964;
    for (int i = 0; i < n; i++) {
      if (!model[i]) continue;
      int from = FINISHED[i] / 2;
      int m = FINISHED[i] - from;
      double meanRho = 0;
      for (int k = from; k < FINISHED[i]; k++) meanRho += Math.pow(rho[i], k) / m;
      double deviation = samples[i * CAP] - (EST[i] - ANCHOR[i]);
      double bias = Math.abs(deviation) * meanRho;
      double var = c2 * f[i] * arSum(m, rho[i]) / ((double) m * m) + r2Pooled / m;
      se[i] = widen * Math.sqrt(var + bias * bias);
    }
    return se;
  }

  @Test
  void modelErrorsFollowTheDocumentedPooledNoiseLevel() {
    float[] samples = ar1(6, CAP, CAP, 0.9, 0.0, 21);
    for (int i = 0; i < samples.length; i++) samples[i] *= 0.01f;
    float[] noise = new float[6 * NOISE_CAP];
    for (int i = 0; i < 6; i++) {
      float[] one = ar1(1, NOISE_CAP, NOISE_CAP, 0.93, 0.4, 30 + i);
      for (int k = 0; k < NOISE_CAP; k++) noise[i * NOISE_CAP + k] = (1 + 0.3f * i) * 0.001f * one[k];
    }
    double[] fitted = modelErrors(6, samples, noise, Double.NaN);
    double[] refFitted = referenceModelErrors(6, samples, noise, Double.NaN);
    double[] known = modelErrors(6, samples, noise, 1e-7);
    double[] refKnown = referenceModelErrors(6, samples, noise, 1e-7);
    // One device alone: no scatter, the nominal degrees of freedom h (1 - rho).
    double[] alone = modelErrors(1, samples, noise, Double.NaN);
    assertEquals(referenceModelErrors(1, samples, noise, Double.NaN)[0], alone[0], 1e-9 * alone[0], "device 0 alone");
    for (double[][] pair : new double[][][] {{refFitted, fitted}, {refKnown, known}}) {
      assertEquals(-4, pair[1][3], "a probe that does not fit keeps its standard error");
      assertEquals(-5, pair[1][4], "a barely started device keeps its standard error");
      for (int i : new int[] {0, 1, 2, 5}) {
        assertTrue(pair[0][i] > 0, "reference " + i + ": " + pair[0][i]);
        assertEquals(pair[0][i], pair[1][i], 1e-9 * pair[0][i], "device " + i);
      }
    }
  }

  // ---- shared correlation ----

  @Test
  void sharedCorrelationRecoversTheCorrelationOfSeededSeries() {
    int n = SymmetryPointSearch.POOL_MIN_DEVICES;
    int capacity = 1200;
    float[] s = ar1(n, capacity, capacity, 0.9, 0.0, 5);
    int[] finishedAt = new int[n];
    java.util.Arrays.fill(finishedAt, capacity);
    double pooled = Errors.sharedCorrelation(s, capacity, finishedAt, n, capacity);
    assertEquals(0.9, pooled, 0.02, "array-parallel window");
    double perDevice = Errors.sharedCorrelation(s, capacity, finishedAt, n, 0);
    assertEquals(0.9, perDevice, 0.02, "per-device windows");
  }

  /**
   * The shared correlation as documented: each device's variogram over its window (poolEnd > 0: [poolEnd / 2, poolEnd);
   * else [f / 4, f)) scaled by the mean of its first four lags, averaged over the devices at the lags all of them have
   * (this test uses exactly {@code POOL_MIN_DEVICES} devices), and the rho on the grid 0.001 .. 0.999 whose constrained
   * fit leaves the least residual (weights: the device count, the same at every lag).
   */
  private static double referenceShared(float[] s, int capacity, int[] finishedAt, int n, int poolEnd) {
    int lags = Integer.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      int end = poolEnd > 0 ? poolEnd : finishedAt[i];
      int a = poolEnd > 0 ? end / 2 : end / 4;
      lags = Math.min(lags, (end - a) / 2);
    }
    double[] curve = new double[lags + 1];
    for (int i = 0; i < n; i++) {
      int end = poolEnd > 0 ? poolEnd : finishedAt[i];
      int a = poolEnd > 0 ? end / 2 : end / 4;
      double scale = (vario(s, i * capacity, a, end, 1) + vario(s, i * capacity, a, end, 2) + vario(s, i * capacity, a, end, 3)
          + vario(s, i * capacity, a, end, 4)) / 4;
      for (int l = 1; l <= lags; l++) curve[l] += vario(s, i * capacity, a, end, l) / scale / n;
    }
    int[] w = new int[lags + 1];
    java.util.Arrays.fill(w, n);
    double best = Double.POSITIVE_INFINITY;
    double rho = Double.NaN;
    for (int g = 1; g <= 999; g++) {
      double[] ab = constrained(curve, w, lags, g / 1000.0);
      double r = rss(curve, w, lags, g / 1000.0, ab[0], ab[1]);
      if (r < best) {
        best = r;
        rho = g / 1000.0;
      }
    }
    return rho;
  }

  @Test
  void sharedCorrelationOfMixedDevicesIsTheFitToTheScaledMeanCurve() {
    // Half the devices fast and small, half slow and ten times larger: the scaling by the short lags decides the mix.
    int n = SymmetryPointSearch.POOL_MIN_DEVICES;
    int capacity = 160;
    float[] s = new float[n * capacity];
    for (int i = 0; i < n; i++) {
      boolean slow = i % 2 == 1;
      float[] one = ar1(1, capacity, capacity, slow ? 0.95 : 0.5, 0.3, 100 + i);
      for (int k = 0; k < capacity; k++) s[i * capacity + k] = (slow ? 10 : 1) * one[k];
    }
    int[] finishedAt = new int[n];
    for (int i = 0; i < n; i++) finishedAt[i] = 100 + 3 * i;
    double pooled = Errors.sharedCorrelation(s, capacity, finishedAt, n, 150);
    assertEquals(referenceShared(s, capacity, finishedAt, n, 150), pooled, 1e-12, "array-parallel window");
    double perDevice = Errors.sharedCorrelation(s, capacity, finishedAt, n, 0);
    assertEquals(referenceShared(s, capacity, finishedAt, n, 0), perDevice, 1e-12, "per-device windows");
  }

  @Test
  void sharedCorrelationNeedsEnoughDevicesAndLags() {
    int n = SymmetryPointSearch.POOL_MIN_DEVICES;
    int capacity = 200;
    float[] s = ar1(n, capacity, capacity, 0.7, 0.1, 6);
    int[] all = new int[n];
    java.util.Arrays.fill(all, capacity);
    assertTrue(Double.isNaN(Errors.sharedCorrelation(s, capacity, all, n - 1, capacity)), "one device too few");
    int[] oneUnfinished = all.clone();
    oneUnfinished[3] = 0;
    assertTrue(Double.isNaN(Errors.sharedCorrelation(s, capacity, oneUnfinished, n, capacity)), "an unfinished device does not count");
    // poolEnd 14: window [7, 14), lagMax (14 - 7) / 2 = 3 < 4.
    assertTrue(Double.isNaN(Errors.sharedCorrelation(s, capacity, all, n, 14)), "too few lags");
    // poolEnd 16: window [8, 16), 4 lags: enough.
    assertTrue(Errors.sharedCorrelation(s, capacity, all, n, 16) > 0, "four lags");
  }
}
