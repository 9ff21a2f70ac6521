package org.rramctl.calibration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Tile;

/**
 * Finds each device's symmetry point with alternating up and down pulses (DESIGN.md section 3,
 * Kim et al. 2019, arXiv 1907.10228), through the driver interface only.
 *
 * <h2>Method</h2>
 * <ol>
 *   <li><b>Same-sign block.</b> When the median device reads within 15 % of an end of the conductance
 *       window, a block of pulses toward the middle is applied first (in chunks, reading after each) until
 *       the median is inside the middle 40 % or the block budget is spent. Alternation would get there too,
 *       but a same-sign pulse moves a device about twice as far as a pair does.</li>
 *   <li><b>Response probe.</b> {@value #PROBE_PULSES} up pulses, a read, as many down pulses, a read: the
 *       response each way, which with the symmetry point gives each device's step there (a stuck device's is
 *       tiny; {@code Errors.stepAtSymmetryPoint}) and gives reference programming its first step size.</li>
 *   <li><b>Alternation.</b> Up, down, up, down ... A pair moves w by about
 *       {@code -(a_up/b_max - a_down/b_min) (w - w*)}: an exponential approach with a time constant of
 *       hundreds of pairs, then a limit cycle around w*.</li>
 *   <li><b>Sparse sampling.</b> Once every {@code sampleEveryPairs} pairs the devices are read after the
 *       up pulse (u) and after the down pulse (d). A single read is biased by about half a step (after an
 *       up pulse the device sits above w*); the midpoint m = (u + d) / 2 is not, to first order (the
 *       residual bias is {@code h (a_up/b_max + a_down/b_min) / (a_up/b_max - a_down/b_min)} with h half a
 *       step, about 1e-4 of the range). Consecutive pairs are correlated over the time constant, so reading
 *       every pair would cost most of the run and add almost no information.</li>
 *   <li><b>Estimate.</b> The mean of m over the trailing half of the samples (the leading half holds the
 *       approach and is discarded). Its standard error treats the samples as AR(1): with lag-one correlation
 *       rho, plus white read noise: {@code Var(mean) = (c0 + 2 c1 / (1 - rho)) / n} with rho = c2 / c1 from
 *       the lag-1 and lag-2 autocovariances (read noise only inflates c0), each corrected for the
 *       sample-mean bias (autocovariances about the sample mean are low by about Var(mean)). That estimate
 *       only drives the convergence rule; the standard error reported at the end is recomputed with a
 *       correlation shared by the tile, the leftover approach and Student's t (see {@code reportedErrors}),
 *       because a window of one to three time constants cannot tell its own correlation.</li>
 *   <li><b>Convergence.</b> Every {@code checkEveryPairs} pairs (after {@code minPairs}): a device is done
 *       when SE &lt;= tolerance and the means of the two halves of its window differ by at most the
 *       tolerance. For an exponential tail the window mean's bias is 0.55-0.8 times that difference, so
 *       the second condition bounds the leftover approach. Otherwise the device runs on until the budget.</li>
 * </ol>
 * In the array-parallel mode one pulse program drives the whole tile, so a 256 x 785 tile costs the pulses
 * of one device plus the sparse reads; devices that are done keep receiving pulses (the array cannot skip
 * them) but their estimate is frozen. Once at most {@code handoffFraction} of the tile is still running
 * ({@link CalibrationSettings#DEFAULT_HANDOFF_FRACTION} where that pays, none on a board whose commands cost a round trip
 * each: {@link Handoff}), those devices are finished one at a time with single-device calls (same pairs, same sampling),
 * so that the slowest few per cent no longer keep the whole tile pulsing to the budget. The per-device mode runs the same procedure on one device at a time
 * with single-device calls, for single-device instruments and for re-doing outliers.
 */
public final class SymmetryPointSearch {
  /** Devices per tile whose convergence is traced for plots. */
  static final int TRACED_DEVICES = 4;
  /** Pulses each way of the response probe that finds stuck devices. */
  public static final int PROBE_PULSES = 128;
  /** Fewest devices whose variograms give a shared sample correlation for the standard errors. */
  static final int POOL_MIN_DEVICES = 16;
  /** Fewest unselected samples of a device that enter the pooled noise level ({@code Errors.modelErrors}). */
  static final int POOL_MIN_SAMPLES = 8;
  /**
   * Per-device mode: samples taken after a converged device's search, for the pooled noise level, until the tile's
   * unselected samples reach {@value #NOISE_DOF_TARGET} degrees of freedom (sum of samples times (1 - rho)).
   */
  static final int NOISE_SAMPLES = 48;
  /**
   * Samples right after a device stopped that stay out of the noise level: they start from the state the stopping rule
   * picked (a flat window ends near its own mean, a deviation from the symmetry point smaller than a typical one), and
   * a variogram starting there is low by {@code rho^(2k) (1 - rho^L)^2 (s^2 - x0^2)} at sample k; the per-device
   * noise level came out 35 % low with none skipped. After 16 samples rho^(2k) is about 0.2 (rho = 0.953).
   */
  static final int NOISE_SKIP = 16;
  static final double NOISE_DOF_TARGET = 60;

  private SymmetryPointSearch() {}

  /** Array-parallel search of a tile's active devices. */
  public static TileSearch parallel(CrossbarDriver driver, Tile tile, CalibrationSettings s, Monitor monitor) throws IOException {
    BoardInfo info = driver.info();
    Actuator act = Actuators.parallel(driver, tile, Plane.ACTIVE, s);
    Actuator approach = s.approachPairs() == 0 ? null
        : Actuators.parallel(driver, tile, Plane.ACTIVE, s.approachPulse(Polarity.UP), s.approachPulse(Polarity.DOWN));
    monitor.stage("symmetry points, " + tile, (s.budgetPulses() + 1) / 2, "pairs");
    Group g = Group.ofTile(act, approach, s, info.gMinSiemens(), info.gMaxSiemens(), traceIndices(tile), monitor,
        k -> Actuators.single(driver, Cell.active(tile.array(), tile.row0() + k / tile.cols(), tile.col0() + k % tile.cols()),
            s.upPulse(), s.downPulse(), s.readVolts()));
    g.run();
    return g.result(tile);
  }

  /** Per-device search of every device of a tile, one at a time. */
  public static TileSearch perDevice(CrossbarDriver driver, Tile tile, CalibrationSettings s, Monitor monitor) throws IOException {
    return perDevice(driver, tile, s, monitor, true);
  }

