package org.rramctl.sim;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.DriverStatus;
import org.rramctl.driver.Limits;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.SingleDeviceFallback;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.SweepResult;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.driver.VectorMath;

/**
 * The soft-bound software emulator behind the {@link CrossbarDriver} interface: arrays of emulated
 * devices (each with a reference array), every operation native and in-process.
 *
 * <p>It is at least as strict as a board: it refuses requests outside its own hardware limits and
 * addresses outside its arrays, exactly as the envelope would. Reads go through read noise and an ADC
 * (single reads: unsigned, full scale 1.25 G_max; vector reads: signed, full scale +-forwardBound in
 * weight-times-volt units). The exact symmetry points are available through {@link #truth()} for tests
 * and for measuring calibration error; they are not part of the driver interface.
 *
 * <p>Threading: one caller thread at a time; {@link #abort()} from any thread stops a running vector
 * operation at the next row and makes it throw {@link DriverAbortedException}.
 */
public final class EmulatorDriver implements CrossbarDriver, SourceMeasure {
  /** Emulated hardware limits. */
  public static final Limits HARDWARE_LIMITS = Limits.builder()
      .maxPulseVolts(3.0)
      .maxReadVolts(0.5)
      .minPulseWidthNanos(10)
      .maxPulseWidthNanos(10_000_000)
      .maxPulsesPerCommand(100_000)
      .maxPulseRateHz(50e6)
      .complianceAmps(1e-3)
      .build();
  /** Read voltage at which the forward-read noise and bound of the preset are specified, volts. */
  public static final double NOMINAL_READ_VOLTS = 0.2;
  /**
   * Rows of a parallel update or vector read are split into this many contiguous blocks (chunks); an update's
   * chunks each draw from their own noise generator. The chunks run on {@code threads} threads; the number is
   * fixed, so results do not depend on the thread count. Blocks, not rows dealt in turn: with interleaved rows
   * the two cores kept fetching each other's lines at every row boundary, and a whole-array update ran no
   * faster on two threads than on one (JMH, bench/EMULATOR-SPEED.md).
   */
  static final int CHUNKS = 4;
  /**
   * Vector operations that reach fewer devices than this (rows with input x columns) run on the caller's thread
   * alone. Measured (bench/EMULATOR-SPEED.md): handing half of a read or update to the second core costs the
   * hand-off plus the cache lines of the inputs and partial results crossing cores; whole-array operations
   * (calibration's alternating pulses, a full transpose read: 200,000 devices) run 1.5-1.9x faster on two threads,
   * while splitting a training step's smaller operations (a forward read of a digit reaches about 40,000
   * devices, an update a few thousand) gave no gain that held up across runs.
   */
  static final long PARALLEL_MIN_DEVICES = 65_536;
  /** Magic number and version at the start of {@link #writeState}'s output. */
  private static final int STATE_MAGIC = 0x524D4553; // "RMES"
  private static final int STATE_VERSION = 3;

  private final DevicePreset preset;
  /** The preset's switching physics, or {@link DevicePreset.Switching#plain} (source-measure only) when it has none. */
  private final DevicePreset.Switching physics;
  /** True when the preset has a switching block: pulses then follow its thresholds, exponents and forming. */
  private final boolean switchingPulses;
  /** {@code V0 sinh(0.2 / V0) / 0.2}: the sinh I-V is divided by it so that a read at 0.2 V returns G. */
  private final double ivNorm;
  private final BoardInfo info;
  private final SafetyEnvelope hardware;
  private final DevicePlane[] active;
  private final DevicePlane[] reference;
  private final double[][][] differential;
  private final FastRandom rng;
  /** One generator per update chunk: a chunk's noise does not depend on which thread runs it. */
  private final FastRandom[] chunkRng = new FastRandom[CHUNKS];
  private final SpinWorkers workers;
  private final UpdateTask updateTask = new UpdateTask();
  private final ReadTask readTask = new ReadTask();
  private final double gUnit;
  private final double adcLsbSiemens;
  private final int[][] scratch = new int[3][];
  private volatile int abortCount;
  private volatile boolean closed;
  private boolean lastAborted;
  private long pulsesApplied;

  /**
   * An emulated chip with one thread and a reference plane under every array.
   *
   * @param preset device model
   * @param geometry one entry per array (rows x cols)
   * @param seed seeds device-to-device draws and all noise
   */
  public static EmulatorDriver open(DevicePreset preset, List<int[]> geometry, long seed) {
    return open(preset, geometry, EmulatorSettings.seed(seed));
  }

  /**
   * An emulated chip: nothing to connect to, so nothing here can fail but bad arguments.
   *
   * @param preset device model
   * @param geometry one entry per array (rows x cols)
   */
  public static EmulatorDriver open(DevicePreset preset, List<int[]> geometry, EmulatorSettings settings) {
    return new EmulatorDriver(preset, geometry, settings.seed(), settings.threads(), settings.referencePlanes());
  }

