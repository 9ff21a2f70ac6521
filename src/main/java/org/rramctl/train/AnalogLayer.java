package org.rramctl.train;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Limits;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.procedure.BoardDefaults;
import org.rramctl.sim.EmulatorDriver;

/**
 * Weights held as conductances on one or more tiles of a {@link CrossbarDriver}: the analog
 * {@link LayerWeights}. Every operation is a driver call per tile; nothing loops over devices on the host.
 *
 * <ul>
 *   <li>Weight: {@code w = (G - G_ref) / gUnit}, read with {@link ReadMode#DIFFERENTIAL}. The reference plane
 *       is whatever was programmed before (zero-shifting: each device's symmetry point; conventional: mid-range);
 *       this class never writes it.
 *   <li>Forward: row voltages {@code V_j = x_j * readVolts / x_max} (abs-max scaling, the largest input reads at
 *       {@code readVolts}), {@code y_i = I_i * x_max / (readVolts * gUnit)}, column currents of row-split blocks
 *       summed on the host.
 *   <li>Backward: the same through {@link CrossbarDriver#transposeRead} with column voltages from delta.
 *   <li>Update: {@link CrossbarDriver#parallelUpdate} on {@link Plane#ACTIVE} with the streams of
 *       {@link StochasticPulses}; a block none of whose rows or none of whose columns fire is skipped.
 * </ul>
 *
 * Buffers, the reads' results included, are allocated once per block; per call the only allocations are the
 * {@link StochasticUpdate} records (and, on drivers without their own buffered reads, the drivers' results). Not thread-safe (a driver serves one caller thread).
 */
public final class AnalogLayer implements LayerWeights {
  private final CrossbarDriver driver;
  private final int rows;
  private final int cols;
  private final TileLayout.Block[] blocks;
  private final double readVolts;
  private final double gUnit;
  private final double dwMin;
  private final int maxBitLength;
  private final boolean updateManagement;
  private final boolean blManagement;
  private final Pulse up;
  private final Pulse down;
  private final Rng rng;
  private final double[][] rowVolts;
  private final double[][] colVolts;
  /** Per block, the driver's result of a forward / transpose read (reused: no allocation per step). */
  private final double[][] colCurrents;
  private final double[][] rowCurrents;
  private final long[][] blockRowBits;
  private final byte[][] blockRowSigns;
  private final long[][] blockColBits;
  private final byte[][] blockColSigns;
  private final long[] xBits;
  private final byte[] xSigns;
  private final long[] dBits;
  private final byte[] dSigns;

  private AnalogLayer(CrossbarDriver driver, int rows, int cols, List<TileLayout.Block> blocks, Resolved r, Rng rng) {
    this.driver = driver;
    this.rows = rows;
    this.cols = cols;
    this.blocks = blocks.toArray(new TileLayout.Block[0]);
    this.readVolts = r.readVolts;
    this.gUnit = r.gUnit;
    this.dwMin = r.settings.dwMin();
    this.maxBitLength = r.settings.bitLength();
    this.updateManagement = r.settings.updateManagement();
    this.blManagement = r.settings.updateBlManagement();
    this.up = r.up;
    this.down = r.down;
    this.rng = rng;
    int n = this.blocks.length;
    rowVolts = new double[n][];
    colVolts = new double[n][];
    colCurrents = new double[n][];
    rowCurrents = new double[n][];
    blockRowBits = new long[n][];
    blockRowSigns = new byte[n][];
    blockColBits = new long[n][];
    blockColSigns = new byte[n][];
    for (int b = 0; b < n; b++) {
      Tile t = this.blocks[b].tile();
      rowVolts[b] = new double[t.rows()];
      colVolts[b] = new double[t.cols()];
      colCurrents[b] = new double[t.cols()];
      rowCurrents[b] = new double[t.rows()];
      blockRowBits[b] = new long[t.rows()];
      blockRowSigns[b] = new byte[t.rows()];
      blockColBits[b] = new long[t.cols()];
      blockColSigns[b] = new byte[t.cols()];
    }
    xBits = new long[rows];
    xSigns = new byte[rows];
    dBits = new long[cols];
    dSigns = new byte[cols];
  }