  /**
   * As {@link #perDevice(CrossbarDriver, Tile, CalibrationSettings, Monitor)}; with {@code noiseSamples} false no device
   * gets the {@value #NOISE_SAMPLES} samples after its search that pool the noise level of the standard errors (they cost
   * 2 x 32 x 48 pulses a device): for a re-measurement that needs the estimate, not an interval that means what it says.
   */
  public static TileSearch perDevice(CrossbarDriver driver, Tile tile, CalibrationSettings s, Monitor monitor, boolean noiseSamples) throws IOException {
    BoardInfo info = driver.info();
    info.checkTile(tile);
    int n = tile.devices();
    double[] est = new double[n];
    double[] se = new double[n];
    int[] pulses = new int[n];
    SearchStatus[] status = new SearchStatus[n];
    double[] upResponse = new double[n];
    double[] downResponse = new double[n];
    Arrays.fill(est, Double.NaN);
    Arrays.fill(se, Double.NaN);
    Arrays.fill(upResponse, Double.NaN);
    Arrays.fill(downResponse, Double.NaN);
    Arrays.fill(status, SearchStatus.NOT_MEASURED);
    List<Trace> traces = new ArrayList<>();
    int[] traced = traceIndices(tile);
    int capacity = s.budgetPulses() / 2 / s.sampleEveryPairs() + 1;
    float[] kept = new float[Math.multiplyExact(n, capacity)];
    int[] finishedAt = new int[n];
    double[] rhoOwn = new double[n];
    Arrays.fill(rhoOwn, Double.NaN);
    double[] anchors = new double[n];
    int noiseCapacity = Math.max(NOISE_SAMPLES, capacity / 2 + 1);
    float[] noise = new float[Math.multiplyExact(n, noiseCapacity)];
    int[] noiseFrom = new int[n];
    int[] noiseTo = new int[n];
    double noiseDof = 0;
    double[] readNoise = new double[2];
    // The pooled rule: once the noise samples of the devices searched so far reach their degrees of freedom, their
    // level is what the following devices stop on (CalibrationSettings.StopRule.POOLED); the first ones use their own windows.
    Errors.NoiseLevel prior = null;
    monitor.stage("symmetry points per device, " + tile, n, "devices");
    int block = 0;
    for (int k = 0; k < n; k++) {
      if (monitor.stopRequested()) break;
      Cell cell = Cell.active(tile.array(), tile.row0() + k / tile.cols(), tile.col0() + k % tile.cols());
      Actuator act = Actuators.single(driver, cell, s.upPulse(), s.downPulse(), s.readVolts());
      Actuator approach = s.approachPairs() == 0 ? null
          : Actuators.single(driver, cell, s.approachPulse(Polarity.UP), s.approachPulse(Polarity.DOWN), s.readVolts());
      boolean trace = contains(traced, k);
      Group g = Group.ofDevice(act, approach, s, info.gMinSiemens(), info.gMaxSiemens(), trace, monitor, prior);
      g.run();
      est[k] = g.est[0];
      se[k] = g.se[0];
      pulses[k] = g.pulses[0];
      status[k] = g.status[0];
      upResponse[k] = g.upResponse[0];
      downResponse[k] = g.downResponse[0];
      // the read after the DOWN half of the probe is the anchor; the one between the halves is the anchor plus the fall
      rhoOwn[k] = Errors.probeCorrelation(g.upResponse[0], g.downResponse[0], g.anchor[0] + g.downResponse[0], info.gMinSiemens(), info.gMaxSiemens(),
          PROBE_PULSES, s.sampleEveryPairs());
      anchors[k] = g.anchor[0];
      float[] own = g.finishedSamples();
      System.arraycopy(own, 0, kept, k * capacity, own.length);
      finishedAt[k] = own.length;
      if (status[k] == SearchStatus.BUDGET) {
        // a window no stopping decision picked: it counts toward the noise level as it is
        noiseTo[k] = own.length - own.length / 2;
        System.arraycopy(own, own.length / 2, noise, k * noiseCapacity, Math.min(noiseCapacity, noiseTo[k]));
        noiseTo[k] = Math.min(noiseCapacity, noiseTo[k]);
        noiseDof += noiseTo[k] * (1 - (rhoOwn[k] > 0 && rhoOwn[k] < 1 ? rhoOwn[k] : 1));
      } else if (noiseSamples && status[k] == SearchStatus.CONVERGED && noiseDof < NOISE_DOF_TARGET && !monitor.stopRequested()) {
        // The converged window was picked for its small spread (see Errors.modelErrors): until the tile has enough
        // samples no decision looked at, a converged device gets NOISE_SAMPLES more of them.
        int taken = noiseSamples(act, s, g.anchor[0], noise, k * noiseCapacity, readNoise);
        pulses[k] += 2 * taken * s.sampleEveryPairs();
        noiseFrom[k] = Math.min(taken, NOISE_SKIP);
        noiseTo[k] = taken;
        noiseDof += (taken - noiseFrom[k]) * (1 - (rhoOwn[k] > 0 && rhoOwn[k] < 1 ? rhoOwn[k] : 1));
      }
      if (noiseSamples && prior == null && s.stopRule() == CalibrationSettings.StopRule.POOLED && noiseDof >= NOISE_DOF_TARGET) {
        double white = readNoise[1] >= 8 ? readNoise[0] / (2 * readNoise[1]) / 2 : Double.NaN;
        prior = Errors.noiseLevel(finishedAt, noise, noiseCapacity, noiseFrom, noiseTo, k + 1, est, anchors, upResponse, downResponse, info.gMinSiemens(),
            info.gMaxSiemens(), s.sampleEveryPairs(), white);
      }
      block = g.blockPulses;
      for (Trace t : g.traces) traces.add(new Trace(cell.array(), cell.row(), cell.col(), t.pairs(), t.midpointSiemens(), t.estimateSiemens()));
      monitor.advance(1);
      if (status[k] == SearchStatus.INTERRUPTED) break;
    }
    // A device's window is too short to tell its own correlation (see Group.reportedErrors); its response probe
    // gives it through the soft-bound model (Errors.probeCorrelation), the tile's pooled variogram where it cannot.
    int measured = 0;
    for (int f : finishedAt) if (f > 0) measured++;
    if (measured > 0) {
      Errors.pooledErrors(kept, capacity, finishedAt, n, 0, se, rhoOwn);
      // The white noise of a midpoint (two reads averaged) is half the read-noise variance, measured by the repeated reads.
      double white = readNoise[1] >= 8 ? readNoise[0] / (2 * readNoise[1]) / 2 : Double.NaN;
      Errors.modelErrors(kept, capacity, finishedAt, noise, noiseCapacity, noiseFrom, noiseTo, n, est, anchors, upResponse, downResponse, info.gMinSiemens(),
          info.gMaxSiemens(), s.sampleEveryPairs(), white, se);
    }
    return new TileSearch(tile, est, se, pulses, status, upResponse, downResponse, anchors, block, traces);
  }

  /**
   * {@value #NOISE_SAMPLES} more samples of a device after its search: the same pairs and sparse reads, the
   * midpoints relative to {@code anchor} into {@code out[off ..]}; returns how many were taken (fewer when stopped).
   */
  private static int noiseSamples(Actuator act, CalibrationSettings s, double anchor, float[] out, int off, double[] readNoise) throws IOException {
    double[] u = new double[1];
    double[] d = new double[1];
    double[] again = new double[1];
    int taken = 0;
    try {
      for (int j = 0; j < NOISE_SAMPLES; j++) {
        for (int p = 1; p < s.sampleEveryPairs(); p++) {
          act.pulse(Polarity.UP);
          act.pulse(Polarity.DOWN);
        }
        act.pulseThenRead(Polarity.UP, u);
        act.pulseThenRead(Polarity.DOWN, d);
        // A second read of the same state: the difference is read noise alone (2 sigma_read^2).
        act.read(again);
        readNoise[0] += (d[0] - again[0]) * (d[0] - again[0]);
        readNoise[1]++;
        out[off + taken++] = (float) (0.5 * (u[0] + d[0]) - anchor);
      }
    } catch (DriverAbortedException e) {
      // what was taken counts
    }
    return taken;
  }

  private static boolean contains(int[] a, int v) {
    for (int x : a) if (x == v) return true;
    return false;
  }

  /** A few devices spread over the tile: first, last, and two in between. */
  static int[] traceIndices(Tile tile) {
    int n = tile.devices();
    if (n <= TRACED_DEVICES) {
      int[] all = new int[n];
      for (int i = 0; i < n; i++) all[i] = i;
      return all;
    }
    return new int[] {0, n / 3 + tile.cols() / 2, (2 * n) / 3 + tile.cols() / 3, n - 1};
  }

  /**
   * The search state of one group of devices pulsed together: a whole tile ({@link #ofTile}, array-parallel, which
   * may hand its slow tail to single-device calls) or one device ({@link #ofDevice}). Run once, then read.
   */
  static final class Group {
    /** Trailing-window statistics of one device: mean (relative to its anchor), standard error, |difference of the halves|. */
    record Window(double mean, double standardError, double trend) {}

