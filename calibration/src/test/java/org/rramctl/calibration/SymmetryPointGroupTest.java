package org.rramctl.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rramctl.calibration.SymmetryPointSearch.Group;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Tile;

/**
 * {@link SymmetryPointSearch.Group} against a {@link ScriptedActuator} whose every read the test decides: the calls it
 * makes in order (the same-sign block, the probe, the approach, plain and sampled pairs), when it stops, and what it
 * reports, each worked out by hand or, for the window statistics, by a reference written from the class Javadoc.
 * Conductances here are plain numbers on a window [gMin, gMax] chosen for exact binary arithmetic.
 */
class SymmetryPointGroupTest {
  /** Half the spread between a sample's up and down read: u = anchor + x + H, d = anchor + x - H, midpoint anchor + x. */
  private static final double H = 0.25;

  /**
   * The devices of a group as the test decides: each read answers the next scripted values (an unscripted read fails
   * the test), every call is logged as U/D (one pulse), U32/D128 (a block of pulses), R (read), UR/DR (pulse then read),
   * prefixed by the actuator's name when it has one; the call with index {@code abortAt} in the shared log throws
   * {@link DriverAbortedException} instead.
   */
  static final class ScriptedActuator implements Actuator {
    private final int n;
    private final String name;
    final List<String> log;
    private final Deque<double[]> reads = new ArrayDeque<>();
    /** Sampled pairs answered (DOWN pulse-then-reads). */
    int samples;
    int abortAt = -1;

    ScriptedActuator(int n) {
      this(n, "", new ArrayList<>());
    }

    ScriptedActuator(int n, String name, List<String> log) {
      this.n = n;
      this.name = name;
      this.log = log;
    }

    ScriptedActuator then(double... read) {
      assertEquals(n, read.length, "scripted read of " + n + " devices");
      reads.add(read.clone());
      return this;
    }

    /** The probe's reads: after 128 UP pulses, then after 128 DOWN pulses (the anchor). */
    ScriptedActuator probe(double[] top, double[] anchor) {
      return then(top).then(anchor);
    }

    /** One sampled pair per device: midpoints anchor + x. */
    ScriptedActuator sample(double[] anchor, double... x) {
      double[] u = new double[n];
      double[] d = new double[n];
      for (int i = 0; i < n; i++) {
        u[i] = anchor[i] + x[i] + H;
        d[i] = anchor[i] + x[i] - H;
      }
      return then(u).then(d);
    }

    int unread() {
      return reads.size();
    }

    @Override
    public int size() {
      return n;
    }

    @Override
    public void pulse(Polarity p) throws IOException {
      call(letter(p));
    }

    @Override
    public void pulses(Polarity p, int count) throws IOException {
      call(letter(p) + count);
    }

    @Override
    public void read(double[] out) throws IOException {
      call("R");
      answer(out);
    }

    @Override
    public void pulseThenRead(Polarity p, double[] out) throws IOException {
      call(letter(p) + "R");
      answer(out);
      if (p == Polarity.DOWN) samples++;
    }

    private static String letter(Polarity p) {
      return p == Polarity.UP ? "U" : "D";
    }

    private void call(String what) throws DriverAbortedException {
      if (log.size() == abortAt) throw new DriverAbortedException("scripted", "abort at call " + abortAt);
      log.add(name + what);
    }

    private void answer(double[] out) {
      double[] r = reads.poll();
      if (r == null) throw new AssertionError("read " + log.size() + " (" + log.get(log.size() - 1) + ") not scripted; calls so far: " + log);
      System.arraycopy(r, 0, out, 0, n);
    }
  }

  /** Counts the pairs a group reports and answers stop requests from a condition. */
  static final class Counting implements Monitor {
    private final BooleanSupplier stop;
    long advanced;

    Counting(BooleanSupplier stop) {
      this.stop = stop;
    }

    @Override
    public void advance(long n) {
      advanced += n;
    }

    @Override
    public boolean stopRequested() {
      return stop.getAsBoolean();
    }
  }

  /** Settings with the own-window stopping rule ({@link CalibrationSettings.StopRule#WINDOW}). */
  static CalibrationSettings settings(int budget, int sampleEvery, int checkEvery, int minPairs, int blockBudget, int approachPairs, double tolerance) {
    return settings(budget, sampleEvery, checkEvery, minPairs, blockBudget, approachPairs, tolerance, CalibrationSettings.StopRule.WINDOW);
  }

  static CalibrationSettings settings(int budget, int sampleEvery, int checkEvery, int minPairs, int blockBudget, int approachPairs, double tolerance,
      CalibrationSettings.StopRule rule) {
    return new CalibrationSettings(1.0, 100, 0.2, tolerance, budget, sampleEvery, checkEvery, minPairs, blockBudget, approachPairs, 8, 1e-6, 32_768, 32, 0, 2,
        64, 0, rule);
  }

  /** The calls of the probe: 128 UP pulses, a read, 128 DOWN pulses, a read. */
  private static final List<String> PROBE = List.of("U128", "R", "D128", "R");

  /** The calls of pairs {@code from..to} (1-based): sampled pairs pulse-then-read, the others pulse. */
  private static List<String> pairs(int from, int to, int sampleEvery) {
    List<String> out = new ArrayList<>();
    for (int p = from; p <= to; p++) out.addAll(p % sampleEvery == 0 ? List.of("UR", "DR") : List.of("U", "D"));
    return out;
  }