  private EmulatorDriver(DevicePreset preset, List<int[]> geometry, long seed, int threads, boolean referencePlanes) {
    this.preset = preset;
    this.physics = preset.physics();
    this.switchingPulses = preset.switching() != null;
    double v0 = physics.sinhVolts();
    this.ivNorm = v0 > 0 ? v0 * Math.sinh(NOMINAL_READ_VOLTS / v0) / NOMINAL_READ_VOLTS : 1;
    List<ArrayGeometry> arrays = new ArrayList<>();
    for (int i = 0; i < geometry.size(); i++) arrays.add(new ArrayGeometry(i, geometry.get(i)[0], geometry.get(i)[1], referencePlanes));
    EnumSet<Capability> caps = EnumSet.allOf(Capability.class);
    if (!referencePlanes) caps.remove(Capability.REFERENCE_ARRAYS);
    this.info = new BoardInfo("emulator-" + preset.name() + "-seed" + seed, "rramctl soft-bound emulator", version(), 0, arrays, HARDWARE_LIMITS,
        preset.adcBits(), preset.gMinSiemens(), preset.gMaxSiemens(), caps, vectorFullScaleAmps(preset));
    this.hardware = SafetyEnvelope.of(info);
    FastRandom deviceDraws = new FastRandom(seed);
    active = new DevicePlane[arrays.size()];
    reference = new DevicePlane[arrays.size()];
    differential = new double[arrays.size()][][];
    // Drift rates come from a generator of their own: a drifting preset's devices start as those of the preset without drift.
    FastRandom driftDraws = preset.drift() == null ? null : new FastRandom(seed ^ 0x44524946545241L);
    for (ArrayGeometry g : arrays) {
      active[g.index()] = new DevicePlane(preset, g.rows(), g.cols(), deviceDraws, driftDraws);
      reference[g.index()] = new DevicePlane(preset, g.rows(), g.cols(), deviceDraws, driftDraws);
      differential[g.index()] = DevicePlane.linkDifferential(active[g.index()], reference[g.index()]);
    }
    this.rng = new FastRandom(seed ^ 0x5DEECE66DL);
    for (int q = 0; q < CHUNKS; q++) chunkRng[q] = new FastRandom((seed ^ 0x5DEECE66DL) + 0x632BE59BD9B4E019L * (q + 1));
    this.workers = new SpinWorkers(threads, "emulator-" + seed);
    this.gUnit = (preset.gMaxSiemens() - preset.gMinSiemens()) / 2;
    this.adcLsbSiemens = 1.25 * preset.gMaxSiemens() / ((1L << preset.adcBits()) - 1);
  }