    private final Actuator act;
    /** Actuator of the approach pairs; null when there are none. */
    private final Actuator approach;
    private final CalibrationSettings s;
    private final double gMin;
    private final double gMax;
    private final int n;
    /** Where pairs are counted: the tile's progress; {@link Monitor#NONE} for a device (its tile counts devices). */
    private final Monitor progress;
    /** Asked before every pair whether to stop. */
    private final Monitor stop;
    /** A tile's search reports its standard errors itself; a device's are pooled over its tile afterwards. */
    private final boolean poolsErrors;
    /** Where the slow tail goes one device at a time; null: never. */
    private final Tail tail;
    private final Tracer tracer;

    // Per device, the results (as TileSearch reports them).
    final double[] est;
    final double[] se;
    final int[] pulses;
    final SearchStatus[] status;
    /** Conductance change over the probe's up pulses. */
    final double[] upResponse;
    /** Conductance change (positive) over the probe's down pulses. */
    final double[] downResponse;
    /** The read after the probe: each device's samples are relative to it. */
    final double[] anchor;
    final List<Trace> traces = new ArrayList<>();

    /** Devices whose search goes on (from the end of the probe until they converge or the search ends). */
    private final boolean[] searching;
    /** Pulses every device received before the alternation: the same-sign block (signed), the probe, the approach. */
    int blockPulses;
    private int probePulses;
    private int approachPulses;

    /** Midpoints relative to each device's anchor (float keeps 235k devices x 256 samples in 240 MB), row i at i * capacity. */
    private float[] samples;
    private final int capacity;
    private int nSamples;
    /** Samples recorded when device i finished: its window is the trailing half of them. */
    private final int[] finishedAt;
    /** Whether the stopping rule uses the pooled noise model ({@link CalibrationSettings.StopRule#POOLED}, a tile of enough devices). */
    private final boolean pooledStopping;
    /** The pooled noise level of the stopping rule, from the first check; null before it or under the own-window rule. */
    private Errors.NoiseLevel level;
    /** A lone device's: the tile's noise level pooled before it (per-device mode, pooled rule), or null. */
    private Errors.NoiseLevel prior;

    private Group(Actuator act, Actuator approach, CalibrationSettings s, double gMin, double gMax, int[] traced, Monitor progress, Monitor stop,
        boolean poolsErrors, java.util.function.IntFunction<Actuator> single) {
      this.act = act;
      this.approach = approach;
      this.s = s;
      this.gMin = gMin;
      this.gMax = gMax;
      this.n = act.size();
      this.progress = progress;
      this.stop = stop;
      this.poolsErrors = poolsErrors;
      this.tail = single == null ? null : new Tail(single);
      est = new double[n];
      se = new double[n];
      pulses = new int[n];
      status = new SearchStatus[n];
      upResponse = new double[n];
      downResponse = new double[n];
      Arrays.fill(est, Double.NaN);
      Arrays.fill(se, Double.NaN);
      Arrays.fill(upResponse, Double.NaN);
      Arrays.fill(downResponse, Double.NaN);
      Arrays.fill(status, SearchStatus.NOT_MEASURED);
      anchor = new double[n];
      searching = new boolean[n];
      capacity = s.budgetPulses() / 2 / s.sampleEveryPairs() + 1;
      samples = new float[Math.multiplyExact(n, capacity)];
      tracer = new Tracer(traced, capacity);
      finishedAt = new int[n];
      pooledStopping = s.stopRule() == CalibrationSettings.StopRule.POOLED && poolsErrors && n >= POOL_MIN_DEVICES;
    }

    /**
     * A tile's devices driven by one actuator; {@code single} gives device k's single-device actuator for the slow
     * tail (null: no handoff). Counts pairs on {@code monitor}.
     */
    static Group ofTile(Actuator act, Actuator approach, CalibrationSettings s, double gMin, double gMax, int[] traced, Monitor monitor,
        java.util.function.IntFunction<Actuator> single) {
      return new Group(act, approach, s, gMin, gMax, traced, monitor, monitor, true, single);
    }

    /** One device; {@code stop} is the tile's monitor, asked before every pair. */
    static Group ofDevice(Actuator act, Actuator approach, CalibrationSettings s, double gMin, double gMax, boolean traced, Monitor stop) {
      return ofDevice(act, approach, s, gMin, gMax, traced, stop, null);
    }

    /**
     * One device; with {@code prior} (the noise level pooled over the tile's devices searched before it, under
     * {@link CalibrationSettings.StopRule#POOLED}) its stopping rule uses that level with its own probe's steps.
     */
    static Group ofDevice(Actuator act, Actuator approach, CalibrationSettings s, double gMin, double gMax, boolean traced, Monitor stop,
        Errors.NoiseLevel prior) {
      Group g = new Group(act, approach, s, gMin, gMax, traced ? new int[] {0} : new int[0], Monitor.NONE, stop, false, null);
      g.prior = prior;
      return g;
    }

    void run() throws IOException {
      double[] u = new double[n];
      double[] d = new double[n];
      int pairs = 0;
      int running = n;
      try {
        act.read(u);
        blockPulses = sameSignBlock(u);
        // Response probe: PROBE_PULSES up, read, as many down, read. A working device moves tens of read-noise
        // standard deviations each way; a stuck one does not. (The limit-cycle step itself is smaller than
        // the read noise and cannot tell them apart in a few hundred reads.)
        act.pulses(Polarity.UP, PROBE_PULSES);
        act.read(d);
        for (int i = 0; i < n; i++) upResponse[i] = d[i] - u[i];
        act.pulses(Polarity.DOWN, PROBE_PULSES);
        act.read(u);
        for (int i = 0; i < n; i++) downResponse[i] = d[i] - u[i];
        probePulses = 2 * PROBE_PULSES;
        System.arraycopy(u, 0, anchor, 0, n);
        Arrays.fill(searching, true);
        int approachPairs = approach == null ? 0 : s.approachPairs();
        for (int p = 0; p < approachPairs && !stop.stopRequested(); p++) {
          approach.pulse(Polarity.UP);
          approach.pulse(Polarity.DOWN);
          progress.advance(1);
        }
        approachPulses = 2 * approachPairs;
        int maxPairs = (s.budgetPulses() - Math.abs(blockPulses) - probePulses - approachPulses) / 2;
        while (pairs < maxPairs && running > 0) {
          if (stop.stopRequested()) break;
          pairs++;
          boolean sample = pairs % s.sampleEveryPairs() == 0;
          if (tail != null && tail.started()) {
            tail.pair(sample, u, d);
            if (sample) record(u, d, pairs);
          } else if (sample) {
            act.pulseThenRead(Polarity.UP, u);
            act.pulseThenRead(Polarity.DOWN, d);
            record(u, d, pairs);
          } else {
            act.pulse(Polarity.UP);
            act.pulse(Polarity.DOWN);
          }
          progress.advance(1);
          if (pairs % s.checkEveryPairs() == 0 && pairs >= s.minPairs()) {
            running = check(pairs);
            if (tail != null && running > 0 && running <= s.handoffFraction() * n) tail.handOff(searching, pairs, nSamples);
          }
        }
        for (int i = 0; i < n; i++) {
          if (!searching[i]) continue;
          if (pairs >= maxPairs) {
            status[i] = SearchStatus.BUDGET;
            finish(i, pairs);
          } else if (nSamples >= 4) {
            status[i] = SearchStatus.INTERRUPTED;
            finish(i, pairs);
          } else {
            status[i] = SearchStatus.NOT_MEASURED;
            pulses[i] = pulsesBefore() + 2 * pairs;
          }
        }
      } catch (DriverAbortedException e) {
        for (int i = 0; i < n; i++) {
          if (status[i] == SearchStatus.CONVERGED) continue;
          status[i] = nSamples >= 4 ? SearchStatus.INTERRUPTED : SearchStatus.NOT_MEASURED;
          if (nSamples >= 4) finish(i, pairs);
          else pulses[i] = pulsesBefore() + 2 * pairs; // as when a stop request ends the search
        }
      }
      traces.addAll(tracer.traces());
      if (poolsErrors) reportedErrors();
      // The per-device mode reads this device's samples afterwards (finishedSamples); a tile's are dropped here.
      if (n > 1) samples = null;
    }

