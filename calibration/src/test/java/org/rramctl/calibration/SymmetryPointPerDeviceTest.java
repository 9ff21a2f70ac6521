package org.rramctl.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rramctl.calibration.SymmetryPointGroupTest.ScriptedActuator;
import org.rramctl.calibration.SymmetryPointSearch.Errors;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.Tile;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/**
 * {@link SymmetryPointSearch#perDevice} on a board whose devices answer as the test scripts them (the emulator only
 * supplies the board's description): the devices are searched in order, one at a time, converged devices get the
 * extra noise samples until the tile's noise level has its degrees of freedom, a stop request ends the tile, and the
 * standard errors are the pooled ones computed from exactly the samples the documentation names (the pooling
 * arithmetic itself is pinned by {@link SymmetryPointErrorsTest}).
 */
class SymmetryPointPerDeviceTest {
  /** A board whose single-device calls go to one scripted actuator per cell, all logging to one list as "row,col:CALL". */
  static final class ScriptedBoard extends ForwardingDriver {
    final List<String> log = new ArrayList<>();
    final double gMin;
    final double gMax;
    private final Map<Cell, ScriptedActuator> devices = new HashMap<>();

    ScriptedBoard(EmulatorDriver emu) {
      super(emu);
      gMin = emu.info().gMinSiemens();
      gMax = emu.info().gMaxSiemens();
    }

    /** A board of one {@code rows x cols} array, described by the emulator (its devices are never used). */
    static ScriptedBoard of(int rows, int cols) {
      return new ScriptedBoard(EmulatorDriver.open(DevicePreset.named("rram-imbalanced"), List.of(new int[] {rows, cols}), 3));
    }

    Tile whole() {
      return Tile.whole(info().array(0));
    }

    ScriptedActuator device(Cell c) {
      return devices.computeIfAbsent(c, k -> new ScriptedActuator(1, k.row() + "," + k.col() + ":", log));
    }

    private ScriptedActuator at(Cell c) {
      ScriptedActuator a = devices.get(c);
      if (a == null) throw new AssertionError("device " + c + " not scripted; calls so far: " + log.size());
      return a;
    }

    @Override
    public void pulse(Cell cell, Pulse pulse, int count) throws IOException {
      if (count == 1) at(cell).pulse(pulse.polarity());
      else at(cell).pulses(pulse.polarity(), count);
    }

    @Override
    public double read(Cell cell, double readVolts) throws IOException {
      double[] out = new double[1];
      at(cell).read(out);
      return out[0];
    }