  private static String version() {
    String v = EmulatorDriver.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** First row of chunk q of a tile of {@code rows} rows: chunks are contiguous blocks of rows. */
  static int chunkStart(int q, int rows) {
    return (int) ((long) rows * q / CHUNKS);
  }

  /** The kept G_active - G_reference of one device, siemens (for tests of its bookkeeping). */
  double differential(int array, int row, int col) {
    return differential[array][row][col];
  }

  /** Threads used for large vector operations, the caller's included. */
  public int threads() {
    return workers.threads();
  }

  public DevicePreset preset() {
    return preset;
  }

  /** Ground truth for tests and error measurement. */
  public Truth truth() {
    return new Truth();
  }

  private DevicePlane plane(int array, Plane p) {
    return p == Plane.ACTIVE ? active[array] : reference[array];
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("emulator " + info.boardId() + " is closed");
  }

  private int begin() {
    checkOpen();
    lastAborted = false;
    return abortCount;
  }

  private void checkAbort(int started) throws DriverAbortedException {
    if (abortCount != started) {
      lastAborted = true;
      throw new DriverAbortedException("emulator " + info.boardId(), "outputs idle");
    }
  }

  /** A reusable work array of at least {@code n} ints (one caller thread at a time). */
  private int[] scratch(int slot, int n) {
    int[] a = scratch[slot];
    if (a == null || a.length < n) {
      a = new int[Math.max(n, 16)];
      scratch[slot] = a;
    }
    return a;
  }

  /** How strongly a pulse moves a device relative to the preset's nominal pulse (0 below threshold). */
  private double strength(Pulse p) {
    if (switchingPulses) return switchingStrength(p.polarity() == Polarity.UP, p.amplitudeVolts(), p.widthNanos(), threshold(p.polarity() == Polarity.UP));
    double over = (p.amplitudeVolts() - preset.thresholdVolts()) / (preset.pulseVolts() - preset.thresholdVolts());
    return over <= 0 ? 0 : over * p.widthNanos() / (double) preset.pulseWidthNanos();
  }

  /** This operation's SET (up) or RESET threshold magnitude, V, with its cycle-to-cycle draw. */
  private double threshold(boolean up) {
    double v = up ? preset.thresholdVolts() : physics.resetThresholdVolts();
    return physics.thresholdC2c() > 0 ? v * Math.max(0.1, 1 + physics.thresholdC2c() * rng.nextGaussian()) : v;
  }

  /**
   * VTEAM's rate as a multiple of the nominal pulse's step: {@code ((V - Vth) / (Vnom - Vth))^alpha * t / t_nom},
   * zero at or below the threshold. At the nominal amplitude the bracket is exactly 1 whatever the threshold drawn.
   */
  private double switchingStrength(boolean up, double volts, long nanos, double vth) {
    if (!(volts > vth) || !(preset.pulseVolts() > vth)) return volts > vth ? Double.POSITIVE_INFINITY : 0;
    double x = (volts - vth) / (preset.pulseVolts() - vth);
    double alpha = up ? physics.alphaSet() : physics.alphaReset();
    return (alpha == 1 ? x : Math.pow(x, alpha)) * nanos / (double) preset.pulseWidthNanos();
  }

  /** The device current at {@code volts} for conductance g: {@code G V} or the normalised sinh law. */
  private double current(double g, double volts) {
    double v0 = physics.sinhVolts();
    return v0 > 0 ? g * v0 * Math.sinh(volts / v0) / ivNorm : g * volts;
  }

  /** Forming voltage of device k for a drive of {@code nanos}: lower for longer drives by formingVoltsPerDecade. */
  private double formingVolts(DevicePlane pl, int k, long nanos) {
    double v = pl.formingVolts(k) - physics.formingVoltsPerDecade() * Math.log10(nanos / (double) physics.formingReferenceWidthNanos());
    return Math.max(0.5 * pl.formingVolts(k), v);
  }

  /** The compliance-limited conductance: the current at the SET threshold reaches the compliance (R_on ~ Vset / Icc). */
  private double complianceLevel(double complianceAmps, double vthSet) {
    return complianceAmps / current(1, Math.max(vthSet, 1e-3));
  }

  /** Forms device k when {@code volts} reaches its forming voltage for this duration; true when it did. */
  private boolean tryForm(DevicePlane pl, int k, double volts, long nanos, double complianceAmps) {
    if (!pl.pristine(k) || volts < formingVolts(pl, k, nanos)) return false;
    double g = complianceLevel(complianceAmps, preset.thresholdVolts());
    if (physics.lrsC2c() > 0) g *= Math.max(0.1, 1 + physics.lrsC2c() * rng.nextGaussian());
    pl.form(k, g);
    return true;
  }

  private double readSingle(DevicePlane pl, int k) {
    if (pl.pristine(k)) return Math.min((1L << preset.adcBits()) - 1, Math.round(physics.pristineSiemens() / adcLsbSiemens)) * adcLsbSiemens;
    double x = pl.w(k);
    if (preset.readNoiseStd() > 0) x += preset.readNoiseStd() * rng.nextGaussian();
    double gs = pl.toSiemens(k, x);
    long code = Math.round(gs / adcLsbSiemens);
    long max = (1L << preset.adcBits()) - 1;
    if (code < 0) code = 0;
    if (code > max) code = max;
    return code * adcLsbSiemens;
  }

  @Override
  public BoardInfo info() {
    return info;
  }

  /** Every call is served here, in the caller's thread. */
  @Override
  public boolean inProcess() {
    return true;
  }

  @Override
  public double read(Cell cell, double readVolts) {
    begin();
    info.checkCell(cell);
    hardware.checkReadVolts(readVolts);
    DevicePlane pl = plane(cell.array(), cell.plane());
    return readAt(pl, cell.row() * pl.cols + cell.col(), readVolts);
  }

  /** A single read at {@code readVolts}: the conductance, times the sinh law's chord factor for presets with one. */
  private double readAt(DevicePlane pl, int k, double readVolts) {
    double g = readSingle(pl, k);
    return switchingPulses && physics.sinhVolts() > 0 ? current(g, readVolts) / readVolts : g;
  }

  @Override
  public void pulse(Cell cell, Pulse pulse, int count) {
    begin();
    info.checkCell(cell);
    hardware.checkPulses(pulse, count);
    DevicePlane pl = plane(cell.array(), cell.plane());
    int n = count;
    if (switchingPulses && pl.hasForming()) {
      int k = cell.row() * pl.cols + cell.col();
      if (pl.pristine(k)) {
        // A pristine device ignores the train unless a pulse reaches its forming voltage; the pulse that forms it
        // is spent forming (with the board's own compliance), the rest program the formed device.
        if (pulse.polarity() != Polarity.UP || !tryForm(pl, k, pulse.amplitudeVolts(), pulse.widthNanos(), HARDWARE_LIMITS.complianceAmps())) {
          pulsesApplied += count;
          return;
        }
        n--;
      }
    }
    if (n > 0) pl.pulse(cell.row(), cell.col(), pulse.polarity().sign() * n, strength(pulse), rng);
    pulsesApplied += count;
  }

  @Override
  public double pulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) {
    hardware.checkReadVolts(readVolts);
    pulse(cell, pulse, count);
    DevicePlane pl = plane(cell.array(), cell.plane());
    return readAt(pl, cell.row() * pl.cols + cell.col(), readVolts);
  }

  // ---------------------------------------------------------------- source-measure

  @Override
  public java.util.Optional<SourceMeasure> sourceMeasure() {
    return java.util.Optional.of(this);
  }