    /** Pulses each device received before the alternation. */
    private int pulsesBefore() {
      return Math.abs(blockPulses) + probePulses + approachPulses;
    }

    /** Applies the initial same-sign block when the median device starts near an end of the window; returns signed pulses. */
    private int sameSignBlock(double[] g) throws IOException {
      if (s.blockBudgetPulses() == 0) return 0;
      double window = gMax - gMin;
      double med = median(g);
      double y = (med - gMin) / window;
      Polarity dir;
      if (y < 0.15) dir = Polarity.UP;
      else if (y > 0.85) dir = Polarity.DOWN;
      else return 0;
      int chunk = 32;
      int applied = 0;
      while (applied + chunk <= s.blockBudgetPulses()) {
        if (stop.stopRequested()) break;
        act.pulses(dir, chunk);
        applied += chunk;
        act.read(g);
        y = (median(g) - gMin) / window;
        if (y > 0.3 && y < 0.7) break;
      }
      return dir.sign() * applied;
    }

    private void record(double[] u, double[] d, int pairs) {
      if (nSamples >= capacity) return;
      int base = nSamples;
      for (int i = 0; i < n; i++) {
        double m = 0.5 * (u[i] + d[i]);
        samples[i * capacity + base] = (float) (m - anchor[i]);
      }
      nSamples++;
      // A traced device is traced until it converges: afterwards its reads may be stale (after the handoff
      // only the tail is read) and its estimate is frozen anyway.
      for (int t = 0; t < tracer.devices.length; t++) {
        int i = tracer.devices[t];
        if (!searching[i]) continue;
        tracer.add(t, pairs, (float) (0.5 * (u[i] + d[i])), (float) (window(i).mean() + anchor[i]));
      }
    }