    @Override
    public double pulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) throws IOException {
      assertEquals(1, count, "pulse-then-read count");
      double[] out = new double[1];
      at(cell).pulseThenRead(pulse.polarity(), out);
      return out[0];
    }
  }

  /** Records the stage, counts devices, stops once {@code stopAfter} devices are done. */
  static class Recording implements Monitor {
    final List<String> stages = new ArrayList<>();
    long advanced;
    long stopAfter = Long.MAX_VALUE;

    @Override
    public void stage(String name, long total, String unit) {
      stages.add(name + " / " + total + " " + unit);
    }

    @Override
    public void advance(long n) {
      advanced += n;
    }

    @Override
    public boolean stopRequested() {
      return advanced >= stopAfter;
    }
  }

  private static final int EVERY = 32;
  private static final int BUDGET = 4096;
  /** Samples a converged device has: the first check with 32 samples, pair 1024. */
  private static final int CONVERGED_SAMPLES = 32;
  /** Samples of a device that runs to the budget: (4096 - 256) / 2 pairs, one sample per 32. */
  private static final int BUDGET_SAMPLES = (BUDGET - 256) / 2 / EVERY;

  /** One device's script and what the search should make of it. */
  static final class Device {
    final Cell cell;
    final double start;
    final double top;
    final double anchor;
    final double[] u;
    final double[] d;
    /** Noise samples: up, down and repeated down read. */
    final double[] nu = new double[SymmetryPointSearch.NOISE_SAMPLES];
    final double[] nd = new double[SymmetryPointSearch.NOISE_SAMPLES];
    final double[] again = new double[SymmetryPointSearch.NOISE_SAMPLES];

    /**
     * A device starting mid-window whose probe moves it three quarters of the way to each bound (a correlation of
     * about ((1/4)(1/4))^(32/128) = 1/2 between samples 32 pairs apart), then sampled around its anchor: with a spread
     * of {@code noise} siemens (the windows settle within the tolerance of the test) or drifting by {@code drift}
     * siemens a sample (the window never settles).
     */
    Device(Cell cell, double gMin, double gMax, int samples, double noise, double drift, long seed) {
      this.cell = cell;
      java.util.Random r = new java.util.Random(seed);
      start = gMin + 0.5 * (gMax - gMin);
      top = start + 0.75 * (gMax - start);
      anchor = top - 0.75 * (top - gMin);
      u = new double[samples];
      d = new double[samples];
      for (int k = 0; k < samples; k++) {
        double mid = anchor + noise * r.nextGaussian() + drift * k;
        u[k] = mid + 2e-7;
        d[k] = mid - 2e-7 + noise * r.nextGaussian();
      }
      for (int j = 0; j < nu.length; j++) {
        double mid = anchor + noise * r.nextGaussian();
        nu[j] = mid + 2e-7;
        nd[j] = mid - 2e-7;
        again[j] = nd[j] + 0.5 * noise * r.nextGaussian();
      }
    }

    void script(ScriptedActuator a, boolean noiseSamples) {
      a.then(start).then(top).then(anchor);
      for (int k = 0; k < u.length; k++) a.then(u[k]).then(d[k]);
      if (noiseSamples) for (int j = 0; j < nu.length; j++) a.then(nu[j]).then(nd[j]).then(again[j]);
    }

    float[] midpoints() {
      float[] m = new float[u.length];
      for (int k = 0; k < u.length; k++) m[k] = (float) (0.5 * (u[k] + d[k]) - anchor);
      return m;
    }

    double rise() {
      return top - start;
    }

    double fall() {
      return top - anchor;
    }

    /** The calls of its search: the probe, the pairs (sampled every 32nd), and the noise samples when it gets them. */
    List<String> calls(int pairs, boolean noiseSamples) {
      String p = cell.row() + "," + cell.col() + ":";
      List<String> out = new ArrayList<>(List.of(p + "R", p + "U128", p + "R", p + "D128", p + "R"));
      for (int k = 1; k <= pairs; k++) {
        if (k % EVERY == 0) out.addAll(List.of(p + "UR", p + "DR"));
        else out.addAll(List.of(p + "U", p + "D"));
      }
      if (noiseSamples) {
        for (int j = 0; j < SymmetryPointSearch.NOISE_SAMPLES; j++) {
          for (int k = 1; k < EVERY; k++) out.addAll(List.of(p + "U", p + "D"));
          out.addAll(List.of(p + "UR", p + "DR", p + "R"));
        }
      }
      return out;
    }
  }

  /**
   * Six devices of a tile at rows 1-2, columns 2-4 of a 4 x 5 board: 0 settles (noise samples: 16 degrees of freedom,
   * (48 - 16 skipped) x (1 - 1/2)), 1 drifts to the budget (its own window's second half counts: 30 x 1/2, 31 in
   * all), 2 and 3 settle (noise samples: 47, then 63), 4 settles but the tile has its 60 degrees of freedom (no noise
   * samples), and the monitor asks to stop after device 4, so 5 is never touched.
   */
  @Test
  void devicesAreSearchedInTurnWithNoiseSamplesUntilTheTileHasItsDegreesOfFreedom() throws IOException {
    ScriptedBoard board = ScriptedBoard.of(4, 5);
    double gMin = board.gMin;
    double gMax = board.gMax;
    Tile tile = new Tile(0, 1, 2, 2, 3);
    int n = tile.devices();
    boolean[] settles = {true, false, true, true, true, false};
    boolean[] noiseSamples = {true, false, true, true, false, false};
    Device[] dev = new Device[n];
    for (int k = 0; k < 5; k++) {
      Cell c = Cell.active(0, 1 + k / 3, 2 + k % 3);
      dev[k] = settles[k] ? new Device(c, gMin, gMax, CONVERGED_SAMPLES, 2e-8, 0, k) : new Device(c, gMin, gMax, BUDGET_SAMPLES, 2e-8, 2e-7, k);
      dev[k].script(board.device(c), noiseSamples[k]);
    }
    Recording monitor = new Recording();
    monitor.stopAfter = 5;
    // the settled windows' standard error and trend are about 1e-8, the drifting one's trend 8 x 2e-7 and more
    CalibrationSettings s = SymmetryPointGroupTest.settings(BUDGET, EVERY, 256, 4 * EVERY, 0, 0, 1e-6);
    TileSearch r = SymmetryPointSearch.perDevice(board, tile, s, monitor);

    List<String> expected = new ArrayList<>();
    for (int k = 0; k < 5; k++) expected.addAll(dev[k].calls(settles[k] ? CONVERGED_SAMPLES * EVERY : BUDGET_SAMPLES * EVERY, noiseSamples[k]));
    assertEquals(expected.size(), board.log.size(), "calls");
    assertEquals(expected, board.log);
    assertEquals(List.of("symmetry points per device, " + tile + " / 6 devices"), monitor.stages);
    assertEquals(5, monitor.advanced);

    int noisePulses = 2 * SymmetryPointSearch.NOISE_SAMPLES * EVERY;
    assertArrayEquals(new int[] {256 + 2048 + noisePulses, BUDGET, 256 + 2048 + noisePulses, 256 + 2048 + noisePulses, 256 + 2048, 0}, r.pulses());
    assertEquals(List.of(SearchStatus.CONVERGED, SearchStatus.BUDGET, SearchStatus.CONVERGED, SearchStatus.CONVERGED, SearchStatus.CONVERGED,
        SearchStatus.NOT_MEASURED), Arrays.asList(r.status()));
    assertEquals(0, r.blockPulses());

    double[] se = referenceErrors(dev, n, r.status(), new int[] {48, 0, 48, 48, 0, 0}, gMin, gMax);
    for (int k = 0; k < 5; k++) {
      assertEquals(dev[k].anchor + SymmetryPointGroupTest.window(dev[k].midpoints(), dev[k].u.length)[0], r.estimateSiemens()[k], 1e-12 * gMax,
          "estimate of device " + k);
      assertEquals(dev[k].rise(), r.upResponseSiemens()[k], 1e-12 * gMax, "rise of device " + k);
      assertEquals(dev[k].fall(), r.downResponseSiemens()[k], 1e-12 * gMax, "fall of device " + k);
    }
    assertTrue(Double.isNaN(r.estimateSiemens()[5]) && Double.isNaN(r.stdErrorSiemens()[5]) && Double.isNaN(r.upResponseSiemens()[5]),
        "device 5 was never measured");
    assertErrors(se, r, 5);

    // traced: devices 0, 3 and 5 (first, n/3 + cols/2, last); 5 was never searched
    assertEquals(2, r.traces().size());
    assertEquals(List.of(1, 2, CONVERGED_SAMPLES), List.of(r.traces().get(0).row(), r.traces().get(0).col(), r.traces().get(0).pairs().length));
    assertEquals(List.of(2, 2, CONVERGED_SAMPLES), List.of(r.traces().get(1).row(), r.traces().get(1).col(), r.traces().get(1).pairs().length));
    assertEquals((float) (0.5 * (dev[3].u[0] + dev[3].d[0])), r.traces().get(1).midpointSiemens()[0]);
  }

  /**
   * The standard errors perDevice should report, assembled from the devices' scripts as the documentation describes
   * them (null devices were never measured): each device's window statistics, then {@link Errors#pooledErrors} with
   * the correlation its probe gives, then {@link Errors#modelErrors} with the noise level from the samples no
   * stopping decision looked at: the second half of the window of a device that ran to the budget, the noise samples
   * after the first {@value SymmetryPointSearch#NOISE_SKIP} of a settled one ({@code taken[k]} of them), and the
   * read noise from the repeated reads when there are at least 8.
   */
  static double[] referenceErrors(Device[] dev, int n, SearchStatus[] status, int[] taken, double gMin, double gMax) {
    int capacity = BUDGET / 2 / EVERY + 1;
    int noiseCapacity = Math.max(SymmetryPointSearch.NOISE_SAMPLES, capacity / 2 + 1);
    float[] kept = new float[n * capacity];
    float[] noise = new float[n * noiseCapacity];
    int[] finishedAt = new int[n];
    int[] noiseFrom = new int[n];
    int[] noiseTo = new int[n];
    double[] est = new double[n];
    double[] se = new double[n];
    double[] anchors = new double[n];
    double[] rise = new double[n];
    double[] fall = new double[n];
    double[] rhoOwn = new double[n];
    Arrays.fill(est, Double.NaN);
    Arrays.fill(se, Double.NaN);
    Arrays.fill(rise, Double.NaN);
    Arrays.fill(fall, Double.NaN);
    Arrays.fill(rhoOwn, Double.NaN);
    double readNoise = 0;
    int repeated = 0;
    for (int k = 0; k < n; k++) {
      if (dev[k] == null) continue;
      float[] m = dev[k].midpoints();
      System.arraycopy(m, 0, kept, k * capacity, m.length);
      finishedAt[k] = m.length;
      double[] w = SymmetryPointGroupTest.window(m, m.length);
      est[k] = dev[k].anchor + w[0];
      se[k] = w[1];
      anchors[k] = dev[k].anchor;
      rise[k] = dev[k].rise();
      fall[k] = dev[k].fall();
      rhoOwn[k] = Errors.probeCorrelation(rise[k], fall[k], dev[k].anchor + fall[k], gMin, gMax, SymmetryPointSearch.PROBE_PULSES, EVERY);
      assertEquals(0.5, rhoOwn[k], 1e-9, "device " + k + ": correlation from the probe");
      if (status[k] == SearchStatus.BUDGET) {
        noiseTo[k] = m.length - m.length / 2;
        for (int j = 0; j < noiseTo[k]; j++) noise[k * noiseCapacity + j] = m[m.length / 2 + j];
      } else if (taken[k] > 0) {
        noiseFrom[k] = Math.min(taken[k], SymmetryPointSearch.NOISE_SKIP);
        noiseTo[k] = taken[k];
        for (int j = 0; j < taken[k]; j++) {
          noise[k * noiseCapacity + j] = (float) (0.5 * (dev[k].nu[j] + dev[k].nd[j]) - dev[k].anchor);
          readNoise += (dev[k].nd[j] - dev[k].again[j]) * (dev[k].nd[j] - dev[k].again[j]);
          repeated++;
        }
      }
    }
    Errors.pooledErrors(kept, capacity, finishedAt, n, 0, se, rhoOwn);
    double white = repeated >= 8 ? readNoise / (2 * repeated) / 2 : Double.NaN;
    Errors.modelErrors(kept, capacity, finishedAt, noise, noiseCapacity, noiseFrom, noiseTo, n, est, anchors, rise, fall, gMin, gMax, EVERY, white, se);
    return se;
  }

  private static void assertErrors(double[] expected, TileSearch r, int measured) {
    for (int k = 0; k < measured; k++) {
      assertTrue(Double.isFinite(expected[k]) && expected[k] > 0, "reference standard error of device " + k + ": " + expected[k]);
      assertEquals(expected[k], r.stdErrorSiemens()[k], 1e-9 * expected[k], "standard error of device " + k);
    }
  }

  /**
   * A whole tile of two: device 0 settles and its noise samples are aborted after 8 (what was taken counts, the
   * tile goes on, and 8 repeated reads are enough to measure the read noise); device 1 runs to the budget.
   */
  @Test
  void aConvergedDeviceWhoseNoiseSamplesAreAbortedKeepsTheEightTakenAndTheTileGoesOn() throws IOException {
    ScriptedBoard board = ScriptedBoard.of(1, 2);
    Device[] dev = {new Device(Cell.active(0, 0, 0), board.gMin, board.gMax, CONVERGED_SAMPLES, 2e-8, 0, 1),
        new Device(Cell.active(0, 0, 1), board.gMin, board.gMax, BUDGET_SAMPLES, 2e-8, 2e-7, 2)};
    dev[0].script(board.device(dev[0].cell), true);
    dev[1].script(board.device(dev[1].cell), false);
    int search = dev[0].calls(CONVERGED_SAMPLES * EVERY, false).size();
    int perNoiseSample = 2 * (EVERY - 1) + 3;
    board.device(dev[0].cell).abortAt = search + 8 * perNoiseSample;
    CalibrationSettings s = SymmetryPointGroupTest.settings(BUDGET, EVERY, 256, 4 * EVERY, 0, 0, 1e-6);
    Recording monitor = new Recording();
    TileSearch r = SymmetryPointSearch.perDevice(board, board.whole(), s, monitor);

    List<String> expected = dev[0].calls(CONVERGED_SAMPLES * EVERY, true).subList(0, search + 8 * perNoiseSample);
    expected = new ArrayList<>(expected);
    expected.addAll(dev[1].calls(BUDGET_SAMPLES * EVERY, false));
    assertEquals(expected, board.log);
    assertEquals(2, monitor.advanced);
    assertEquals(List.of(SearchStatus.CONVERGED, SearchStatus.BUDGET), Arrays.asList(r.status()));
    assertArrayEquals(new int[] {256 + 2048 + 2 * 8 * EVERY, BUDGET}, r.pulses());
    assertErrors(referenceErrors(dev, 2, r.status(), new int[] {8, 0}, board.gMin, board.gMax), r, 2);
  }

  /** A stop once the only device has settled: no noise samples, so its standard error is the pooled one alone. */
  @Test
  void aDeviceStoppedBeforeItsNoiseSamplesKeepsItsPooledStandardError() throws IOException {
    ScriptedBoard board = ScriptedBoard.of(1, 2);
    Device[] dev = {new Device(Cell.active(0, 0, 0), board.gMin, board.gMax, CONVERGED_SAMPLES, 2e-8, 0, 1), null};
    dev[0].script(board.device(dev[0].cell), false);
    int search = dev[0].calls(CONVERGED_SAMPLES * EVERY, false).size();
    CalibrationSettings s = SymmetryPointGroupTest.settings(BUDGET, EVERY, 256, 4 * EVERY, 0, 0, 1e-6);
    Recording monitor = new Recording() {
      @Override
      public boolean stopRequested() {
        return board.log.size() >= search;
      }
    };
    TileSearch r = SymmetryPointSearch.perDevice(board, board.whole(), s, monitor);

    assertEquals(dev[0].calls(CONVERGED_SAMPLES * EVERY, false), board.log);
    assertEquals(List.of(SearchStatus.CONVERGED, SearchStatus.NOT_MEASURED), Arrays.asList(r.status()));
    double[] pooled = referenceErrors(dev, 2, r.status(), new int[] {0, 0}, board.gMin, board.gMax);
    assertErrors(pooled, r, 1);
    double window = SymmetryPointGroupTest.window(dev[0].midpoints(), CONVERGED_SAMPLES)[1];
    assertTrue(Math.abs(pooled[0] - window) > 1e-3 * window, "the pooled standard error differs from the window's: " + pooled[0] + ", " + window);
  }

  @Test
  void anInterruptedDeviceEndsTheTileAndAStopBeforeTheFirstDeviceMeasuresNothing() throws IOException {
    ScriptedBoard board = ScriptedBoard.of(1, 3);
    Device first = new Device(Cell.active(0, 0, 0), board.gMin, board.gMax, 4, 2e-8, 0, 1);
    first.script(board.device(first.cell), false);
    // the first device is stopped after four samples (an abort at the first pair of the fifth sample)
    board.device(first.cell).abortAt = 5 + 2 * 4 * EVERY;
    CalibrationSettings s = SymmetryPointGroupTest.settings(BUDGET, EVERY, 256, 4 * EVERY, 0, 0, board.gMax - board.gMin);
    Recording monitor = new Recording();
    TileSearch r = SymmetryPointSearch.perDevice(board, board.whole(), s, monitor);

    assertEquals(first.calls(4 * EVERY, false), board.log);
    assertEquals(List.of(SearchStatus.INTERRUPTED, SearchStatus.NOT_MEASURED, SearchStatus.NOT_MEASURED), Arrays.asList(r.status()));
    assertEquals(1, monitor.advanced);
    float[] m = first.midpoints();
    assertEquals(first.anchor + (m[2] + (double) m[3]) / 2, r.estimateSiemens()[0], 1e-12 * board.gMax);
    assertEquals(256 + 2 * (4 * EVERY + 1), r.pulses()[0]);

    Recording stopped = new Recording();
    stopped.stopAfter = 0;
    ScriptedBoard untouched = ScriptedBoard.of(1, 3);
    TileSearch none = SymmetryPointSearch.perDevice(untouched, board.whole(), s, stopped);
    assertEquals(List.of(), untouched.log);
    assertEquals(0, stopped.advanced);
    for (int k = 0; k < 3; k++) {
      assertEquals(SearchStatus.NOT_MEASURED, none.status()[k]);
      assertTrue(Double.isNaN(none.estimateSiemens()[k]) && Double.isNaN(none.stdErrorSiemens()[k]) && Double.isNaN(none.upResponseSiemens()[k])
          && Double.isNaN(none.downResponseSiemens()[k]), "device " + k);
    }
  }

  @Test
  void aTileOutsideTheBoardIsRefusedBeforeAnyCall() {
    ScriptedBoard board = ScriptedBoard.of(2, 2);
    CalibrationSettings s = SymmetryPointGroupTest.settings(BUDGET, EVERY, 256, 4 * EVERY, 0, 0, 1e-6);
    assertThrows(IllegalArgumentException.class, () -> SymmetryPointSearch.perDevice(board, new Tile(0, 1, 1, 2, 2), s, new Recording()));
    assertEquals(List.of(), board.log);
  }
}