  /**
   * Applies {@code volts} for {@code durationNanos} with the current limited to {@code complianceAmps}: a pristine
   * device forms when the voltage reaches its forming voltage for that duration (to the compliance-limited
   * conductance), a formed one moves by VTEAM's rate above its SET or RESET threshold (a SET stops at the
   * compliance-limited conductance), and the current at the end is the I-V law at the final state with read noise,
   * held at the compliance. Refuses what the hardware limits refuse, as a board would.
   */
  @Override
  public double source(Cell cell, double volts, long durationNanos, double complianceAmps) {
    begin();
    info.checkCell(cell);
    hardware.checkSource(volts, durationNanos, complianceAmps);
    return sourceChecked(plane(cell.array(), cell.plane()), cell.row() * info.array(cell.array()).cols() + cell.col(), volts, durationNanos, complianceAmps);
  }

  private double sourceChecked(DevicePlane pl, int k, double volts, long nanos, double complianceAmps) {
    if (pl.pristine(k)) {
      if (volts > 0 && tryForm(pl, k, volts, nanos, complianceAmps)) {
        pulsesApplied++;
      } else {
        return limit(current(physics.pristineSiemens(), volts), complianceAmps);
      }
    } else if (volts != 0) {
      boolean up = volts > 0;
      double vth = threshold(up);
      double strength = switchingStrength(up, Math.abs(volts), nanos, vth);
      if (strength > 0) {
        pl.drive(k, up, strength, up ? complianceLevel(complianceAmps, vth) : Double.POSITIVE_INFINITY, rng);
        pulsesApplied++;
      }
    }
    if (volts == 0) return 0; // no current at 0 V whatever the conductance and its noise (so none is drawn)
    double g = pl.g(k);
    if (preset.readNoiseStd() > 0) g += preset.readNoiseStd() * pl.gPerW(k) * rng.nextGaussian();
    return limit(current(Math.max(0, g), volts), complianceAmps);
  }

  private static double limit(double amps, double complianceAmps) {
    return Math.abs(amps) > complianceAmps ? Math.copySign(complianceAmps, amps) : amps;
  }

  /** Runs the sweep natively, one point after another, stopping at the next point when aborted. */
  @Override
  public SweepResult sweep(Cell cell, Sweep sweep) throws DriverAbortedException {
    int started = begin();
    info.checkCell(cell);
    hardware.checkSweep(sweep);
    DevicePlane pl = plane(cell.array(), cell.plane());
    int k = cell.row() * info.array(cell.array()).cols() + cell.col();
    double[] v = sweep.levelsVolts();
    double[] i = new double[v.length];
    for (int p = 0; p < v.length; p++) {
      checkAbort(started);
      i[p] = sourceChecked(pl, k, v[p], sweep.stepNanos(), sweep.complianceAmps());
    }
    return new SweepResult(v, i, sweep.complianceAmps());
  }

  @Override
  public double[] readRow(int array, Plane plane, int row, double readVolts) {
    begin();
    info.checkPlane(array, plane);
    info.checkRow(array, row);
    hardware.checkReadVolts(readVolts);
    DevicePlane pl = plane(array, plane);
    double[] out = new double[pl.cols];
    for (int c = 0; c < pl.cols; c++) out[c] = readSingle(pl, row * pl.cols + c);
    return out;
  }

  @Override
  public double[] readColumn(int array, Plane plane, int col, double readVolts) {
    begin();
    info.checkPlane(array, plane);
    info.checkColumn(array, col);
    hardware.checkReadVolts(readVolts);
    DevicePlane pl = plane(array, plane);
    double[] out = new double[pl.rows];
    for (int r = 0; r < pl.rows; r++) out[r] = readSingle(pl, r * pl.cols + col);
    return out;
  }

  @Override
  public ConductanceMap readArray(int array, Plane plane, double readVolts) throws DriverAbortedException {
    int started = begin();
    info.checkPlane(array, plane);
    hardware.checkReadVolts(readVolts);
    DevicePlane pl = plane(array, plane);
    double[] out = new double[pl.rows * pl.cols];
    for (int r = 0; r < pl.rows; r++) {
      checkAbort(started);
      int base = r * pl.cols;
      for (int c = 0; c < pl.cols; c++) out[base + c] = readSingle(pl, base + c);
    }
    return new ConductanceMap(pl.rows, pl.cols, out);
  }

  private void checkVector(Tile tile, ReadMode mode) {
    info.checkTile(tile);
    if (mode == null) throw new IllegalArgumentException("mode: null (expected: ACTIVE, REFERENCE or DIFFERENTIAL)");
    if (mode != ReadMode.ACTIVE) info.checkPlane(tile.array(), Plane.REFERENCE);
  }

  /**
   * Where the vector reads saturate, amperes: the preset's bound in weight x input units, a weight unit being half
   * the conductance window and an input unit {@link #NOMINAL_READ_VOLTS}.
   */
  static double vectorFullScaleAmps(DevicePreset preset) {
    // The same arithmetic, in the same order, as the bound had before it was stated here: results stay bit for bit.
    double gUnit = (preset.gMaxSiemens() - preset.gMinSiemens()) / 2;
    return preset.forwardBound() * (gUnit * NOMINAL_READ_VOLTS);
  }