  /** Settings with the board-derived values filled in. */
  record Resolved(AnalogSettings settings, double readVolts, double gUnit, Pulse up, Pulse down) {}

  /**
   * Fills in the NaN/null settings from the board and the driver's envelope. The emulator knows its nominal
   * pulse and the read voltage its noise figures refer to, and those are used; on another board the pulse is
   * the house default moved to the nearest value its limits allow ({@link BoardDefaults}), printed at start.
   */
  static Resolved resolve(CrossbarDriver driver, AnalogSettings s) {
    BoardInfo info = driver.info();
    Limits lim = driver instanceof EnvelopedDriver e ? e.envelope().limits() : info.hardwareLimits();
    EmulatorDriver emu = EmulatorStateStore.emulatorOf(driver);
    double readVolts = !Double.isNaN(s.readVolts()) ? s.readVolts()
        : emu != null ? Math.min(EmulatorDriver.NOMINAL_READ_VOLTS, lim.maxReadVolts()) : lim.maxReadVolts();
    if (readVolts > lim.maxReadVolts()) {
      throw new IllegalArgumentException("readVolts: " + readVolts + " V (expected: <= " + lim.maxReadVolts() + " V, the envelope of board " + info.boardId() + ")");
    }
    double gUnit = Double.isNaN(s.gUnitSiemens()) ? (info.gMaxSiemens() - info.gMinSiemens()) / 2 : s.gUnitSiemens();
    Pulse up = s.up();
    if (up == null) {
      // The board's nominal pulse, or the house default moved into its limits (printed at start by TrainingRun).
      BoardDefaults d = BoardDefaults.of(driver);
      up = Pulse.of(Polarity.UP, d.pulseVolts(), d.pulseWidthNanos(), lim);
    }
    Pulse down = s.down() != null ? s.down() : up.withPolarity(Polarity.DOWN);
    if (s.periodFromBoard()) {
      up = up.withPeriodNanos(Pulse.defaultPeriodNanos(up.widthNanos(), lim));
      down = down.withPeriodNanos(Pulse.defaultPeriodNanos(down.widthNanos(), lim));
    }
    return new Resolved(s, readVolts, gUnit, up, down);
  }

  /**
   * Plans a network on the driver's board and returns a factory of its analog layers, each initialised by
   * {@link #initialize} from a generator split off {@code initRng}, each updating with one split off
   * {@code updateRng}.
   *
   * @throws IllegalArgumentException when the network does not fit (see {@link TileLayout#plan})
   */
  public static Network.LayerFactory factory(CrossbarDriver driver, int[] sizes, AnalogSettings settings, Rng initRng, Rng updateRng) {
    return factory(driver, sizes, settings, initRng, updateRng, true);
  }

  /**
   * {@link #factory(CrossbarDriver, int[], AnalogSettings, Rng, Rng)}, with {@code initialise} false for a run that
   * resumes: its devices come from the checkpoint, so the layers are not initialised (the generators are split
   * all the same, so the update streams are the same as in the run that wrote the checkpoint).
   */
  public static Network.LayerFactory factory(CrossbarDriver driver, int[] sizes, AnalogSettings settings, Rng initRng, Rng updateRng, boolean initialise) {
    Resolved r = resolve(driver, settings);
    TileLayout layout = TileLayout.plan(driver.info(), sizes, true);
    return (k, rows, cols) -> {
      AnalogLayer l = new AnalogLayer(driver, rows, cols, layout.blocks(k), r, updateRng.split());
      Rng ir = initRng.split();
      if (initialise) l.initialize(settings, k, ir);
      return l;
    };
  }

  /**
   * Initialises the weights as {@code settings.init()} says, from {@code initRng}: by write-verify to weights
   * drawn from it ({@link #writeInitialWeights}), or by the pulse walk ({@link #initialize(double, Rng)}).
   *
   * @param layer the layer's index (0-based), for the outcome
   */
  public void initialize(AnalogSettings settings, int layer, Rng initRng) throws IOException {
    if (settings.init() == AnalogSettings.Init.PULSE_WALK) {
      initialize(settings.initScale(), initRng);
      return;
    }
    double a = settings.initScale() / Math.sqrt(rows);
    double[] w0 = new double[rows * cols];
    for (int k = 0; k < w0.length; k++) w0[k] = (2 * initRng.nextDouble() - 1) * a;
    writeInitialWeights(layer, w0);
  }