    /** Trailing-window statistics of device i. */
    private Window window(int i) {
      int a = nSamples / 2;
      int m = nSamples - a;
      int off = i * capacity;
      double sum = 0;
      for (int k = a; k < nSamples; k++) sum += samples[off + k];
      double mean = sum / m;
      if (m < 3) return new Window(mean, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
      double ss = 0;
      double lag = 0;
      double prev = samples[off + a] - mean;
      ss += prev * prev;
      for (int k = a + 1; k < nSamples; k++) {
        double x = samples[off + k] - mean;
        ss += x * x;
        lag += prev * x;
        prev = x;
      }
      // Autocovariances at lags 1 and 2 give the AR(1) decay free of the white read noise (which only
      // inflates lag 0); reading the decay from lag 1 alone underestimated the standard error twofold.
      double lag2 = 0;
      for (int k = a + 2; k < nSamples; k++) lag2 += (samples[off + k - 2] - mean) * (samples[off + k] - mean);
      double g0 = ss / m;
      double g1 = lag / m;
      double g2 = lag2 / m;
      // Autocovariances about the sample mean are low by about Var(mean); add it back (three fixed-point steps).
      // Var(mean) = (c0 + 2 c1 / (1 - rho)) / m for AR(1) plus white noise, with c_h = g_h + Var(mean);
      // solved for Var(mean) at fixed rho, then rho refreshed: three fixed-point steps.
      double varMean = g0 / m;
      for (int it = 0; it < 3; it++) {
        double c1 = g1 + varMean;
        double rho = c1 > 0 ? Math.max(0, Math.min(0.98, (g2 + varMean) / c1)) : 0;
        double denom = m - 1 - 2 / (1 - rho);
        double num = g0 + 2 * Math.max(0, g1) / (1 - rho);
        varMean = denom > m / 8.0 ? num / denom : Double.POSITIVE_INFINITY;
        if (Double.isInfinite(varMean)) break;
      }
      double stdErr = Math.sqrt(varMean);
      int h = m / 2;
      double s1 = 0;
      double s2 = 0;
      for (int k = a; k < a + h; k++) s1 += samples[off + k];
      for (int k = a + h; k < nSamples; k++) s2 += samples[off + k];
      double trend = Math.abs(s2 / (m - h) - s1 / h);
      return new Window(mean, stdErr, trend);
    }

    /** The convergence rule on every device still searching; returns how many still are. */
    private int check(int pairs) {
      int running = 0;
      if (nSamples < 32) {
        for (boolean on : searching) if (on) running++;
        return running;
      }
      double tol = s.toleranceSiemens();
      if (pooledStopping && level == null) level = firstCheckNoiseLevel();
      if (prior != null && n == 1) level = prior.forDevice(upResponse[0], downResponse[0], anchor[0], window(0).mean() + anchor[0], gMin, gMax, s.sampleEveryPairs());
      for (int i = 0; i < n; i++) {
        if (!searching[i]) continue;
        Window w = window(i);
        double stdErr = level != null && !Double.isNaN(level.f()[i]) ? level.standardError(i, nSamples, samples[i * capacity] - w.mean()) : w.standardError();
        if (stdErr <= tol && w.trend() <= tol) {
          status[i] = SearchStatus.CONVERGED;
          finish(i, pairs);
        } else {
          running++;
        }
      }
      return running;
    }

    /**
     * The noise level of {@link CalibrationSettings.StopRule#POOLED}, pooled at the first check over every device's
     * trailing window: no device has stopped yet, so no window was picked for being flat (a pool of the devices still
     * searching at a later check would hold the noisy ones and overstate the noise). Null when no device fits the model.
     */
    private Errors.NoiseLevel firstCheckNoiseLevel() {
      int[] seen = new int[n];
      int[] from = new int[n];
      int[] to = new int[n];
      double[] mean = new double[n];
      for (int i = 0; i < n; i++) {
        if (!searching[i]) continue;
        seen[i] = nSamples;
        from[i] = nSamples / 2;
        to[i] = nSamples;
        mean[i] = window(i).mean() + anchor[i];
      }
      return Errors.noiseLevel(seen, samples, capacity, from, to, n, mean, anchor, upResponse, downResponse, gMin, gMax, s.sampleEveryPairs(), Double.NaN);
    }

    /** Device i's search ends here: its estimate from its window, its pulses so far. */
    private void finish(int i, int pairs) {
      searching[i] = false;
      Window w = window(i);
      est[i] = w.mean() + anchor[i];
      se[i] = w.standardError();
      finishedAt[i] = nSamples;
      pulses[i] = pulsesBefore() + 2 * pairs;
    }

    /**
     * Replaces each finished device's standard error by one that holds up: the window spans only one to
     * three time constants, so a device's own lag correlations are biased low and its AR(1) standard error
     * came out 2-3 times too small (60 % coverage at 1.96 SE). Here the correlation rho between samples
     * comes from the whole group: the variogram {@code V(L) = E (x_{k+L} - x_k)^2 = 2 s^2 (1 - rho^L) + 2 r^2}
     * (s^2 the limit cycle's variance, r^2 the white read noise of a midpoint) needs no mean, so it has no
     * short-window bias; the devices' variograms, each scaled to unit mean over lags 1-4, are averaged and rho fitted by
     * a grid search (s^2 and r^2 by linear least squares at each rho). Then each device's own s^2 and r^2
     * at that rho, and the exact variance of the mean of m AR(1) samples plus white noise:
     * {@code Var = s^2 / m^2 (m + 2 sum_{k=1}^{m-1} (m - k) rho^k) + r^2 / m}.
     * The devices' time constants differ (30 % device-to-device variation of the steps), so a shared rho
     * is right on average, not per device. The per-device mode runs a group per device and pools the
     * tile's devices afterwards ({@link Errors#pooledErrors} with their own windows).
     */
    private void reportedErrors() {
      int handoffSamples = tail == null ? 0 : tail.handoffSamples;
      // The shared rho comes from one window for all devices, the trailing half of what was read before the
      // handoff (or the end), not from each device's own window: a device stops when its window happens to be
      // flat, so the own windows of early stoppers have low long-lag variograms and gave too low a rho.
      if (n >= POOL_MIN_DEVICES) Errors.pooledErrors(samples, capacity, finishedAt, n, Math.min(capacity, handoffSamples > 0 ? handoffSamples : nSamples), se);
      // Unselected samples (see modelErrors): those read after a device had stopped while the tile was still read for
      // the others, and the window of a device that ran to the budget.
      int common = Math.min(capacity, handoffSamples > 0 ? handoffSamples : nSamples);
      int[] from = new int[n];
      int[] to = new int[n];
      for (int i = 0; i < n; i++) {
        from[i] = status[i] == SearchStatus.BUDGET ? finishedAt[i] / 2 : finishedAt[i] + NOISE_SKIP;
        to[i] = status[i] == SearchStatus.BUDGET ? finishedAt[i] : Math.max(finishedAt[i], common);
      }
      Errors.modelErrors(samples, capacity, finishedAt, samples, capacity, from, to, n, est, anchor, upResponse, downResponse, gMin, gMax,
          s.sampleEveryPairs(), Double.NaN, se);
      // Under the pooled stopping rule a device's interval is the one it stopped on: the noise level pooled at the first
      // check, before any device stopped, with the approach left in its window. (The level pooled afterwards from the
      // samples read after the stops sees only the settled limit cycle, and a device that stopped at the first check
      // kept some of the approach: its errors came out 1.3 times that interval. When every device stops at the first
      // check there are no samples after the stops at all.)
      if (level != null) {
        for (int i = 0; i < n; i++) {
          if (finishedAt[i] >= 4 && !Double.isNaN(level.f()[i]) && Double.isFinite(est[i])) {
            se[i] = level.standardError(i, finishedAt[i], samples[i * capacity] - (est[i] - anchor[i]));
          }
        }
      }
    }

    /** The samples of device 0 up to its finish (the per-device mode pools them over the tile afterwards). */
    float[] finishedSamples() {
      return samples == null ? new float[0] : Arrays.copyOf(samples, finishedAt[0]);
    }

    TileSearch result(Tile tile) {
      List<Trace> out = new ArrayList<>();
      for (Trace t : traces) {
        int k = t.col();
        out.add(new Trace(tile.array(), tile.row0() + k / tile.cols(), tile.col0() + k % tile.cols(), t.pairs(), t.midpointSiemens(), t.estimateSiemens()));
      }
      return new TileSearch(tile, est, se, pulses, status, upResponse, downResponse, anchor.clone(), blockPulses, out);
    }

    /**
     * The slow tail of a tile's search: once few devices are left, each gets the same pairs and sparse reads from
     * single-device calls, in turn, instead of the whole tile pulsing for them.
     */
    private static final class Tail {
      private final java.util.function.IntFunction<Actuator> single;
      /** The devices finished one at a time (indices into the group), ascending, and their actuators; null before the handoff. */
      private int[] devices;
      private Actuator[] acts;
      private final double[] one = new double[1];
      /** Pair at which the handoff happened, 0 if none. */
      private int handoffPair;
      /** Samples recorded before the handoff: up to there every device of the group was read at every sample. */
      private int handoffSamples;

      Tail(java.util.function.IntFunction<Actuator> single) {
        this.single = single;
      }

      boolean started() {
        return devices != null;
      }

      /** Lists the devices still searching and gives them single-device actuators (again at every check). */
      void handOff(boolean[] searching, int pairs, int samples) {
        int m = 0;
        for (boolean on : searching) if (on) m++;
        int[] idx = new int[m];
        Actuator[] next = new Actuator[m];
        for (int i = 0, j = 0; i < searching.length; i++) {
          if (!searching[i]) continue;
          idx[j] = i;
          // Keep the actuators already built: at 235k devices the tail is thousands of them, rebuilt every check otherwise.
          next[j] = devices != null ? find(i) : null;
          if (next[j] == null) next[j] = single.apply(i);
          j++;
        }
        if (devices == null) {
          handoffPair = pairs;
          handoffSamples = samples;
        }
        devices = idx;
        acts = next;
      }

      private Actuator find(int i) {
        int j = Arrays.binarySearch(devices, i);
        return j >= 0 ? acts[j] : null;
      }

      /** One pair on each device of the tail, in turn; the same sequence each would get from the parallel update. */
      void pair(boolean sample, double[] u, double[] d) throws IOException {
        for (int j = 0; j < devices.length; j++) {
          Actuator a = acts[j];
          if (sample) {
            a.pulseThenRead(Polarity.UP, one);
            u[devices[j]] = one[0];
            a.pulseThenRead(Polarity.DOWN, one);
            d[devices[j]] = one[0];
          } else {
            a.pulse(Polarity.UP);
            a.pulse(Polarity.DOWN);
          }
        }
      }
    }

    /** Convergence traces of a few devices of the group (indices into it), at every sample until each stops. */
    private static final class Tracer {
      final int[] devices;
      private final int[][] pairs;
      private final float[][] midpoints;
      private final float[][] estimates;
      private final int[] count;

      Tracer(int[] devices, int capacity) {
        this.devices = devices;
        pairs = new int[devices.length][capacity];
        midpoints = new float[devices.length][capacity];
        estimates = new float[devices.length][capacity];
        count = new int[devices.length];
      }

      void add(int t, int pair, float midpoint, float estimate) {
        int c = count[t]++;
        pairs[t][c] = pair;
        midpoints[t][c] = midpoint;
        estimates[t][c] = estimate;
      }

      /** One trace per traced device, its index in the group as the column (the caller places it). */
      List<Trace> traces() {
        List<Trace> out = new ArrayList<>();
        for (int t = 0; t < devices.length; t++) {
          int m = count[t];
          out.add(new Trace(0, 0, devices[t], Arrays.copyOf(pairs[t], m), Arrays.copyOf(midpoints[t], m), Arrays.copyOf(estimates[t], m)));
        }
        return out;
      }
    }
  }

  /**
   * The standard errors reported for symmetry points, from the samples of a group or of a tile's devices searched one
   * at a time: a correlation shared by the devices or predicted from each device's response probe, the soft-bound
   * model's noise level pooled over the devices, and the variograms they are fitted to.
   */
  static final class Errors {
    private Errors() {}

    /** The relative steps of one pulse each way, s_up and s_down, at the symmetry point (see {@link #probeSteps}). */
    record ProbeSteps(double up, double down) {}

    /**
     * Sets {@code se[i]} of every finished device i (finishedAt[i] > 0; its samples at
     * {@code samples[i * capacity ..]}) as described at {@link Group#reportedErrors}. The shared rho comes
     * from the window [poolEnd / 2, poolEnd) of every device, or, when poolEnd is 0 (the per-device mode,
     * where nothing is read after a device stops), from each device's last three quarters [f / 4, f) up to
     * its finish f, limited to the lags at least half the devices have: the trailing half alone is the
     * window the stopping rule found flat, and gave too low a rho (coverage 73 % instead of 96 %).
     */
    static void pooledErrors(float[] samples, int capacity, int[] finishedAt, int n, int poolEnd, double[] se) {
      pooledErrors(samples, capacity, finishedAt, n, poolEnd, se, null);
    }