  /**
   * Output noise, saturation and ADC of a vector read, applied in place to currents (amperes). The ADC is signed
   * and symmetric: codes -K..K with K = (2^bits - 1) / 2 rounded down (2^bits - 1 levels), step 2 bound / (2^bits - 1),
   * so no output leaves [-bound, bound]. (Rounding a saturated output to the nearest step used to give code K + 1,
   * half a step beyond the bound.)
   */
  private void senseAmplifiers(double[] currents, int n) {
    double unit = gUnit * NOMINAL_READ_VOLTS;
    double bound = info.vectorReadFullScaleAmps();
    double sigma = preset.forwardNoiseStd() * unit;
    long levels = (1L << preset.adcBits()) - 1;
    double lsb = 2 * bound / levels;
    double maxCode = levels >> 1;
    for (int i = 0; i < n; i++) {
      double y = currents[i];
      if (sigma > 0) y += sigma * rng.nextGaussian();
      if (y > bound) y = bound;
      if (y < -bound) y = -bound;
      double code = Math.rint(y / lsb);
      if (code > maxCode) code = maxCode;
      if (code < -maxCode) code = -maxCode;
      currents[i] = code * lsb;
    }
  }

  @Override
  public double[] forwardRead(Tile tile, ReadMode mode, double[] rowVolts) throws DriverAbortedException {
    return vectorRead(tile, mode, rowVolts, null, false);
  }

  @Override
  public void forwardRead(Tile tile, ReadMode mode, double[] rowVolts, double[] currentsOut) throws DriverAbortedException {
    vectorRead(tile, mode, rowVolts, currentsOut, false);
  }

  @Override
  public double[] transposeRead(Tile tile, ReadMode mode, double[] colVolts) throws DriverAbortedException {
    return vectorRead(tile, mode, colVolts, null, true);
  }

  @Override
  public void transposeRead(Tile tile, ReadMode mode, double[] colVolts, double[] currentsOut) throws DriverAbortedException {
    vectorRead(tile, mode, colVolts, currentsOut, true);
  }

  /**
   * One checked vector read (forward, or transpose when {@code transpose}) into {@code out}, or into a new array
   * when {@code out} is null; returns the array written.
   */
  private double[] vectorRead(Tile tile, ReadMode mode, double[] volts, double[] out, boolean transpose) throws DriverAbortedException {
    int started = begin();
    checkVector(tile, mode);
    String name = transpose ? "colVolts" : "rowVolts";
    int inputs = transpose ? tile.cols() : tile.rows();
    int outputs = transpose ? tile.rows() : tile.cols();
    SingleDeviceFallback.checkLength(name, volts, inputs);
    if (out == null) {
      out = new double[outputs];
    } else {
      SingleDeviceFallback.checkOutput("currentsOut", out, outputs);
    }
    hardware.checkVectorVolts(name, volts);
    runRead(tile, mode, volts, out, transpose, started);
    senseAmplifiers(out, outputs);
    return out;
  }

  private void runRead(Tile tile, ReadMode mode, double[] volts, double[] out, boolean transpose, int started) throws DriverAbortedException {
    ReadTask t = readTask;
    t.tile = tile;
    t.plane = mode == ReadMode.ACTIVE ? active[tile.array()] : mode == ReadMode.REFERENCE ? reference[tile.array()] : null;
    t.diff = differential[tile.array()];
    t.stride = active[tile.array()].cols;
    t.volts = volts;
    t.out = out;
    t.transpose = transpose;
    t.started = started;
    t.aborted = false;
    int n = transpose ? tile.rows() : tile.cols();
    if (!transpose) {
      for (int q = 0; q < CHUNKS; q++) {
        if (t.partial[q] == null || t.partial[q].length < n + 16) t.partial[q] = new double[n + 16];
        java.util.Arrays.fill(t.partial[q], 0, n, 0.0);
      }
    }
    long reached = tile.cols();
    if (transpose) {
      reached *= tile.rows();
    } else {
      int nonZero = 0;
      for (int r = 0; r < tile.rows(); r++) if (volts[r] != 0) nonZero++;
      reached *= nonZero;
    }
    boolean parallel = reached >= PARALLEL_MIN_DEVICES;
    try {
      workers.run(t, CHUNKS, parallel);
    } finally {
      t.volts = null;
      t.out = null;
    }
    if (!transpose) {
      double[] p0 = t.partial[0];
      double[] p1 = t.partial[1];
      double[] p2 = t.partial[2];
      double[] p3 = t.partial[3];
      for (int c = 0; c < n; c++) out[c] = (p0[c] + p1[c]) + (p2[c] + p3[c]);
    }
    if (t.aborted) checkAbort(started);
  }

  /**
   * One vector read split by rows into the same blocks as the update, so a thread reads the rows it updates.
   * A forward read sums each chunk's rows into its own partial vector and adds the
   * four in a fixed order; a transpose read computes each row's dot product whole. Results do not depend on
   * which thread runs which chunk.
   */
  private final class ReadTask implements SpinWorkers.Task {
    Tile tile;
    DevicePlane plane; // null: differential
    double[][] diff;
    int stride;
    double[] volts;
    double[] out;
    final double[][] partial = new double[CHUNKS][];
    boolean transpose;
    int started;
    volatile boolean aborted;

