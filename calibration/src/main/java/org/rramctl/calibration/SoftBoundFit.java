package org.rramctl.calibration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresBuilder;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresOptimizer;
import org.apache.commons.math3.fitting.leastsquares.LevenbergMarquardtOptimizer;
import org.apache.commons.math3.fitting.leastsquares.MultivariateJacobianFunction;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.util.Pair;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.Tile;

/**
 * The pulse-response measurement (N up pulses, then N down, reading after every few) and the least-squares
 * fit of the soft-bound model to it (Apache Commons Math, Levenberg-Marquardt), per device.
 *
 * <p>The fit works on the closed form of n same-sign pulses (DESIGN.md section 2),
 * {@code G_n = bMax - (bMax - G_0) (1 - kUp)^n} up and {@code G_m = bMin + (G_N - bMin) (1 - kDown)^m} down,
 * in units of the board's conductance window (for conditioning), with five parameters: G_0, kUp, kDown,
 * bMax, bMin. Fitting the whole trajectory rather than one-step differences matters: a step (about 0.1 %
 * of the window) is smaller than the read noise, so the curvature that fixes the bounds is only visible
 * over many pulses.
 */
public final class SoftBoundFit {
  private SoftBoundFit() {}

  /** A measured pulse response of one device: reads (siemens) after 0, r, 2r ... N up pulses, then r ... N down. */
  public record Response(int array, int row, int col, int pulsesPerBranch, int readEvery, double[] upSiemens, double[] downSiemens) {}

  /** Devices of a tile, spread evenly, that the fit is done on (all when {@code perArray} is -1 or covers them). */
  static int[] sample(Tile tile, int perArray) {
    int n = tile.devices();
    if (perArray < 0 || perArray >= n) {
      int[] all = new int[n];
      for (int i = 0; i < n; i++) all[i] = i;
      return all;
    }
    int[] idx = new int[perArray];
    for (int i = 0; i < perArray; i++) idx[i] = (int) ((i + 0.5) * n / perArray);
    return idx;
  }

  /**
   * Measures the pulse response of the sampled devices of a tile. In parallel mode the whole tile is
   * pulsed by the parallel update; otherwise each sampled device is pulsed on its own.
   */
  public static List<Response> measure(CrossbarDriver driver, Tile tile, CalibrationSettings s, boolean parallel, Monitor monitor) throws IOException {
    int[] idx = sample(tile, s.fitDevicesPerArray());
    int nPulses = s.fitPulses();
    int r = s.fitReadEvery();
    int reads = nPulses / r;
    List<Response> out = new ArrayList<>();
    if (idx.length == 0 || nPulses == 0) return out;
    Cell[] cells = new Cell[idx.length];
    for (int i = 0; i < idx.length; i++) cells[i] = Cell.active(tile.array(), tile.row0() + idx[i] / tile.cols(), tile.col0() + idx[i] % tile.cols());
    double[][] up = new double[idx.length][reads + 1];
    double[][] dn = new double[idx.length][reads];
    if (parallel) {
      monitor.stage("pulse response, " + tile, 2L * reads, "reads");
      Actuator act = Actuators.parallel(driver, tile, Plane.ACTIVE, s);
      boolean vector = idx.length * 16 >= tile.devices();
      double[] all = vector ? new double[tile.devices()] : null;
      readSample(driver, act, all, cells, idx, up, 0, s.readVolts());
      for (int k = 1; k <= reads; k++) {
        if (monitor.stopRequested()) return out;
        act.pulses(Polarity.UP, r);
        readSample(driver, act, all, cells, idx, up, k, s.readVolts());
        monitor.advance(1);
      }
      for (int k = 0; k < reads; k++) {
        if (monitor.stopRequested()) return out;
        act.pulses(Polarity.DOWN, r);
        readSample(driver, act, all, cells, idx, dn, k, s.readVolts());
        monitor.advance(1);
      }
    } else {
      monitor.stage("pulse response per device, " + tile, idx.length, "devices");
      Pulse pu = s.upPulse();
      Pulse pd = s.downPulse();
      for (int i = 0; i < idx.length; i++) {
        if (monitor.stopRequested()) return out;
        up[i][0] = driver.read(cells[i], s.readVolts());
        for (int k = 1; k <= reads; k++) up[i][k] = driver.pulseThenRead(cells[i], pu, r, s.readVolts());
        for (int k = 0; k < reads; k++) dn[i][k] = driver.pulseThenRead(cells[i], pd, r, s.readVolts());
        monitor.advance(1);
      }
    }
    for (int i = 0; i < idx.length; i++) out.add(new Response(cells[i].array(), cells[i].row(), cells[i].col(), reads * r, r, up[i], dn[i]));
    return out;
  }