    /**
     * As above, except that device i uses {@code ownRho[i]} where that is a correlation (not NaN) instead of the
     * shared one: the per-device mode passes each device's {@link #probeCorrelation}. Its windows span about one time
     * constant, too short for the shape of the pooled variogram to tell the shared correlation: it came out anywhere
     * between 0.97 and the grid's end, and the reported errors 2-150 times the real ones (CALIBRATION-NOTES.md).
     * Devices with neither keep their standard error.
     */
    static void pooledErrors(float[] samples, int capacity, int[] finishedAt, int n, int poolEnd, double[] se, double[] ownRho) {
      double shared = sharedCorrelation(samples, capacity, finishedAt, n, poolEnd);
      java.util.Map<Long, Double> widening = new java.util.HashMap<>();
      double[] v = new double[capacity + 1];
      for (int i = 0; i < n; i++) {
        if (finishedAt[i] == 0) continue;
        double rho = ownRho != null && ownRho[i] > 0 && ownRho[i] < 1 ? ownRho[i] : shared;
        if (Double.isNaN(rho)) continue;
        int m = finishedAt[i] - finishedAt[i] / 2;
        int devLags = variogram(samples, capacity, i, v, finishedAt[i] / 2, finishedAt[i]);
        if (devLags < 2) continue;
        int[] weights = new int[devLags + 1];
        for (int l = 1; l <= devLags; l++) weights[l] = m - l;
        double[] ab = fitVariogram(v, weights, devLags, rho);
        double s2 = ab[0] / 2;
        double r2 = ab[1] / 2;
        double sum = m;
        double pk = 1;
        for (int k = 1; k < m; k++) {
          pk *= rho;
          sum += 2.0 * (m - k) * pk;
        }
        double stat = s2 * sum / ((double) m * m) + r2 / m;
        double bias = leftoverBias(samples, capacity, finishedAt[i], i, m, rho);
        // The window holds only about m (1 - rho) independent stretches, which bounds how well this device's
        // own variance, and how far its correlation departs from the shared one (its time constant differs by
        // tens of per cent), can be known from it: Student's t with that many degrees of freedom, so that
        // +-1.96 SE is a 95 % interval as a user reads it. Conservative for the typical device (most of the
        // widening falls on short windows, m (1 - rho) ~ 1.5 for rram-imbalanced), right for the tail.
        // (One quantile per degrees of freedom: the inverse t costs tens of microseconds, and with the shared
        // correlation 235k devices share a few hundred window lengths.)
        double dof = Math.max(1, m * (1 - rho));
        double widen = widening.computeIfAbsent(Double.doubleToLongBits(dof), key -> new TDistribution(null, dof)
            .inverseCumulativeProbability(0.975) / 1.959964);
        se[i] = widen * Math.sqrt(stat + bias * bias);
      }
    }

    /** The correlation shared by the devices (see {@link #pooledErrors}), or NaN with too few devices or lags. */
    static double sharedCorrelation(float[] samples, int capacity, int[] finishedAt, int n, int poolEnd) {
      int lagMax = 0;
      if (poolEnd > 0) {
        lagMax = (poolEnd - poolEnd / 2) / 2;
      } else {
        for (int i = 0; i < n; i++) lagMax = Math.max(lagMax, (finishedAt[i] - finishedAt[i] / 4) / 2);
      }
      if (lagMax < 4) return Double.NaN;
      double[] curve = new double[lagMax + 1];
      int[] curveCount = new int[lagMax + 1];
      double[] v = new double[Math.max(lagMax, capacity) + 1];
      for (int i = 0; i < n; i++) {
        if (finishedAt[i] == 0) continue;
        int end = poolEnd > 0 ? poolEnd : finishedAt[i];
        int lags = variogram(samples, capacity, i, v, poolEnd > 0 ? end / 2 : end / 4, end);
        if (lags < 4) continue;
        // Scaled by the same short lags for every device, so that curves of different lengths average consistently.
        double mean = (v[1] + v[2] + v[3] + v[4]) / 4;
        if (!(mean > 0)) continue;
        for (int l = 1; l <= lags; l++) {
          curve[l] += v[l] / mean;
          curveCount[l]++;
        }
      }
      int lags = 0;
      int needed = poolEnd > 0 ? POOL_MIN_DEVICES : Math.max(POOL_MIN_DEVICES, curveCount[1] / 2);
      for (int l = 1; l <= lagMax && curveCount[l] >= needed; l++) {
        curve[l] /= curveCount[l];
        lags = l;
      }
      if (lags < 4) return Double.NaN;
      double rho = 0;
      double best = Double.POSITIVE_INFINITY;
      for (int g = 1; g < 1000; g++) {
        double r = g / 1000.0;
        double[] ab = fitVariogram(curve, curveCount, lags, r);
        if (ab[2] < best) {
          best = ab[2];
          rho = r;
        }
      }
      return rho;
    }

    /**
     * Replaces the standard error of every finished device whose response probe fits the soft-bound model by one
     * whose noise level is pooled over the group (CALIBRATION-NOTES.md, "Standard errors from a pooled noise
     * level"). A device's window spans one to three time constants, so its own variance is known to within a factor
     * of several, and widening every device for that (Student's t with about m (1 - rho) degrees of freedom) made
     * the typical interval 3-4 times the typical error. The soft-bound model says how the limit-cycle variance of
     * each device scales: per pair, a deviation from the symmetry point is multiplied by
     * {@code phi = (1 - s_up)(1 - s_down)} and receives cycle-to-cycle noise of variance {@code c^2 (a_up^2 + a_down^2)},
     * with {@code a_up = s_up (G_max - G*)}, {@code a_down = s_down (G* - G_min)} the steps at the symmetry point
     * (s_up, s_down from the probe, {@link #probeSteps}); so the stationary variance is {@code c^2 F} with
     * {@code F = (a_up^2 + a_down^2) / (1 - phi^2)}. The unknown c^2 (cycle-to-cycle noise, shared by devices of one
     * kind) is pooled: each device's variogram over samples no stopping decision looked at
     * ({@code noise[noiseFrom[i] .. noiseTo[i])}), fitted at its own correlation {@code rho = phi^every}, gives
     * {@code s_i^2} and the white read-noise variance {@code r_i^2} (or that is {@code white}, measured);
     * {@code c^2 = sum s_i^2 / sum F_i} and {@code r^2 = mean r_i^2}. Then
     * {@code Var(mean) = c^2 F g(m, rho) / m^2 + r^2 / m} with the exact AR(1) sum
     * {@code g = m + 2 sum_{k<m} (m - k) rho^k}, the approach left in the window ({@code |D| mean_k rho^k} for
     * the first sample's deviation D) in quadrature, and Student's t with the degrees of freedom of c^2 (from the
     * scatter of the s_i^2 about c^2 F_i; at most {@code sum h_i (1 - rho_i)}): about 1 for a tile, wide for a lone
     * device. Devices whose probe does not fit keep the standard error they have.
     *
     * <p>{@code est} holds the absolute estimates, {@code anchor} the read each device's samples are relative to (after
     * the probe), {@code rise} and {@code fall} the probe's UP and DOWN responses; {@code white} is NaN when the read
     * noise is to be fitted.
     */
    static void modelErrors(float[] samples, int capacity, int[] finishedAt, float[] noise, int noiseCapacity, int[] noiseFrom, int[] noiseTo, int n,
        double[] est, double[] anchor, double[] rise, double[] fall, double gMin, double gMax, int every, double white, double[] se) {
      NoiseLevel level = noiseLevel(finishedAt, noise, noiseCapacity, noiseFrom, noiseTo, n, est, anchor, rise, fall, gMin, gMax, every, white);
      if (level == null) return;
      for (int i = 0; i < n; i++) {
        if (Double.isNaN(level.f()[i])) continue;
        se[i] = level.standardError(i, finishedAt[i], samples[i * capacity] - (est[i] - anchor[i]));
      }
    }