    @Override
    public void run(int q) {
      if (transpose) {
        transposeRows(q);
      } else {
        forwardRows(q, partial[q]);
      }
    }

    private void forwardRows(int q, double[] y) {
      double[] v = volts;
      int rows = tile.rows();
      int cols = tile.cols();
      for (int r = chunkStart(q, rows), end = chunkStart(q + 1, rows); r < end; r++) {
        double vr = v[r];
        if (vr == 0) continue;
        if (abortCount != started) {
          aborted = true;
          return;
        }
        if (plane == null && tile.col0() == 0) {
          double[] gd = diff[tile.row0() + r];
          for (int c = 0; c < cols; c++) y[c] += vr * gd[c];
        } else if (plane == null) {
          double[] gd = diff[tile.row0() + r];
          int c0 = tile.col0();
          for (int c = 0; c < cols; c++) y[c] += vr * gd[c0 + c];
        } else {
          int base = (tile.row0() + r) * stride + tile.col0();
          for (int c = 0; c < cols; c++) y[c] += vr * plane.g(base + c);
        }
      }
    }

    private void transposeRows(int q) {
      double[] v = volts;
      double[] y = out;
      int rows = tile.rows();
      int cols = tile.cols();
      for (int r = chunkStart(q, rows), end = chunkStart(q + 1, rows); r < end; r++) {
        if (abortCount != started) {
          aborted = true;
          return;
        }
        if (plane == null) {
          y[r] = VectorMath.dot(v, diff[tile.row0() + r], tile.col0(), cols);
        } else {
          int base = (tile.row0() + r) * stride + tile.col0();
          double s = 0;
          for (int c = 0; c < cols; c++) s += v[c] * plane.g(base + c);
          y[r] = s;
        }
      }
    }
  }

  @Override
  public void parallelUpdate(Tile tile, Plane plane, StochasticUpdate u) throws DriverAbortedException {
    int started = begin();
    info.checkTile(tile);
    info.checkPlane(tile.array(), plane);
    SingleDeviceFallback.checkShape(tile, u);
    hardware.checkUpdate(u);
    DevicePlane pl = plane(tile.array(), plane);
    double upStrength = strength(u.up());
    double downStrength = strength(u.down());
    long[] rb = u.rowBits();
    long[] cb = u.colBits();
    byte[] rs = u.rowSigns();
    byte[] cs = u.colSigns();
    int cols = tile.cols();
    int bl = u.bitLength();
    // Per-slot lists of the columns that fire in that slot, so that the work per row follows its
    // coincidences (the pulses), not rows x columns: MNIST inputs and deltas are sparse.
    int[] slotStart = scratch(0, bl + 1);
    java.util.Arrays.fill(slotStart, 0, bl + 1, 0);
    int listed = 0;
    for (int c = 0; c < cols; c++) {
      long b = cb[c];
      listed += Long.bitCount(b);
      while (b != 0) {
        slotStart[Long.numberOfTrailingZeros(b) + 1]++;
        b &= b - 1;
      }
    }
    for (int k = 0; k < bl; k++) slotStart[k + 1] += slotStart[k];
    int[] fill = scratch(1, bl);
    System.arraycopy(slotStart, 0, fill, 0, bl);
    int[] slotCols = scratch(2, Math.max(1, listed));
    for (int c = 0; c < cols; c++) {
      long b = cb[c];
      while (b != 0) {
        slotCols[fill[Long.numberOfTrailingZeros(b)]++] = c;
        b &= b - 1;
      }
    }
    UpdateTask t = updateTask;
    t.plane = pl;
    t.tile = tile;
    t.rowBits = rb;
    t.rowSigns = rs;
    t.colSigns = cs;
    t.slotStart = slotStart;
    t.slotCols = slotCols;
    t.upStrength = upStrength;
    t.downStrength = downStrength;
    t.started = started;
    t.aborted = false;
    for (int q = 0; q < CHUNKS; q++) {
      t.applied[q] = 0;
    }
    int firingRows = 0;
    for (int r = 0; r < tile.rows(); r++) if (rb[r] != 0) firingRows++;
    int firingCols = 0;
    for (int c = 0; c < cols; c++) if (cb[c] != 0) firingCols++;
    boolean parallel = (long) firingRows * firingCols >= PARALLEL_MIN_DEVICES;
    try {
      workers.run(t, CHUNKS, parallel);
    } finally {
      t.rowBits = null;
      t.rowSigns = null;
      t.colSigns = null;
    }
    for (int q = 0; q < CHUNKS; q++) pulsesApplied += t.applied[q];
    if (t.aborted) checkAbort(started);
  }