  private static List<String> calls(List<String> first, List<String> more) {
    List<String> out = new ArrayList<>(first);
    out.addAll(more);
    return out;
  }

  /** Reference window statistics of samples x[0 .. count): {mean, standard error, trend}, written from the Javadoc. */
  static double[] window(float[] x, int count) {
    int a = count / 2;
    int m = count - a;
    double mean = 0;
    for (int k = a; k < count; k++) mean += x[k];
    mean /= m;
    if (m < 3) return new double[] {mean, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
    // autocovariances about the window mean at lags 0, 1, 2, each over m
    double[] g = new double[3];
    for (int lag = 0; lag <= 2; lag++) {
      for (int k = a + lag; k < count; k++) g[lag] += (x[k - lag] - mean) * (x[k] - mean);
      g[lag] /= m;
    }
    // Var(mean) = (c0 + 2 c1 / (1 - rho)) / m with c_h = g_h + Var(mean), rho = c2 / c1 in [0, 0.98]: three fixed-point steps
    double var = g[0] / m;
    for (int it = 0; it < 3; it++) {
      double c1 = g[1] + var;
      double rho = c1 > 0 ? Math.max(0, Math.min(0.98, (g[2] + var) / c1)) : 0;
      double denom = m - 1 - 2 / (1 - rho);
      if (!(denom > m / 8.0)) {
        var = Double.POSITIVE_INFINITY;
        break;
      }
      var = (g[0] + 2 * Math.max(0, g[1]) / (1 - rho)) / denom;
    }
    int h = m / 2;
    double first = 0;
    double second = 0;
    for (int k = a; k < a + h; k++) first += x[k];
    for (int k = a + h; k < count; k++) second += x[k];
    return new double[] {mean, Math.sqrt(var), Math.abs(second / (m - h) - first / h)};
  }

  private static void assertRelative(double expected, double actual, String what) {
    if (Double.isInfinite(expected)) {
      assertEquals(expected, actual, what);
      return;
    }
    assertEquals(expected, actual, 1e-12 * Math.abs(expected), what);
  }

  // ---- the same-sign block ----

  @Test
  void aLowMedianGetsUpChunksOf32UntilTheMedianIsInTheMiddle() throws IOException {
    // window [1, 5]: the median 1.4 sits at 10 % (the third device, near the top, does not count)
    ScriptedActuator act = new ScriptedActuator(3).then(1.2, 1.4, 4.8)
        .then(1.5, 1.8, 4.9) // median at 20 %
        .then(1.9, 2.0, 4.9) // 25 %
        .then(2.8, 3.0, 4.9) // 50 %: in the middle, the block ends
        .probe(new double[] {3.2, 3.3, 4.95}, new double[] {2.9, 3.05, 4.7});
    Counting stop = new Counting(() -> act.log.contains("D128"));
    Group g = Group.ofDevice(act, null, settings(1024, 1, 8, 32, 4096, 0, 1e-3), 1, 5, false, stop);
    g.run();

    assertEquals(calls(List.of("R", "U32", "R", "U32", "R", "U32", "R"), PROBE), act.log);
    assertEquals(96, g.blockPulses);
    // the probe's rise is from the last read of the block
    assertArrayEquals(new double[] {3.2 - 2.8, 3.3 - 3.0, 4.95 - 4.9}, g.upResponse, 1e-12);
    assertArrayEquals(new double[] {3.2 - 2.9, 3.3 - 3.05, 4.95 - 4.7}, g.downResponse, 1e-12);
    assertArrayEquals(new double[] {2.9, 3.05, 4.7}, g.anchor);
    // stopped before the first pair: nothing measured, the pulses counted
    for (int i = 0; i < 3; i++) {
      assertEquals(SearchStatus.NOT_MEASURED, g.status[i]);
      assertTrue(Double.isNaN(g.est[i]), "estimate of an unmeasured device: " + g.est[i]);
      assertEquals(96 + 256, g.pulses[i]);
    }
  }

  @Test
  void aHighMedianGetsDownChunksUntilTheBlockBudgetIsSpentAndTheBlockCountsAgainstTheBudget() throws IOException {
    // window [1, 5]: 4.6 is at 90 %; a block budget of 64 pulses is two chunks, and the device never reaches the middle
    double[] anchor = {4.25};
    ScriptedActuator act = new ScriptedActuator(1).then(4.6).then(4.5).then(4.4).probe(new double[] {4.7}, anchor);
    // budget 336 = 64 block + 256 probe + 8 pairs
    for (int k = 0; k < 8; k++) act.sample(anchor, k / 16.0);
    Group g = Group.ofDevice(act, null, settings(336, 1, 8, 32, 64, 0, 1e-3), 1, 5, false, Monitor.NONE);
    g.run();

    assertEquals(calls(calls(List.of("R", "D32", "R", "D32", "R"), PROBE), pairs(1, 8, 1)), act.log);
    assertEquals(-64, g.blockPulses);
    assertEquals(SearchStatus.BUDGET, g.status[0]);
    assertEquals(336, g.pulses[0]);
    assertEquals(4.25 + 5.5 / 16, g.est[0]);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.15, 0.85})
  void noBlockWhenTheMedianIsExactly15PercentFromAnEnd(double start) throws IOException {
    // window [0, 1]: the read is its own fraction of the window
    ScriptedActuator act = new ScriptedActuator(1).then(start).probe(new double[] {0.6}, new double[] {0.5});
    Group g = Group.ofDevice(act, null, settings(1024, 1, 8, 32, 4096, 0, 1e-3), 0, 1, false, new Counting(() -> act.log.contains("D128")));
    g.run();

    assertEquals(calls(List.of("R"), PROBE), act.log);
    assertEquals(0, g.blockPulses);
    assertEquals(256, g.pulses[0]);
  }