    /**
     * The noise level of a group, pooled as {@link #modelErrors} describes: {@code c2} the cycle-to-cycle noise
     * variance, {@code r2} a midpoint's white read-noise variance, {@code widen} Student's t quantile over 1.96 for the
     * degrees of freedom of c2, and per device the soft-bound model's {@code f} (F_i, NaN where the probe does not fit
     * the model or the device has too few samples) and {@code rho} (the correlation of consecutive samples).
     */
    record NoiseLevel(double c2, double r2, double widen, double[] f, double[] rho) {
      /**
       * This level (c^2, r^2, the widening) for one other device, with F and rho from its own probe at its estimate
       * {@code est} (F NaN when the probe does not fit the model): how a device searched after the pool was made stops.
       */
      NoiseLevel forDevice(double rise, double fall, double anchor, double est, double gMin, double gMax, int every) {
        double[] f1 = {Double.NaN};
        double[] rho1 = {Double.NaN};
        modelShape(rise, fall, anchor, est, gMin, gMax, every, f1, rho1, 0);
        return new NoiseLevel(c2, r2, widen, f1, rho1);
      }

      /** Variance of the mean of device i's window of m consecutive samples (the stationary part, no leftover approach). */
      double variance(int i, int m) {
        double sum = m;
        double pk = 1;
        for (int k = 1; k < m; k++) {
          pk *= rho[i];
          sum += 2.0 * (m - k) * pk;
        }
        return c2 * f[i] * sum / ((double) m * m) + r2 / m;
      }

      /**
       * The standard error of the mean of device i's window, the trailing half of its first {@code f} samples, widened by
       * Student's t (what a device's 95 % interval is 1.96 of), with the approach left in the window in quadrature: a
       * deviation {@code first} from the estimate at the first sample decays as {@code rho^k}.
       */
      double standardError(int i, int f, double first) {
        int m = f - f / 2;
        double window = 0;
        double pk = 1;
        for (int k = 1; k < f; k++) {
          pk *= rho[i];
          if (k >= f / 2) window += pk;
        }
        double bias = Math.abs(first) * window / m;
        return widen * Math.sqrt(variance(i, m) + bias * bias);
      }
    }

    /**
     * The soft-bound model's F and rho of one device (see {@link #modelErrors}) from its probe's responses and its
     * estimate, into {@code f[i]} and {@code rho[i]}; false, and f[i] left as it was, when the probe does not fit the
     * model or the estimate is not finite.
     */
    static boolean modelShape(double rise, double fall, double anchor, double est, double gMin, double gMax, int every, double[] f, double[] rho, int i) {
      if (!Double.isFinite(est)) return false;
      ProbeSteps st = probeSteps(rise, fall, anchor + fall, gMin, gMax, PROBE_PULSES);
      if (st == null) return false;
      double phi = (1 - st.up()) * (1 - st.down());
      double r = Math.pow(phi, every);
      if (!(r > 0 && r < 1)) return false;
      double aUp = st.up() * (gMax - est);
      double aDown = st.down() * (est - gMin);
      rho[i] = r;
      f[i] = (aUp * aUp + aDown * aDown) / (1 - phi * phi);
      return true;
    }

    /** The pooled noise level (see {@link NoiseLevel}), or null when no device could enter the pool. */
    static NoiseLevel noiseLevel(int[] finishedAt, float[] noise, int noiseCapacity, int[] noiseFrom, int[] noiseTo, int n,
        double[] est, double[] anchor, double[] rise, double[] fall, double gMin, double gMax, int every, double white) {
      double[] f = new double[n];
      double[] rho = new double[n];
      double[] s2 = new double[n];
      boolean[] inPool = new boolean[n];
      double sumS2 = 0;
      double sumF = 0;
      double sumR2 = 0;
      double dof = 0;
      int pooled = 0;
      double[] v = new double[noiseCapacity + 1];
      for (int i = 0; i < n; i++) {
        f[i] = Double.NaN;
        if (finishedAt[i] < 4 || !modelShape(rise[i], fall[i], anchor[i], est[i], gMin, gMax, every, f, rho, i)) continue;
        // The noise level comes only from samples no stopping decision looked at (noiseFrom..noiseTo, see the callers).
        int a0 = noiseFrom[i];
        int a1 = noiseTo[i];
        int h = a1 - a0;
        if (h < POOL_MIN_SAMPLES) continue;
        int lags = variogram(noise, noiseCapacity, i, v, a0, a1);
        if (lags < 2) continue;
        int[] weights = new int[lags + 1];
        for (int l = 1; l <= lags; l++) weights[l] = h - l;
        // Unconstrained: the read noise is small, and clipping each device's fitted B at zero (where half of them
        // land) biases its A low; only the pooled sums must be unbiased.
        double[] ab = Double.isNaN(white) ? fitVariogramUnconstrained(v, weights, lags, rho[i]) : fitVariogramAbove(v, weights, lags, rho[i], 2 * white);
        s2[i] = ab[0] / 2;
        inPool[i] = true;
        sumS2 += ab[0] / 2;
        sumF += f[i];
        sumR2 += ab[1] / 2;
        dof += h * (1 - rho[i]);
        pooled++;
      }
      if (pooled == 0 || !(sumF > 0)) return null;
      double c2 = Math.max(0, sumS2 / sumF);
      double r2 = Double.isNaN(white) ? Math.max(0, sumR2 / pooled) : white;
      // How well c^2 is known: from the scatter of the devices' own s_i^2 about c^2 F_i (the variance of a ratio
      // estimator), as degrees of freedom 2 c^4 / Var(c^2) of a scaled chi-square; it also takes in any real spread of
      // the cycle-to-cycle noise between devices. The nominal sum of h (1 - rho) is the floor (one device: no scatter).
      if (pooled >= 2 && c2 > 0) {
        double scatter = 0;
        for (int i = 0; i < n; i++) if (inPool[i]) scatter += (s2[i] - c2 * f[i]) * (s2[i] - c2 * f[i]);
        double varC2 = scatter / (pooled - 1) * pooled / (sumF * sumF);
        if (varC2 > 0) dof = Math.min(dof, 2 * c2 * c2 / varC2);
      }
      double widen = new TDistribution(null, Math.max(1, dof)).inverseCumulativeProbability(0.975) / 1.959964;
      return new NoiseLevel(c2, r2, widen, f, rho);
    }

    /**
     * The relative steps {s_up, s_down} of one pulse each way that the soft-bound model gives for a device's
     * response probe (see {@link #probeCorrelation}), or null when the responses do not fit the model.
     */
    static ProbeSteps probeSteps(double rise, double fall, double top, double gMin, double gMax, int k) {
      double g0 = top - rise;
      double up = rise / (gMax - g0);
      double down = fall / (top - gMin);
      if (!(up > 0 && up < 1 && down > 0 && down < 1)) return null;
      return new ProbeSteps(1 - Math.pow(1 - up, 1.0 / k), 1 - Math.pow(1 - down, 1.0 / k));
    }