  /**
   * The pulses of one parallel update on the rows of one chunk (a block, {@link #chunkStart}); each chunk draws
   * its cycle-to-cycle noise from its own generator, so chunks are independent and may run on any thread.
   *
   * <p>Each coincidence is applied as it is found (row by row, slot by slot), one pulse at a time: a device that
   * coincides in several slots gets its pulses one after another, all in the same direction, which is what the
   * array does. Counting a device's coincidences first and applying them together (with a pass that loaded the
   * touched records ahead) was measured slower: the counting pass cost more than the loads it overlapped
   * (bench/EMULATOR-SPEED.md).
   */
  private final class UpdateTask implements SpinWorkers.Task {
    DevicePlane plane;
    Tile tile;
    long[] rowBits;
    byte[] rowSigns;
    byte[] colSigns;
    int[] slotStart;
    int[] slotCols;
    double upStrength;
    double downStrength;
    int started;
    final long[] applied = new long[CHUNKS];
    volatile boolean aborted;

    @Override
    public void run(int q) {
      DevicePlane pl = plane;
      FastRandom r = chunkRng[q];
      long[] rb = rowBits;
      byte[] cs = colSigns;
      int[] start = slotStart;
      int[] list = slotCols;
      int rows = tile.rows();
      long n = 0;
      for (int row = chunkStart(q, rows), end = chunkStart(q + 1, rows); row < end; row++) {
        long bits = rb[row];
        if (bits == 0) continue;
        if (abortCount != started) {
          aborted = true;
          break;
        }
        int devRow = tile.row0() + row;
        int col0 = tile.col0();
        int rowSign = rowSigns[row];
        while (bits != 0) {
          int k = Long.numberOfTrailingZeros(bits);
          bits &= bits - 1;
          int e = start[k + 1];
          n += e - start[k];
          for (int i = start[k]; i < e; i++) {
            int c = list[i];
            if (rowSign * cs[c] > 0) {
              pl.pulseUp(devRow, col0 + c, 1, upStrength, r);
            } else {
              pl.pulseDown(devRow, col0 + c, 1, downStrength, r);
            }
          }
        }
      }
      applied[q] = n;
    }
  }

  @Override
  public DriverStatus status() {
    checkOpen();
    return new DriverStatus(true, lastAborted, pulsesApplied, "");
  }

  @Override
  public void abort() {
    abortCount++;
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    workers.close();
    if (stateFile != null) {
      try {
        saveState();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("emulator state " + stateFile + ": not saved", e);
      }
    }
  }

  /** Where {@link #persist} keeps the chip between runs, or null. */
  private java.nio.file.Path stateFile;
  private String stateKey;
  private static final String STATE_HEADER = "rramctl emulator state; board ";