  private static void readSample(CrossbarDriver driver, Actuator act, double[] all, Cell[] cells, int[] idx, double[][] into, int k, double readVolts) throws IOException {
    if (all != null) {
      act.read(all);
      for (int i = 0; i < idx.length; i++) into[i][k] = all[idx[i]];
    } else {
      for (int i = 0; i < cells.length; i++) into[i][k] = driver.read(cells[i], readVolts);
    }
  }

  /**
   * Fits one device's response.
   *
   * @param gMinSiemens lower end of the board window (the fit's unit origin)
   * @param gMaxSiemens upper end
   */
  public static DeviceFit fit(Response resp, double gMinSiemens, double gMaxSiemens) {
    double w = gMaxSiemens - gMinSiemens;
    int r = resp.readEvery();
    int nu = resp.upSiemens().length;
    int nd = resp.downSiemens().length;
    int nObs = nu + nd;
    double[] y = new double[nObs];
    for (int i = 0; i < nu; i++) y[i] = (resp.upSiemens()[i] - gMinSiemens) / w;
    for (int i = 0; i < nd; i++) y[nu + i] = (resp.downSiemens()[i] - gMinSiemens) / w;
    int nUpPulses = (nu - 1) * r;
    // Start: bounds at the window ends, rates from the mean slope of each branch.
    double y0 = y[0];
    double yN = y[nu - 1];
    double slopeUp = (y[Math.min(nu - 1, Math.max(1, nu / 4))] - y0) / (Math.max(1, nu / 4) * r);
    double slopeDown = (yN - y[nu + Math.min(nd - 1, Math.max(0, nd / 4 - 1))]) / (Math.max(1, nd / 4) * r);
    double kUp0 = clampRate(slopeUp / Math.max(0.05, 1 - y0));
    double kDown0 = clampRate(slopeDown / Math.max(0.05, yN));
    double[] start = {y0, kUp0, kDown0, 1.0, 0.0};
    MultivariateJacobianFunction model = point -> {
      double[] p = point.toArray();
      double[] v = predict(p, nu, nd, r);
      double[][] jac = new double[nObs][5];
      for (int j = 0; j < 5; j++) {
        double hstep = j == 1 || j == 2 ? Math.max(1e-9, 1e-4 * Math.abs(p[j])) : 1e-6;
        double[] pp = p.clone();
        double[] pm = p.clone();
        pp[j] += hstep;
        pm[j] -= hstep;
        double[] vp = predict(pp, nu, nd, r);
        double[] vm = predict(pm, nu, nd, r);
        for (int i = 0; i < nObs; i++) jac[i][j] = (vp[i] - vm[i]) / (2 * hstep);
      }
      return new Pair<RealVector, RealMatrix>(new ArrayRealVector(v, false), new Array2DRowRealMatrix(jac, false));
    };
    double[] p;
    RealMatrix cov;
    boolean converged = true;
    double rss;
    try {
      LeastSquaresOptimizer.Optimum opt = new LevenbergMarquardtOptimizer().optimize(new LeastSquaresBuilder()
          .start(start)
          .model(model)
          .target(y)
          .parameterValidator(v -> {
            double[] q = v.toArray();
            q[1] = clampRate(q[1]);
            q[2] = clampRate(q[2]);
            if (q[3] < q[4] + 1e-3) q[3] = q[4] + 1e-3;
            return new ArrayRealVector(q, false);
          })
          .maxEvaluations(400)
          .maxIterations(200)
          .build());
      p = opt.getPoint().toArray();
      rss = opt.getResiduals().dotProduct(opt.getResiduals());
      cov = opt.getCovariances(1e-14).scalarMultiply(rss / Math.max(1, nObs - 5));
    } catch (RuntimeException e) {
      // Singular covariance or no convergence: report the start values, flagged.
      p = start;
      converged = false;
      double[] v = predict(p, nu, nd, r);
      rss = 0;
      for (int i = 0; i < nObs; i++) rss += (y[i] - v[i]) * (y[i] - v[i]);
      cov = null;
    }
    double h = (p[3] - p[4]) / 2;
    double aUp = p[1] * h * w;
    double aDown = p[2] * h * w;
    double bMax = gMinSiemens + p[3] * w;
    double bMin = gMinSiemens + p[4] * w;
    double sp = (p[1] * p[3] + p[2] * p[4]) / (p[1] + p[2]);
    double spSe = Double.NaN;
    double[] sig = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    if (cov != null) {
      for (int j = 0; j < 5; j++) sig[j] = Math.sqrt(Math.max(0, cov.getEntry(j, j)));
      // Delta method for the symmetry point.
      double den = p[1] + p[2];
      double[] grad = {0, (p[3] - sp) / den, (p[4] - sp) / den, p[1] / den, p[2] / den};
      double var = 0;
      for (int a = 0; a < 5; a++) for (int b = 0; b < 5; b++) var += grad[a] * grad[b] * cov.getEntry(a, b);
      spSe = Math.sqrt(Math.max(0, var)) * w;
    }
    // Step uncertainties: a = k h w; first-order, ignoring the k-h covariance.
    double sigAUp = Double.isNaN(sig[1]) ? Double.NaN : Math.hypot(sig[1] * h, p[1] * 0.5 * Math.hypot(sig[3], sig[4])) * w;
    double sigADown = Double.isNaN(sig[2]) ? Double.NaN : Math.hypot(sig[2] * h, p[2] * 0.5 * Math.hypot(sig[3], sig[4])) * w;
    double[] noise = variogram(y, predict(p, nu, nd, r), p, nu, nd, r);
    return new DeviceFit(resp.array(), resp.row(), resp.col(), aUp, aDown, bMax, bMin, noise[0], noise[1] * w,
        sigAUp, sigADown, sig[3] * w, sig[4] * w, gMinSiemens + sp * w, spSe, Math.sqrt(rss / nObs) * w, converged);
  }