  @Test
  void theBlockGoesOnWhileTheMedianIsAtExactly30Or70Percent() throws IOException {
    ScriptedActuator act = new ScriptedActuator(1).then(0.1).then(0.3).then(0.7).then(0.5).probe(new double[] {0.6}, new double[] {0.5});
    Group g = Group.ofDevice(act, null, settings(1024, 1, 8, 32, 4096, 0, 1e-3), 0, 1, false, new Counting(() -> act.log.contains("D128")));
    g.run();

    assertEquals(calls(List.of("R", "U32", "R", "U32", "R", "U32", "R"), PROBE), act.log);
    assertEquals(96, g.blockPulses);
  }

  @Test
  void noBlockWhenItsBudgetIsZero() throws IOException {
    ScriptedActuator act = new ScriptedActuator(1).then(0.0).probe(new double[] {0.1}, new double[] {0.05});
    Group g = Group.ofDevice(act, null, settings(1024, 1, 8, 32, 0, 0, 1e-3), 0, 1, false, new Counting(() -> act.log.contains("D128")));
    g.run();

    assertEquals(calls(List.of("R"), PROBE), act.log);
    assertEquals(0, g.blockPulses);
  }

  @Test
  void aStopRequestEndsTheBlockBeforeItsNextChunk() throws IOException {
    ScriptedActuator act = new ScriptedActuator(1).then(0.1).then(0.2).probe(new double[] {0.3}, new double[] {0.25});
    Group g = Group.ofDevice(act, null, settings(1024, 1, 8, 32, 4096, 0, 1e-3), 0, 1, false, new Counting(() -> act.log.contains("U32")));
    g.run();

    assertEquals(calls(List.of("R", "U32", "R"), PROBE), act.log);
    assertEquals(32, g.blockPulses);
    assertEquals(32 + 256, g.pulses[0]);
    assertEquals(SearchStatus.NOT_MEASURED, g.status[0]);
  }

  // ---- probe, approach, pairs, budget ----