  /**
   * What write-verify initialisation achieved on one layer, in weight units ({@code (G - G_ref) / gUnit}).
   *
   * @param layer 0-based layer index
   * @param devices active devices written
   * @param reached devices whose last verify read was within {@code toleranceW} of their target
   * @param clipped devices whose target lay outside the conductance window and was moved to its edge
   * @param toleranceW the write-verify tolerance (the calibration's reference tolerance over gUnit)
   * @param targetStdW standard deviation of the drawn weights W0
   * @param rmsErrorW RMS of (last verify read - target) over the devices
   * @param maxErrorW largest |last verify read - target|
   * @param checkRmsErrorW RMS of (W read afterwards by a read of both planes - W0): the error as training sees it,
   *     with two reads' noise in it
   * @param pulses programming pulses applied
   */
  public record InitOutcome(int layer, long devices, long reached, long clipped, double toleranceW, double targetStdW, double rmsErrorW,
      double maxErrorW, double checkRmsErrorW, long pulses) {
    /** One line for the terminal. */
    public String describe() {
      return String.format(Locale.ROOT, "layer %d initial weights by write-verify: %d devices, %d within %.4f W, %d clipped to the window; "
          + "W0 std %.4f, error RMS %.4f max %.4f W (check read RMS %.4f W); %d pulses", layer + 1, devices, reached, toleranceW, clipped,
          targetStdW, rmsErrorW, maxErrorW, checkRmsErrorW, pulses);
    }
  }

  private InitOutcome initOutcome;

  /** What write-verify initialisation achieved, or null when the layer was not initialised that way. */
  public InitOutcome initOutcome() {
    return initOutcome;
  }

  /**
   * Writes the weights {@code w0} (row-major, rows x cols, weight units) onto the devices by write-verify: each
   * block's reference plane is read once, each active device is programmed to {@code G_ref + w0 * gUnit} (clipped
   * to the board's window) with the calibration module's write-verify at its reference tolerance, and both planes
   * are read again to check. Works on any board: single-device pulse-then-read and array reads only.
   */
  public InitOutcome writeInitialWeights(int layer, double[] w0) throws IOException {
    if (w0.length != rows * cols) throw new IllegalArgumentException("w0: " + w0.length + " values (expected: " + rows + " x " + cols + ")");
    BoardInfo info = driver.info();
    org.rramctl.calibration.CalibrationSettings cs = References.calibrationSettings(info, up);
    double gMin = info.gMinSiemens();
    double gMax = info.gMaxSiemens();
    long devices = 0;
    long reached = 0;
    long clipped = 0;
    long pulses = 0;
    double sumSq = 0;
    double max = 0;
    double checkSq = 0;
    double sum0 = 0;
    double sumSq0 = 0;
    for (TileLayout.Block blk : blocks) {
      Tile t = blk.tile();
      int arrayCols = info.array(t.array()).cols();
      double[] ref = driver.readArray(t.array(), Plane.REFERENCE, cs.readVolts()).siemens();
      double[] target = new double[t.devices()];
      double[] wanted = new double[t.devices()];
      for (int k = 0; k < target.length; k++) {
        int r = k / t.cols();
        int c = k % t.cols();
        double w = w0[(blk.rowOffset() + r) * cols + blk.colOffset() + c];
        wanted[k] = w;
        double g = ref[(t.row0() + r) * arrayCols + t.col0() + c] + w * gUnit;
        if (g < gMin || g > gMax) clipped++;
        target[k] = Math.max(gMin, Math.min(gMax, g));
      }
      org.rramctl.calibration.ReferenceProgramming.Result res = org.rramctl.calibration.ReferenceProgramming.program(driver, t, Plane.ACTIVE, target,
          dwMin * gUnit, cs, org.rramctl.calibration.Monitor.NONE);
      double[] act = driver.readArray(t.array(), Plane.ACTIVE, cs.readVolts()).siemens();
      double[] ref2 = driver.readArray(t.array(), Plane.REFERENCE, cs.readVolts()).siemens();
      for (int k = 0; k < target.length; k++) {
        devices++;
        if (res.reached()[k]) reached++;
        pulses += res.pulses()[k];
        double e = Math.abs(res.errorSiemens()[k]) / gUnit;
        if (Double.isNaN(e)) e = Double.POSITIVE_INFINITY; // stopped before this device
        sumSq += e * e;
        max = Math.max(max, e);
        int at = (t.row0() + k / t.cols()) * arrayCols + t.col0() + k % t.cols();
        double d = (act[at] - ref2[at]) / gUnit - wanted[k];
        checkSq += d * d;
        sum0 += wanted[k];
        sumSq0 += wanted[k] * wanted[k];
      }
    }
    double mean0 = sum0 / devices;
    initOutcome = new InitOutcome(layer, devices, reached, clipped, cs.refToleranceSiemens() / gUnit, Math.sqrt(Math.max(0, sumSq0 / devices - mean0 * mean0)),
        Math.sqrt(sumSq / devices), max, Math.sqrt(checkSq / devices), pulses);
    return initOutcome;
  }