  /**
   * The fitted model's response to N up then N down pulses from {@code startSiemens}, at the read points
   * of a measured response (after 0, r ... N up pulses, then r ... N down), siemens.
   */
  public static double[] curve(DeviceFit f, double startSiemens, int pulsesPerBranch, int readEvery) {
    double h = (f.bMaxSiemens() - f.bMinSiemens()) / 2;
    int nu = pulsesPerBranch / readEvery + 1;
    int nd = pulsesPerBranch / readEvery;
    double[] p = {startSiemens, f.aUpSiemens() / h, f.aDownSiemens() / h, f.bMaxSiemens(), f.bMinSiemens()};
    return predict(p, nu, nd, readEvery);
  }

  private static double clampRate(double k) {
    return Math.max(1e-7, Math.min(0.5, Double.isNaN(k) ? 1e-3 : k));
  }

  /** The closed-form response for parameters {G_0, kUp, kDown, bMax, bMin} (window units). */
  static double[] predict(double[] p, int nu, int nd, int r) {
    double[] v = new double[nu + nd];
    double y0 = p[0];
    double top = p[3];
    double bot = p[4];
    double lu = Math.log1p(-p[1]);
    double ld = Math.log1p(-p[2]);
    for (int i = 0; i < nu; i++) v[i] = top - (top - y0) * Math.exp(lu * i * r);
    double yN = v[nu - 1];
    for (int i = 0; i < nd; i++) v[nu + i] = bot + (yN - bot) * Math.exp(ld * (i + 1) * r);
    return v;
  }

  /**
   * Cycle-to-cycle spread and read noise from the residuals' variogram: over a lag of L reads (L r pulses)
   * the c2c random walk adds {@code L r (c2c s)^2} to the mean squared residual difference, read noise a
   * constant {@code 2 sigma^2}. A line through the variogram at lags 1, 2, 4 ... 32 gives both.
   * Returns {c2c (relative), read noise (window units)}.
   */
  static double[] variogram(double[] y, double[] model, double[] p, int nu, int nd, int r) {
    double[] res = new double[y.length];
    for (int i = 0; i < y.length; i++) res[i] = y[i] - model[i];
    // mean squared model step per pulse along the response
    double s2 = 0;
    for (int i = 0; i < nu; i++) s2 += Math.pow(p[1] * (p[3] - model[i]), 2);
    for (int i = nu; i < y.length; i++) s2 += Math.pow(p[2] * (model[i] - p[4]), 2);
    s2 /= y.length;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int m = 0;
    for (int lag = 1; lag <= 32; lag *= 2) {
      double acc = 0;
      int c = 0;
      for (int[] br : new int[][] {{0, nu}, {nu, y.length}}) {
        for (int i = br[0]; i + lag < br[1]; i++) {
          double d = res[i + lag] - res[i];
          acc += d * d;
          c++;
        }
      }
      if (c < 4) break;
      double v = acc / c;
      double x = (double) lag * r;
      sx += x;
      sy += v;
      sxx += x * x;
      sxy += x * v;
      m++;
    }
    if (m < 2 || !(s2 > 0)) return new double[] {Double.NaN, Double.NaN};
    double slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
    double icpt = (sy - slope * sx) / m;
    return new double[] {Math.sqrt(Math.max(0, slope) / s2), Math.sqrt(Math.max(0, icpt) / 2)};
  }
}