  /**
   * Makes the emulated chip outlive this process: loads its state from {@code file} when the file exists (it must
   * have been written for the same board, {@code key}: preset, geometry and seed), and writes it back there,
   * atomically, on {@link #close()}. So a chip formed by one command is still formed for the next
   * ({@code sim:...&state=FILE}).
   *
   * @throws IOException when the file exists but holds another board's state or is unreadable
   */
  public void persist(java.nio.file.Path file, String key) throws IOException {
    String k = key;
    if (java.nio.file.Files.exists(file)) {
      try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(file)))) {
        String header = in.readUTF();
        if (!header.equals(STATE_HEADER + k)) {
          throw new IOException("holds '" + header + "' (expected: the state of board " + k + ")");
        }
        readState(in);
      }
    }
    this.stateFile = file;
    this.stateKey = k;
  }

  private void saveState() throws IOException {
    java.nio.file.Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
    try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(tmp)))) {
      out.writeUTF(STATE_HEADER + stateKey);
      writeState(out);
    }
    java.nio.file.Files.move(tmp, stateFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Writes the device states, each array's {@code G_active - G_reference} (kept incrementally, so saved
   * rather than recomputed: a restored emulator continues bit for bit) and the noise generators' states
   * (for training checkpoints).
   */
  public void writeState(DataOutputStream out) throws IOException {
    out.writeInt(STATE_MAGIC);
    out.writeInt(STATE_VERSION);
    out.writeInt(active.length);
    for (int a = 0; a < active.length; a++) {
      for (DevicePlane pl : new DevicePlane[] {active[a], reference[a]}) {
        out.writeInt(pl.rows);
        out.writeInt(pl.cols);
        for (int k = 0; k < pl.rows * pl.cols; k++) out.writeDouble(pl.g(k));
      }
      for (double[] row : differential[a]) {
        for (double d : row) out.writeDouble(d);
      }
    }
    for (long s : rng.state()) out.writeLong(s);
    for (FastRandom r : chunkRng) {
      for (long s : r.state()) out.writeLong(s);
    }
    out.writeLong(pulsesApplied);
    // Presets with forming only (older states and presets without forming end above): which devices are still pristine.
    for (int a = 0; a < active.length; a++) {
      for (DevicePlane pl : new DevicePlane[] {active[a], reference[a]}) {
        if (!pl.hasForming()) continue;
        for (int k = 0; k < pl.rows * pl.cols; k++) out.writeBoolean(pl.pristine(k));
      }
    }
    // Presets with drift only: the pulses each device has received (its steps follow from them).
    for (int a = 0; a < active.length; a++) {
      for (DevicePlane pl : new DevicePlane[] {active[a], reference[a]}) {
        if (!pl.hasDrift()) continue;
        for (int k = 0; k < pl.rows * pl.cols; k++) out.writeLong(pl.pulsesSeen(k));
      }
    }
  }

  /** Restores what {@link #writeState} wrote, onto an emulator built with the same preset, geometry and seed. */
  public void readState(DataInputStream in) throws IOException {
    int magic = in.readInt();
    int version = in.readInt();
    if (magic != STATE_MAGIC || version != STATE_VERSION) {
      throw new IOException("emulator state: not format " + STATE_VERSION + " (expected: state written by this version of rramctl's emulator)");
    }
    int n = in.readInt();
    if (n != active.length) throw new IOException("emulator state: " + n + " arrays (expected: " + active.length + ")");
    for (int a = 0; a < active.length; a++) {
      for (DevicePlane pl : new DevicePlane[] {active[a], reference[a]}) {
        int rows = in.readInt();
        int cols = in.readInt();
        if (rows != pl.rows || cols != pl.cols) {
          throw new IOException("emulator state: array " + a + " is " + rows + " x " + cols + " (expected: " + pl.rows + " x " + pl.cols + ")");
        }
        for (int k = 0; k < rows * cols; k++) pl.setConductance(k, in.readDouble());
      }
      for (double[] row : differential[a]) {
        for (int c = 0; c < row.length; c++) row[c] = in.readDouble();
      }
    }
    rng.restore(readRandomState(in));
    for (FastRandom r : chunkRng) r.restore(readRandomState(in));
    pulsesApplied = in.readLong();
    for (int a = 0; a < active.length; a++) {
      for (DevicePlane pl : new DevicePlane[] {active[a], reference[a]}) {
        if (!pl.hasForming()) continue;
        for (int k = 0; k < pl.rows * pl.cols; k++) pl.restorePristine(k, in.readBoolean(), physics.pristineSiemens());
      }
    }
    for (int a = 0; a < active.length; a++) {
      for (DevicePlane pl : new DevicePlane[] {active[a], reference[a]}) {
        if (!pl.hasDrift()) continue;
        for (int k = 0; k < pl.rows * pl.cols; k++) {
          long seen = in.readLong();
          if (seen < 0) throw new IOException("emulator state: array " + a + " device " + k + " has seen " + seen + " pulses (expected: >= 0)");
          pl.restorePulsesSeen(k, seen);
        }
      }
    }
  }

  private static long[] readRandomState(DataInputStream in) throws IOException {
    long[] st = new long[6];
    for (int i = 0; i < 6; i++) st[i] = in.readLong();
    return st;
  }

  /**
   * The emulator's exact knowledge of its devices, for tests and for measuring how well calibration did.
   * Calibration and training must never use it.
   */
  public final class Truth {
    private Truth() {}

    private int index(Cell c) {
      info.checkCell(c);
      return c.row() * info.array(c.array()).cols() + c.col();
    }

    /** Noise-free state, weight units. */
    public double weight(Cell c) {
      return plane(c.array(), c.plane()).w(index(c));
    }

    /** Noise-free conductance, siemens (no read noise, no ADC). */
    public double conductance(Cell c) {
      return plane(c.array(), c.plane()).g(index(c));
    }

    /** Closed-form symmetry point, weight units. */
    public double symmetryPointWeight(Cell c) {
      return plane(c.array(), c.plane()).symmetryPointWeight(index(c));
    }

    /** Closed-form symmetry point, siemens. */
    public double symmetryPointSiemens(Cell c) {
      return plane(c.array(), c.plane()).symmetryPointSiemens(index(c));
    }

    /** The device's drawn parameters. */
    public DeviceParams params(Cell c) {
      DevicePlane pl = plane(c.array(), c.plane());
      int k = index(c);
      return new DeviceParams(pl.aUp(k), pl.aDown(k), pl.bMax(k), pl.bMin(k), pl.toSiemens(k, 0), pl.gPerW(k));
    }

    /** Conductance per weight unit of device c, siemens. */
    public double siemensPerWeight(Cell c) {
      return plane(c.array(), c.plane()).gPerW(index(c));
    }

    /** Programming pulses the device has received (counted by presets with drift only; 0 otherwise). */
    public long pulsesSeen(Cell c) {
      return plane(c.array(), c.plane()).pulsesSeen(index(c));
    }

    /** True while the device is unformed (presets with forming only). */
    public boolean pristine(Cell c) {
      return plane(c.array(), c.plane()).pristine(index(c));
    }

    /** The device's drawn forming voltage at the preset's reference width, V (0 without forming). */
    public double formingVolts(Cell c) {
      return plane(c.array(), c.plane()).formingVolts(index(c));
    }

    /** Sets a device's state directly (test set-up and emulation only; no board can do this). */
    public void setWeight(Cell c, double w) {
      plane(c.array(), c.plane()).set(index(c), w);
    }
  }

  /**
   * One device's drawn parameters, weight units, with its conductance map
   * {@code G = gAtZeroSiemens + w * siemensPerWeight}.
   */
  public record DeviceParams(double aUp, double aDown, double bMax, double bMin, double gAtZeroSiemens, double siemensPerWeight) {
    /** Closed-form symmetry point, weight units. */
    public double symmetryPoint() {
      return (aUp - aDown) / (aUp / bMax - aDown / bMin);
    }
  }
}