  @Test
  void theProbeAndTheApproachPrecedeThePairsAndCountAgainstTheBudget() throws IOException {
    List<String> log = new ArrayList<>();
    ScriptedActuator act = new ScriptedActuator(1, "", log);
    ScriptedActuator approach = new ScriptedActuator(1, "a", log);
    double[] anchor = {0.5};
    act.then(0.5).probe(new double[] {0.75}, anchor);
    // budget 303: (303 - 256 probe pulses - 6 approach pulses) / 2 = 20 pairs; every second one sampled: 10 samples,
    // too few for the convergence rule at the checks (pairs 8 and 16)
    for (int k = 0; k < 10; k++) act.sample(anchor, k / 64.0);
    Counting monitor = new Counting(() -> false);
    Group g = Group.ofTile(act, approach, settings(303, 2, 8, 8, 0, 3, 1e-3), 0, 1, new int[0], monitor, null);
    g.run();

    List<String> expected = calls(calls(List.of("R"), PROBE), List.of("aU", "aD", "aU", "aD", "aU", "aD"));
    assertEquals(calls(expected, pairs(1, 20, 2)), log);
    assertEquals(3 + 20, monitor.advanced, "pairs reported: the approach's and the search's");
    assertEquals(SearchStatus.BUDGET, g.status[0]);
    assertEquals(256 + 6 + 40, g.pulses[0]);
    // the trailing half of the midpoints 0/64 .. 9/64: 5/64 .. 9/64
    assertEquals(0.5 + 7 / 64.0, g.est[0]);
    assertEquals(0.25, g.upResponse[0]);
    assertEquals(0.25, g.downResponse[0]);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"32, 32", "36, 40"})
  void aFlatDeviceConvergesAtTheFirstCheckWithThirtyTwoSamplesAndMinPairs(int minPairs, int convergesAt) throws IOException {
    double[] anchor = {2.0};
    ScriptedActuator act = new ScriptedActuator(1).then(2.0).probe(new double[] {2.5}, anchor);
    for (int k = 0; k < convergesAt; k++) act.sample(anchor, 0.0);
    Group g = Group.ofDevice(act, null, settings(1024, 1, 8, minPairs, 0, 0, 1e-3), 0, 4, false, Monitor.NONE);
    g.run();

    assertEquals(calls(calls(List.of("R"), PROBE), pairs(1, convergesAt, 1)), act.log);
    assertEquals(SearchStatus.CONVERGED, g.status[0]);
    assertEquals(2.0, g.est[0]);
    assertEquals(0.0, g.se[0]);
    assertEquals(256 + 2 * convergesAt, g.pulses[0]);
    assertEquals(0, act.unread(), "every scripted read taken");
    assertTrue(g.traces.isEmpty(), "untraced device: " + g.traces);
  }

  /** Midpoint deviations x_k, multiples of 2^-10 (exact in float and in the reads), seeded. */
  static float[] series(String kind, int count, long seed) {
    Random r = new Random(seed);
    float[] x = new float[count];
    double z = 0;
    for (int k = 0; k < count; k++) {
      double v = switch (kind) {
        case "ar1" -> (z = 0.8 * z + 0.05 * r.nextGaussian()) + 0.02 * r.nextGaussian();
        case "alternating" -> (k % 2 == 0 ? 0.0625 : -0.0625) + 0.01 * r.nextGaussian();
        case "drift" -> k / 256.0;
        case "white" -> 0.05 * r.nextGaussian();
        default -> throw new IllegalArgumentException(kind);
      };
      x[k] = (float) (Math.rint(v * 1024) / 1024);
    }
    return x;
  }

  @ParameterizedTest
  @ValueSource(strings = {"ar1", "alternating", "drift", "white"})
  void aDeviceThatNeverSettlesRunsToTheBudgetWithItsTrailingWindowStatisticsAndTrace(String kind) throws IOException {
    int pairs = 80;
    float[] x = series(kind, pairs, 11);
    double[] anchor = {2.0};
    ScriptedActuator act = new ScriptedActuator(1).then(1.5).probe(new double[] {2.75}, anchor);
    for (int k = 0; k < pairs; k++) act.sample(anchor, x[k]);
    Group g = Group.ofDevice(act, null, settings(256 + 2 * pairs, 1, 8, 32, 0, 0, 1e-9), 0, 4, true, Monitor.NONE);
    g.run();

    assertEquals(calls(calls(List.of("R"), PROBE), pairs(1, pairs, 1)), act.log);
    assertEquals(SearchStatus.BUDGET, g.status[0]);
    assertEquals(256 + 2 * pairs, g.pulses[0]);
    assertEquals(0, act.unread(), "every scripted read taken");
    double[] w = window(x, pairs);
    assertEquals(2.0 + w[0], g.est[0], 1e-12);
    assertRelative(w[1], g.se[0], kind + ": standard error");
    if (kind.equals("drift")) assertEquals(Double.POSITIVE_INFINITY, g.se[0], "a window still moving: no standard error");
    else assertTrue(Double.isFinite(g.se[0]), kind + ": " + g.se[0]);

    assertEquals(1, g.traces.size());
    Trace t = g.traces.get(0);
    int[] tracedPairs = new int[pairs];
    float[] midpoints = new float[pairs];
    float[] estimates = new float[pairs];
    for (int k = 0; k < pairs; k++) {
      tracedPairs[k] = k + 1;
      midpoints[k] = (float) (2.0 + x[k]);
      estimates[k] = (float) (window(x, k + 1)[0] + 2.0);
    }
    assertArrayEquals(tracedPairs, t.pairs());
    assertArrayEquals(midpoints, t.midpointSiemens());
    assertArrayEquals(estimates, t.estimateSiemens());
  }

  /** 32 samples whose window (samples 16..31) is alternating +-1/4 about 1/4, then about 3/4. */
  private static float[] stepWindow() {
    float[] x = new float[32];
    for (int k = 16; k < 32; k++) x[k] = (float) ((k < 24 ? 0.25 : 0.75) + (k % 2 == 0 ? 0.25 : -0.25));
    return x;
  }

  /** 32 samples whose window is (2, -2, 2, -2, 2, -2, 1, -1) / 4 twice: mean 0, trend 0, standard error exactly 1/8. */
  private static float[] seWindow() {
    float[] half = {2, -2, 2, -2, 2, -2, 1, -1};
    float[] x = new float[32];
    for (int k = 16; k < 32; k++) x[k] = half[k % 8] / 4;
    return x;
  }

  @Test
  void theWindowsUsedForTheBoundaryTestsAreAsStated() {
    double[] step = window(stepWindow(), 32);
    assertEquals(0.5, step[0]);
    assertEquals(0.5, step[2]);
    assertTrue(step[1] < 0.5, "standard error " + step[1]);
    // all lag-1 products negative: rho 0, Var = g0 / (m - 3) = (3.25 / 16) / 13 = 1 / 64
    assertArrayEquals(new double[] {0, 0.125, 0}, window(seWindow(), 32));
  }

  @Test
  void aDeviceConvergesWhenItsTrendEqualsTheTolerance() throws IOException {
    assertConvergesAt32(stepWindow(), 0.5);
  }

  @Test
  void aDeviceConvergesWhenItsStandardErrorEqualsTheTolerance() throws IOException {
    assertConvergesAt32(seWindow(), 0.125);
  }

  @Test
  void aDeviceWhoseTrendIsJustAboveTheToleranceRunsOn() throws IOException {
    assertRunsOnAt32(stepWindow(), 0.5 - 1 / 1024.0);
  }

  @Test
  void aDeviceWhoseStandardErrorIsJustAboveTheToleranceRunsOn() throws IOException {
    assertRunsOnAt32(seWindow(), 0.125 - 1 / 1024.0);
  }

  private static void assertConvergesAt32(float[] x, double tolerance) throws IOException {
    assertAt32(x, tolerance, 1024, SearchStatus.CONVERGED);
  }

  /** With a budget of 32 pairs: the check at pair 32 keeps the device running, so it ends at the budget. */
  private static void assertRunsOnAt32(float[] x, double tolerance) throws IOException {
    assertAt32(x, tolerance, 256 + 64, SearchStatus.BUDGET);
  }

  private static void assertAt32(float[] x, double tolerance, int budget, SearchStatus expected) throws IOException {
    double[] anchor = {2.0};
    ScriptedActuator act = new ScriptedActuator(1).then(2.0).probe(new double[] {2.5}, anchor);
    for (float v : x) act.sample(anchor, v);
    Group g = Group.ofDevice(act, null, settings(budget, 1, 8, 32, 0, 0, tolerance), 0, 4, false, Monitor.NONE);
    g.run();

    assertEquals(expected, g.status[0]);
    assertEquals(256 + 64, g.pulses[0]);
    double[] w = window(x, 32);
    assertEquals(2.0 + w[0], g.est[0]);
    assertEquals(w[1], g.se[0]);
  }

  // ---- stopping early ----

  @Test
  void aStopAfterFourSamplesEndsTheSearchInterruptedWithTheWindowSoFar() throws IOException {
    double[] anchor = {2.0};
    ScriptedActuator act = new ScriptedActuator(1).then(2.0).probe(new double[] {2.5}, anchor);
    for (double v : new double[] {1 / 8.0, 2 / 8.0, 3 / 8.0, 5 / 8.0}) act.sample(anchor, v);
    Group g = Group.ofDevice(act, null, settings(1024, 1, 8, 32, 0, 0, 1e-3), 0, 4, false, new Counting(() -> act.samples >= 4));
    g.run();

    assertEquals(calls(calls(List.of("R"), PROBE), pairs(1, 4, 1)), act.log);
    assertEquals(SearchStatus.INTERRUPTED, g.status[0]);
    assertEquals(2.5, g.est[0]);
    assertEquals(Double.POSITIVE_INFINITY, g.se[0], "two samples in the window");
    assertEquals(256 + 8, g.pulses[0]);
  }

  @Test
  void aStopBeforeFourSamplesLeavesTheDeviceUnmeasuredWithItsPulsesCounted() throws IOException {
    double[] anchor = {2.0};
    ScriptedActuator act = new ScriptedActuator(1).then(2.0).probe(new double[] {2.5}, anchor);
    for (int k = 0; k < 3; k++) act.sample(anchor, k / 8.0);
    Group g = Group.ofDevice(act, null, settings(1024, 2, 8, 32, 0, 0, 1e-3), 0, 4, false, new Counting(() -> act.samples >= 3));
    g.run();

    assertEquals(calls(calls(List.of("R"), PROBE), pairs(1, 6, 2)), act.log);
    assertEquals(SearchStatus.NOT_MEASURED, g.status[0]);
    assertTrue(Double.isNaN(g.est[0]), "estimate " + g.est[0]);
    assertEquals(256 + 12, g.pulses[0]);
  }

  @Test
  void aDriverAbortAfterFourSamplesKeepsThem() throws IOException {
    double[] anchor = {2.0};
    ScriptedActuator act = new ScriptedActuator(1).then(2.0).probe(new double[] {2.5}, anchor);
    for (double v : new double[] {1 / 8.0, 2 / 8.0, 3 / 8.0, 5 / 8.0}) act.sample(anchor, v);
    act.abortAt = 5 + 2 * 4; // the UP pulse-then-read of pair 5 (calls: R, probe's four, then two per pair)
    Group g = Group.ofDevice(act, null, settings(1024, 1, 8, 32, 0, 0, 1e-3), 0, 4, false, Monitor.NONE);
    g.run();

    assertEquals(calls(calls(List.of("R"), PROBE), pairs(1, 4, 1)), act.log);
    assertEquals(SearchStatus.INTERRUPTED, g.status[0]);
    assertEquals(2.5, g.est[0]);
    assertEquals(256 + 10, g.pulses[0], "the pulses up to the pair the abort stopped");
  }

  @Test
  void aDriverAbortBeforeFourSamplesLeavesTheDeviceUnmeasured() throws IOException {
    double[] anchor = {2.0};
    ScriptedActuator act = new ScriptedActuator(1).then(2.0).probe(new double[] {2.5}, anchor);
    for (int k = 0; k < 3; k++) act.sample(anchor, k / 8.0);
    act.abortAt = 5 + 2 * 3;
    Group g = Group.ofDevice(act, null, settings(1024, 1, 8, 32, 0, 0, 1e-3), 0, 4, false, Monitor.NONE);
    g.run();

    assertEquals(SearchStatus.NOT_MEASURED, g.status[0]);
    assertTrue(Double.isNaN(g.est[0]), "estimate " + g.est[0]);
    assertTrue(Double.isNaN(g.se[0]), "standard error " + g.se[0]);
    // as when a stop request ends it (TileSearch.pulses: what the device received until its search ended)
    assertEquals(256 + 2 * 4, g.pulses[0], "the pulses up to the pair the abort stopped");
  }

  @Test
  void aDriverAbortAtTheFirstReadLeavesEveryDeviceUnmeasured() throws IOException {
    ScriptedActuator act = new ScriptedActuator(2);
    act.abortAt = 0;
    Group g = Group.ofDevice(act, null, settings(1024, 1, 8, 32, 0, 0, 1e-3), 0, 4, true, Monitor.NONE);
    g.run();

    assertEquals(List.of(), act.log);
    for (int i = 0; i < 2; i++) {
      assertEquals(SearchStatus.NOT_MEASURED, g.status[i]);
      assertTrue(Double.isNaN(g.est[i]) && Double.isNaN(g.se[i]) && Double.isNaN(g.upResponse[i]) && Double.isNaN(g.downResponse[i]),
          "device " + i + ": " + g.est[i] + ", " + g.se[i] + ", " + g.upResponse[i] + ", " + g.downResponse[i]);
      assertEquals(0, g.pulses[i]);
    }
    assertEquals(1, g.traces.size(), "the traced device's (empty) trace");
    assertEquals(0, g.traces.get(0).pairs().length);
  }

  // ---- a tile: traces, the slow tail ----

  @Test
  void aTracedDeviceOfATileIsTracedUntilItConvergesAndPlacedInTheTile() throws IOException {
    int n = 6;
    int pairs = 48;
    float[] x = series("drift", pairs, 1);
    double[] anchor = {2.0, 2.125, 2.25, 2.375, 2.5, 2.625};
    ScriptedActuator act = new ScriptedActuator(n).then(anchor).probe(new double[] {3, 3, 3, 3, 3, 3}, anchor);
    // device 4 drifts (never converges), the others are flat (converge at the first check, pair 32)
    for (int k = 0; k < pairs; k++) act.sample(anchor, 0, 0, 0, 0, x[k], 0);
    Counting monitor = new Counting(() -> false);
    Group g = Group.ofTile(act, null, settings(256 + 2 * pairs, 1, 8, 32, 0, 0, 1e-3), 0, 4, new int[] {0, 4}, monitor, null);
    g.run();
    Tile tile = new Tile(1, 4, 5, 2, 3);
    TileSearch r = g.result(tile);

    assertEquals(calls(calls(List.of("R"), PROBE), pairs(1, pairs, 1)), act.log);
    assertEquals(pairs, monitor.advanced);
    for (int i = 0; i < n; i++) {
      assertEquals(i == 4 ? SearchStatus.BUDGET : SearchStatus.CONVERGED, r.status()[i], "device " + i);
      assertEquals(i == 4 ? 256 + 2 * pairs : 256 + 64, r.pulses()[i], "device " + i);
      assertEquals(i == 4 ? anchor[i] + window(x, pairs)[0] : anchor[i], r.estimateSiemens()[i], 1e-12, "device " + i);
    }
    assertEquals(2, r.traces().size());
    Trace first = r.traces().get(0);
    assertEquals(List.of(1, 4, 5), List.of(first.array(), first.row(), first.col()));
    assertEquals(32, first.pairs().length, "traced until it converged");
    assertEquals(32, first.pairs()[31]);
    assertEquals(2.0f, first.midpointSiemens()[31]);
    assertEquals(2.0f, first.estimateSiemens()[31]);
    Trace fifth = r.traces().get(1);
    assertEquals(List.of(1, 5, 6), List.of(fifth.array(), fifth.row(), fifth.col()));
    assertEquals(pairs, fifth.pairs().length);
    assertEquals((float) (2.5 + x[pairs - 1]), fifth.midpointSiemens()[pairs - 1]);
    assertEquals((float) (window(x, pairs)[0] + 2.5), fifth.estimateSiemens()[pairs - 1]);
  }

  @Test
  void theLastTenthOfATileIsFinishedOneDeviceAtATimeWithActuatorsBuiltOnce() throws IOException {
    int n = 20;
    int every = 2;
    int pairs = 96;
    int samples = pairs / every;
    float[] x5 = series("drift", samples, 1);
    float[] x19 = series("white", samples, 2);
    double[] anchor = new double[n];
    for (int i = 0; i < n; i++) anchor[i] = 2 + i / 16.0;
    List<String> log = new ArrayList<>();
    ScriptedActuator act = new ScriptedActuator(n, "", log).then(anchor).probe(anchor.clone(), anchor);
    // 18 devices are flat and converge at the first check (pair 64, 32 samples); 5 drifts and 19 is noisy: a tenth of
    // the tile, handed off to single-device calls, in device order, from pair 65
    for (int k = 0; k < 32; k++) {
      double[] xs = new double[n];
      xs[5] = x5[k];
      xs[19] = x19[k];
      act.sample(anchor, xs);
    }
    ScriptedActuator five = new ScriptedActuator(1, "5:", log);
    ScriptedActuator nineteen = new ScriptedActuator(1, "19:", log);
    for (int k = 32; k < samples; k++) {
      five.sample(new double[] {anchor[5]}, x5[k]);
      nineteen.sample(new double[] {anchor[19]}, x19[k]);
    }
    int[] built = new int[n];
    Counting monitor = new Counting(() -> false);
    Group g = Group.ofTile(act, null, settings(256 + 2 * pairs, every, 16, 64, 0, 0, 1e-9), 0, 4, new int[0], monitor, k -> {
      built[k]++;
      return k == 5 ? five : nineteen;
    });
    g.run();

    List<String> expected = calls(calls(List.of("R"), PROBE), pairs(1, 64, every));
    for (int p = 65; p <= pairs; p++) {
      if (p % every == 0) expected.addAll(List.of("5:UR", "5:DR", "19:UR", "19:DR"));
      else expected.addAll(List.of("5:U", "5:D", "19:U", "19:D"));
    }
    assertEquals(expected, log);
    int[] once = new int[n];
    once[5] = 1;
    once[19] = 1;
    assertArrayEquals(once, built, "single-device actuators built (handed off again at pairs 80 and 96)");
    assertEquals(pairs, monitor.advanced);
    for (int i = 0; i < n; i++) {
      boolean tail = i == 5 || i == 19;
      assertEquals(tail ? SearchStatus.BUDGET : SearchStatus.CONVERGED, g.status[i], "device " + i);
      assertEquals(tail ? 256 + 2 * pairs : 256 + 128, g.pulses[i], "device " + i);
    }
    assertEquals(anchor[5] + window(x5, samples)[0], g.est[5], 1e-12);
    assertEquals(anchor[19] + window(x19, samples)[0], g.est[19], 1e-12);
  }

  /**
   * A tile of exactly 16 devices reports the standard errors the Javadoc of {@code reportedErrors} describes: the
   * pooled ones over the window [nSamples / 2, nSamples) for a device whose probe does not fit the model (14, stuck),
   * and the model's for the others, with the noise level from the samples no stopping rule looked at: after a settled
   * device's finish plus {@value SymmetryPointSearch#NOISE_SKIP}, and the trailing half of the window of a device that
   * ran to the budget (15). Computed here with the pooling functions, which {@link SymmetryPointErrorsTest} pins.
   */
  /**
   * Sixteen devices on the window [0, 4], 80 sampled pairs of midpoints x[i] (multiples of 2^-16): AR(1) noise of a few
   * thousandths, device 15 drifting by 1/64 a sample; the probe moves each device half the way to gMax and back half the
   * way to gMin (from 2 to 3, anchor 1.5), except device 14, which does not move (its probe does not fit the model).
   */
  private static final class SixteenDevices {
    static final int N = 16;
    static final int PAIRS = 80;
    final float[][] x = new float[N][PAIRS];
    final double[] start = new double[N];
    final double[] top = new double[N];
    final double[] anchor = new double[N];
    final ScriptedActuator act = new ScriptedActuator(N);

    SixteenDevices() {
      Random r = new Random(5);
      for (int i = 0; i < N; i++) {
        double z = 0;
        for (int k = 0; k < PAIRS; k++) {
          z = 0.7 * z + 0.002 * r.nextGaussian();
          double v = i == 15 ? k / 64.0 : z + 0.001 * r.nextGaussian();
          x[i][k] = (float) (Math.rint(v * 65536) / 65536);
        }
        start[i] = 2;
        top[i] = i == 14 ? 2 : 3;
        anchor[i] = i == 14 ? 2 : 1.5;
      }
      act.then(start).probe(top, anchor);
      for (int k = 0; k < PAIRS; k++) {
        double[] xs = new double[N];
        for (int i = 0; i < N; i++) xs[i] = x[i][k];
        act.sample(anchor, xs);
      }
    }

    Group run(double tolerance, CalibrationSettings.StopRule rule) throws IOException {
      Group g = Group.ofTile(act, null, settings(256 + 2 * PAIRS, 1, 8, 32, 0, 0, tolerance, rule), 0, 4, new int[0], Monitor.NONE, null);
      g.run();
      return g;
    }

    /** Every device's samples, row i at i * capacity, as the group holds them. */
    float[] samples(int capacity) {
      float[] out = new float[N * capacity];
      for (int i = 0; i < N; i++) System.arraycopy(x[i], 0, out, i * capacity, PAIRS);
      return out;
    }

    double[] rise() {
      double[] out = new double[N];
      for (int i = 0; i < N; i++) out[i] = top[i] - start[i];
      return out;
    }

    double[] fall() {
      double[] out = new double[N];
      for (int i = 0; i < N; i++) out[i] = top[i] - anchor[i];
      return out;
    }
  }

  @Test
  void aTileOfSixteenReportsThePooledStandardErrorsOverTheDocumentedSamples() throws IOException {
    int n = SixteenDevices.N;
    int pairs = SixteenDevices.PAIRS;
    double gMin = 0;
    double gMax = 4;
    SixteenDevices devices = new SixteenDevices();
    float[][] x = devices.x;
    double[] start = devices.start;
    double[] top = devices.top;
    double[] anchor = devices.anchor;
    Group g = devices.run(0.05, CalibrationSettings.StopRule.WINDOW);

    int capacity = (256 + 2 * pairs) / 2 + 1;
    float[] samples = new float[n * capacity];
    int[] finishedAt = new int[n];
    double[] est = new double[n];
    double[] se = new double[n];
    double[] rise = new double[n];
    double[] fall = new double[n];
    int[] from = new int[n];
    int[] to = new int[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(x[i], 0, samples, i * capacity, pairs);
      // where each device stopped (one sample per pair; the stopping rule is pinned by the tests above)
      finishedAt[i] = (g.pulses[i] - 256) / 2;
      assertEquals(i == 15 ? SearchStatus.BUDGET : SearchStatus.CONVERGED, g.status[i], "device " + i);
      assertTrue(i == 15 ? finishedAt[i] == pairs : finishedAt[i] < pairs - SymmetryPointSearch.NOISE_SKIP - 8, "device " + i + " stopped at " + finishedAt[i]);
      double[] w = window(x[i], finishedAt[i]);
      est[i] = anchor[i] + w[0];
      se[i] = w[1];
      rise[i] = top[i] - start[i];
      fall[i] = top[i] - anchor[i];
      from[i] = i == 15 ? pairs / 2 : finishedAt[i] + SymmetryPointSearch.NOISE_SKIP;
      to[i] = pairs;
    }
    // (the overload with the per-device correlations, none given: the search's own call goes through the other one)
    SymmetryPointSearch.Errors.pooledErrors(samples, capacity, finishedAt, n, pairs, se, null);
    double pooledOnly = se[14];
    assertTrue(Math.abs(pooledOnly - window(x[14], finishedAt[14])[1]) > 0.1 * pooledOnly, "pooling changed the stuck device's error: " + pooledOnly);
    SymmetryPointSearch.Errors.modelErrors(samples, capacity, finishedAt, samples, capacity, from, to, n, est, anchor, rise, fall, gMin, gMax, 1,
        Double.NaN, se);
    assertEquals(pooledOnly, se[14], "the stuck device keeps its pooled standard error");
    for (int i = 0; i < n; i++) assertEquals(est[i], g.est[i], 1e-12, "estimate of device " + i);
    for (int i = 0; i < n; i++) {
      assertTrue(Double.isFinite(se[i]) && se[i] > 0, "reference standard error of device " + i + ": " + se[i]);
      assertEquals(se[i], g.se[i], 1e-9 * se[i], "standard error of device " + i);
    }
  }

  /**
   * {@link CalibrationSettings.StopRule#POOLED}: at the first check (pair 32) the noise level is pooled over every
   * device's window [16, 32) ({@code Errors.noiseLevel}, pinned by {@link SymmetryPointErrorsTest}); from then on a device
   * whose probe fits the model stops once the standard error that level gives its window, and its trend, are at most the
   * tolerance (device 14, whose probe does not fit, by its own window's); a stopped device reports that level's standard
   * error. The tolerance is set between two devices' first-check errors, so that the tile splits.
   */
  @Test
  void underThePooledRuleDevicesStopOnTheNoiseLevelPooledAtTheFirstCheck() throws IOException {
    int n = SixteenDevices.N;
    int pairs = SixteenDevices.PAIRS;
    SixteenDevices devices = new SixteenDevices();
    int capacity = (256 + 2 * pairs) / 2 + 1;
    float[] samples = devices.samples(capacity);
    int[] seen = new int[n];
    int[] from = new int[n];
    int[] to = new int[n];
    double[] mean = new double[n];
    for (int i = 0; i < n; i++) {
      seen[i] = 32;
      from[i] = 16;
      to[i] = 32;
      mean[i] = window(devices.x[i], 32)[0] + devices.anchor[i];
    }
    SymmetryPointSearch.Errors.NoiseLevel level = SymmetryPointSearch.Errors.noiseLevel(seen, samples, capacity, from, to, n, mean, devices.anchor,
        devices.rise(), devices.fall(), 0, 4, 1, Double.NaN);
    assertTrue(level != null && Double.isNaN(level.f()[14]) && !Double.isNaN(level.f()[0]), "the stuck device is outside the model");
    double[] atFirst = new double[n];
    for (int i = 0; i < n; i++) {
      double[] w = window(devices.x[i], 32);
      atFirst[i] = Double.isNaN(level.f()[i]) ? w[1] : level.standardError(i, 32, devices.x[i][0] - w[0]);
    }
    double[] sorted = atFirst.clone();
    Arrays.sort(sorted);
    double tolerance = 0.5 * (sorted[5] + sorted[6]);

    // the rule, check by check (pairs 32, 40, ..., 80; one sample per pair)
    int[] finishedAt = new int[n];
    for (int check = 32; check <= pairs; check += 8) {
      for (int i = 0; i < n; i++) {
        if (finishedAt[i] > 0) continue;
        double[] w = window(devices.x[i], check);
        double se = Double.isNaN(level.f()[i]) ? w[1] : level.standardError(i, check, devices.x[i][0] - w[0]);
        if (se <= tolerance && w[2] <= tolerance) finishedAt[i] = check;
      }
    }
    int stoppedFirst = 0;
    for (int f : finishedAt) if (f == 32) stoppedFirst++;
    assertTrue(stoppedFirst >= 4 && stoppedFirst < n - 2, "devices stopped at the first check: " + stoppedFirst);

    Group g = devices.run(tolerance, CalibrationSettings.StopRule.POOLED);
    for (int i = 0; i < n; i++) {
      boolean stopped = finishedAt[i] > 0;
      assertEquals(stopped ? SearchStatus.CONVERGED : SearchStatus.BUDGET, g.status[i], "device " + i);
      int f = stopped ? finishedAt[i] : pairs;
      assertEquals(256 + 2 * f, g.pulses[i], "device " + i + " stopped at pair " + f);
      double m = window(devices.x[i], f)[0];
      assertEquals(devices.anchor[i] + m, g.est[i], 1e-12, "estimate of device " + i);
      if (stopped && !Double.isNaN(level.f()[i])) {
        double expected = level.standardError(i, f, devices.x[i][0] - m);
        assertEquals(expected, g.se[i], 1e-12 * expected, "standard error of device " + i + ": the interval it stopped on");
      }
    }
  }
}