    /**
     * The conductance step of one pulse at a device's symmetry point, siemens: how far zero-shifted training moves it
     * where it is used, and unlike the probe's responses the same wherever the probe started. In the soft-bound model
     * (see {@link #probeCorrelation}) an UP pulse moves a device by {@code s_up (G_max - G)} and a DOWN pulse by
     * {@code s_down (G - G_min)}; at the symmetry point G* the two are equal, so the step there is
     * {@code s_up (G_max - G*) = s_down (G* - G_min)}. The probe gives s_up from its rise over the distance it started
     * from G_max, and s_down from its fall over the distance of the read between the halves from G_min; each times
     * G*'s own distance is an estimate of the step. They are averaged weighted by their precision: read noise sigma in
     * the rise becomes {@code sigma (G_max - G*) / (k (G_max - G0))} in the up estimate, so a probe that started far
     * from G_max relative to G* (a lopsided device probed mid-window) measures through its rise, and one that started
     * at G* (a second calibration) through both. A response of k pulses over a distance x of it gives
     * {@code s = 1 - (1 - x)^(1/k)}; outside 0 &lt; x &lt; 1 (read noise) the linear {@code x / k}, so that noise about a
     * zero response averages out instead of being dropped.
     *
     * @param rise the UP response (read after k UP pulses minus the read before)
     * @param fall the DOWN response that followed (read before minus read after k DOWN pulses)
     * @param end the read after the DOWN pulses
     * @param est the symmetry point, siemens
     * @return the step, siemens; NaN when est is not strictly inside the window or the probe's reads are not
     */
    static double stepAtSymmetryPoint(double rise, double fall, double end, double est, double gMin, double gMax, int k) {
      double toMax = gMax - est;
      double toMin = est - gMin;
      if (!(toMax > 0 && toMin > 0) || !Double.isFinite(rise) || !Double.isFinite(fall) || !Double.isFinite(end)) return Double.NaN;
      double top = end + fall;
      double fromMax = gMax - (top - rise);
      double fromMin = top - gMin;
      double sum = 0;
      double weights = 0;
      if (fromMax > 0) {
        double w = (fromMax / toMax) * (fromMax / toMax);
        sum += w * relativeStep(rise / fromMax, k) * toMax;
        weights += w;
      }
      if (fromMin > 0) {
        double w = (fromMin / toMin) * (fromMin / toMin);
        sum += w * relativeStep(fall / fromMin, k) * toMin;
        weights += w;
      }
      return weights > 0 ? sum / weights : Double.NaN;
    }

    /** The relative step s of one pulse when k pulses covered the fraction x of the distance to the bound. */
    private static double relativeStep(double x, int k) {
      return x > 0 && x < 1 ? 1 - Math.pow(1 - x, 1.0 / k) : x / k;
    }

    /**
     * The correlation between consecutive samples of one device that the soft-bound model predicts from its
     * response probe. In conductance, an UP pulse shrinks the distance to the device's upper bound by a fraction
     * s_up and a DOWN pulse the distance to its lower bound by s_down, so {@code k} UP pulses from {@code G0} move it
     * by {@code (G_max - G0) (1 - (1 - s_up)^k)}, and a pair of pulses multiplies a deviation from the symmetry
     * point by {@code (1 - s_up) (1 - s_down)}; samples {@code every} pairs apart are correlated by that to the
     * power {@code every}. The board's conductance window stands in for the device's bounds (exact for the
     * emulator; on a real device whose bounds differ, the correlation is off by the ratio of the distances).
     *
     * @param rise the UP response (read after k UP pulses minus the read before)
     * @param fall the DOWN response that followed (read before minus read after k DOWN pulses)
     * @param top the read between them (after the UP pulses)
     * @return the correlation, or NaN when the responses do not fit the model (a stuck device, a read outside the window)
     */
    static double probeCorrelation(double rise, double fall, double top, double gMin, double gMax, int k, int every) {
      ProbeSteps st = probeSteps(rise, fall, top, gMin, gMax, k);
      return st == null ? Double.NaN : Math.pow((1 - st.up()) * (1 - st.down()), every);
    }

    /**
     * The approach not yet finished inside device i's window, as a bias of its mean: if the window held
     * {@code w* + c rho^k}, the mean would be off by {@code ratio} times the difference between the means
     * of the window's second and first halves; that ratio times the measured difference. Uncorrected (the
     * difference is mostly noise for a settled device) but counted in the uncertainty, in quadrature.
     */
    static double leftoverBias(float[] samples, int capacity, int f, int i, int m, double rho) {
      int a = f - m;
      int h = m / 2;
      double s1 = 0;
      double s2 = 0;
      double e1 = 0;
      double e2 = 0;
      double p = 1;
      for (int k = 0; k < m; k++) {
        if (k < h) {
          s1 += samples[i * capacity + a + k];
          e1 += p;
        } else {
          s2 += samples[i * capacity + a + k];
          e2 += p;
        }
        p *= rho;
      }
      double expDiff = e2 / (m - h) - e1 / h;
      double ratio = expDiff == 0 ? 0 : ((e1 + e2) / m) / expDiff;
      return ratio * (s2 / (m - h) - s1 / h);
    }

    /** Device i's variogram over its samples [a, f) into v[1..]; returns the number of lags (half that window). */
    static int variogram(float[] samples, int capacity, int i, double[] v, int a, int f) {
      int m = f - a;
      int lags = Math.min(m / 2, v.length - 1);
      int off = i * capacity;
      for (int l = 1; l <= lags; l++) {
        double ss = 0;
        for (int k = a; k + l < f; k++) {
          double dx = samples[off + k + l] - samples[off + k];
          ss += dx * dx;
        }
        v[l] = ss / (m - l);
      }
      return lags;
    }

    /**
     * {@code v[L] = A (1 - rho^L) + B} with B known (the measured white noise): one parameter, so that a few short
     * windows give A without the A-B trade-off (the per-device noise level moved by a factor of 3.5 between tiles with B fitted).
     */
    static double[] fitVariogramAbove(double[] v, int[] weights, int lags, double rho, double b) {
      double sxx = 0;
      double sxy = 0;
      double p = 1;
      for (int l = 1; l <= lags; l++) {
        p *= rho;
        double x = 1 - p;
        sxx += weights[l] * x * x;
        sxy += weights[l] * x * (v[l] - b);
      }
      return new double[] {sxx > 0 ? sxy / sxx : 0, b};
    }

    /** {@link #fitVariogram} without the constraints A, B >= 0: unbiased, for pooling. */
    static double[] fitVariogramUnconstrained(double[] v, int[] weights, int lags, double rho) {
      double sxx = 0, sx = 0, s1 = 0, sxy = 0, sy = 0;
      double p = 1;
      for (int l = 1; l <= lags; l++) {
        p *= rho;
        double x = 1 - p;
        double w = weights[l];
        sxx += w * x * x;
        sx += w * x;
        s1 += w;
        sxy += w * x * v[l];
        sy += w * v[l];
      }
      double det = sxx * s1 - sx * sx;
      if (!(det > 0)) return new double[] {0, sy / s1};
      return new double[] {(sxy * s1 - sx * sy) / det, (sxx * sy - sx * sxy) / det};
    }

    /**
     * Weighted least squares of {@code v[L] = A (1 - rho^L) + B} over L = 1..lags with A, B >= 0;
     * returns {A, B, weighted residual sum of squares}.
     */
    static double[] fitVariogram(double[] v, int[] weights, int lags, double rho) {
      double sxx = 0, sx = 0, s1 = 0, sxy = 0, sy = 0, syy = 0;
      double p = 1;
      for (int l = 1; l <= lags; l++) {
        p *= rho;
        double x = 1 - p;
        double w = weights[l];
        sxx += w * x * x;
        sx += w * x;
        s1 += w;
        sxy += w * x * v[l];
        sy += w * v[l];
        syy += w * v[l] * v[l];
      }
      double det = sxx * s1 - sx * sx;
      double a = det > 0 ? (sxy * s1 - sx * sy) / det : 0;
      double b = det > 0 ? (sxx * sy - sx * sxy) / det : sy / s1;
      if (b < 0) {
        b = 0;
        a = sxx > 0 ? sxy / sxx : 0;
      }
      if (a < 0) {
        a = 0;
        b = sy / s1;
      }
      double rss = syy - 2 * a * sxy - 2 * b * sy + a * a * sxx + 2 * a * b * sx + b * b * s1;
      return new double[] {a, b, rss};
    }
  }

  static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    int m = c.length;
    return m % 2 == 1 ? c[m / 2] : 0.5 * (c[m / 2 - 1] + c[m / 2]);
  }
}