  /** A layer on the given blocks, not initialised (for tests and for resuming on a board that kept its state). */
  public static AnalogLayer on(CrossbarDriver driver, int rows, int cols, List<TileLayout.Block> blocks, AnalogSettings settings, Rng rng) {
    if (blocks.isEmpty()) throw new IllegalArgumentException("blocks: empty (expected: the tiles of a " + rows + " x " + cols + " layer)");
    return new AnalogLayer(driver, rows, cols, blocks, resolve(driver, settings), rng);
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  /** The tiles this layer occupies. */
  public List<TileLayout.Block> blocks() {
    return List.of(blocks);
  }

  /** The update RNG's state, for checkpoints. */
  public long[] rngState() {
    return rng.state();
  }

  /** Continues the update RNG from a checkpointed state. */
  public void restoreRng(long[] state) {
    rng.setState(state);
  }

  /**
   * Moves every device from its current state by a seeded random walk of pulses whose spread, at the nominal
   * step {@code dwMin}, matches U(+-initScale / sqrt(rows)) (std {@code initScale / sqrt(3 rows)}). Done with
   * whole-tile programs, each giving device (j, i) {@code bitCount(r_j & c_i)} pulses of sign
   * {@code s_j * t_i} with random streams (p = 1/2 per slot) and random signs; the rank-1 sign pattern of one
   * program averages out over the K programs. The resulting weights are Gaussian-like rather than uniform, and
   * soft bounds and device variation shape them further; the point is a fast, seeded, hardware-realistic start.
   */
  public void initialize(double initScale, Rng initRng) throws IOException {
    if (initScale == 0) return;
    int bl = 63;
    if (driver instanceof EnvelopedDriver e) bl = Math.min(bl, e.envelope().limits().maxPulsesPerCommand());
    double q = 0.25; // a coincidence needs both streams: 1/2 * 1/2
    double meanSq = bl * q * (1 - q) + (bl * q) * (bl * q);
    double sigmaPulses = initScale / Math.sqrt(3.0 * rows) / dwMin;
    int programs = (int) Math.max(1, Math.round(sigmaPulses * sigmaPulses / meanSq));
    long mask = (1L << bl) - 1;
    for (int b = 0; b < blocks.length; b++) {
      Tile t = blocks[b].tile();
      for (int p = 0; p < programs; p++) {
        long[] rb = new long[t.rows()];
        byte[] rs = new byte[t.rows()];
        long[] cb = new long[t.cols()];
        byte[] cs = new byte[t.cols()];
        for (int j = 0; j < rb.length; j++) {
          rb[j] = initRng.nextLong() & mask;
          rs[j] = (byte) (rb[j] == 0 ? 0 : (initRng.nextLong() < 0 ? -1 : 1));
        }
        for (int i = 0; i < cb.length; i++) {
          cb[i] = initRng.nextLong() & mask;
          cs[i] = (byte) (cb[i] == 0 ? 0 : (initRng.nextLong() < 0 ? -1 : 1));
        }
        driver.parallelUpdate(t, Plane.ACTIVE, new StochasticUpdate(bl, rb, rs, cb, cs, up, down));
      }
    }
  }

  @Override
  public void forward(double[] x, double[] y) throws IOException {
    Arrays.fill(y, 0, cols, 0.0);
    double xMax = StochasticPulses.absMax(x, rows);
    if (xMax == 0) return;
    double iScale = xMax / (readVolts * gUnit);
    for (int b = 0; b < blocks.length; b++) {
      TileLayout.Block blk = blocks[b];
      double[] v = rowVolts[b];
      int r0 = blk.rowOffset();
      boolean any = false;
      for (int r = 0; r < v.length; r++) {
        double vr = x[r0 + r] / xMax * readVolts; // x/x_max is exactly 1 at the max: never above readVolts
        v[r] = vr;
        any |= vr != 0;
      }
      if (!any) continue;
      double[] current = colCurrents[b];
      driver.forwardRead(blk.tile(), ReadMode.DIFFERENTIAL, v, current);
      int c0 = blk.colOffset();
      for (int c = 0; c < current.length; c++) y[c0 + c] += current[c] * iScale;
    }
  }

  @Override
  public void backward(double[] delta, double[] out) throws IOException {
    Arrays.fill(out, 0, rows, 0.0);
    double dMax = StochasticPulses.absMax(delta, cols);
    if (dMax == 0) return;
    double iScale = dMax / (readVolts * gUnit);
    for (int b = 0; b < blocks.length; b++) {
      TileLayout.Block blk = blocks[b];
      double[] v = colVolts[b];
      int c0 = blk.colOffset();
      boolean any = false;
      for (int c = 0; c < v.length; c++) {
        double vc = delta[c0 + c] / dMax * readVolts;
        v[c] = vc;
        any |= vc != 0;
      }
      if (!any) continue;
      double[] current = rowCurrents[b];
      driver.transposeRead(blk.tile(), ReadMode.DIFFERENTIAL, v, current);
      int r0 = blk.rowOffset();
      for (int r = 0; r < current.length; r++) out[r0 + r] += current[r] * iScale;
    }
  }

  @Override
  public void update(double[] x, double[] delta, double lr) throws IOException {
    double xMax = StochasticPulses.absMax(x, rows);
    double dMax = StochasticPulses.absMax(delta, cols);
    int bl = StochasticPulses.bitLength(lr, xMax, dMax, dwMin, maxBitLength, blManagement);
    if (bl == 0) return;
    double a = Math.sqrt(lr / (dwMin * bl));
    double bx = a;
    double ad = a;
    if (updateManagement) {
      bx *= Math.sqrt(dMax / xMax);
      ad *= Math.sqrt(xMax / dMax);
    }
    if (StochasticPulses.draw(x, rows, bx, false, bl, rng, xBits, xSigns) == 0) return;
    if (StochasticPulses.draw(delta, cols, ad, true, bl, rng, dBits, dSigns) == 0) return;
    for (int b = 0; b < blocks.length; b++) {
      TileLayout.Block blk = blocks[b];
      Tile t = blk.tile();
      long[] rb = blockRowBits[b];
      long[] cb = blockColBits[b];
      System.arraycopy(xBits, blk.rowOffset(), rb, 0, rb.length);
      System.arraycopy(dBits, blk.colOffset(), cb, 0, cb.length);
      if (allZero(rb) || allZero(cb)) continue;
      System.arraycopy(xSigns, blk.rowOffset(), blockRowSigns[b], 0, rb.length);
      System.arraycopy(dSigns, blk.colOffset(), blockColSigns[b], 0, cb.length);
      driver.parallelUpdate(t, Plane.ACTIVE, new StochasticUpdate(bl, rb, blockRowSigns[b], cb, blockColSigns[b], up, down));
    }
  }

  private static boolean allZero(long[] v) {
    for (long x : v) if (x != 0) return false;
    return true;
  }

  @Override
  public String toString() {
    return "analog " + rows + " x " + cols + " on " + blocks.length + " tile(s)";
  }
}
