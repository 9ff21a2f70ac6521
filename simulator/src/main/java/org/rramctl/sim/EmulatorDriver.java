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
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.SingleDeviceFallback;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;

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
public final class EmulatorDriver implements CrossbarDriver {
  /** Emulated hardware limits. */
  public static final Limits HARDWARE_LIMITS = new Limits(3.0, 0.5, 10, 10_000_000, 100_000, 50e6, 1e-3);
  /** Read voltage at which the forward-read noise and bound of the preset are specified, volts. */
  public static final double NOMINAL_READ_VOLTS = 0.2;

  private final DevicePreset preset;
  private final BoardInfo info;
  private final SafetyEnvelope hardware;
  private final DevicePlane[] active;
  private final DevicePlane[] reference;
  private final double[][] differential;
  private final FastRandom rng;
  private final double gUnit;
  private final double adcLsbSiemens;
  private final int[][] scratch = new int[5][];
  private volatile int abortCount;
  private volatile boolean closed;
  private boolean lastAborted;
  private long pulsesApplied;

  /**
   * @param preset device model
   * @param geometry one entry per array (rows x cols); every array has a reference array
   * @param seed seeds device-to-device draws and all noise
   */
  public EmulatorDriver(DevicePreset preset, List<int[]> geometry, long seed) {
    this.preset = preset;
    List<ArrayGeometry> arrays = new ArrayList<>();
    for (int i = 0; i < geometry.size(); i++) arrays.add(new ArrayGeometry(i, geometry.get(i)[0], geometry.get(i)[1], true));
    this.info = new BoardInfo("emulator-" + preset.name() + "-seed" + seed, "rramctl soft-bound emulator", version(), 0, arrays, HARDWARE_LIMITS,
        preset.adcBits(), preset.gMinSiemens(), preset.gMaxSiemens(), EnumSet.allOf(Capability.class));
    this.hardware = SafetyEnvelope.of(info);
    FastRandom deviceDraws = new FastRandom(seed);
    active = new DevicePlane[arrays.size()];
    reference = new DevicePlane[arrays.size()];
    differential = new double[arrays.size()][];
    for (ArrayGeometry g : arrays) {
      active[g.index()] = new DevicePlane(preset, g.rows(), g.cols(), deviceDraws);
      reference[g.index()] = new DevicePlane(preset, g.rows(), g.cols(), deviceDraws);
      differential[g.index()] = DevicePlane.linkDifferential(active[g.index()], reference[g.index()]);
    }
    this.rng = new FastRandom(seed ^ 0x5DEECE66DL);
    this.gUnit = (preset.gMaxSiemens() - preset.gMinSiemens()) / 2;
    this.adcLsbSiemens = 1.25 * preset.gMaxSiemens() / ((1L << preset.adcBits()) - 1);
  }

  private static String version() {
    String v = EmulatorDriver.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
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
      throw new DriverAbortedException("aborted: emulator " + info.boardId() + " outputs idle");
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
    double over = (p.amplitudeVolts() - preset.thresholdVolts()) / (preset.pulseVolts() - preset.thresholdVolts());
    return over <= 0 ? 0 : over * p.widthNanos() / (double) preset.pulseWidthNanos();
  }

  private double readSingle(DevicePlane pl, int k) {
    double x = pl.w[k];
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

  @Override
  public double read(Cell cell, double readVolts) {
    begin();
    info.checkCell(cell);
    hardware.checkReadVolts(readVolts);
    DevicePlane pl = plane(cell.array(), cell.plane());
    return readSingle(pl, cell.row() * pl.cols + cell.col());
  }

  @Override
  public void pulse(Cell cell, Pulse pulse, int count) {
    begin();
    info.checkCell(cell);
    hardware.checkPulses(pulse, count);
    DevicePlane pl = plane(cell.array(), cell.plane());
    pl.pulse(cell.row() * pl.cols + cell.col(), pulse.polarity().sign() * count, strength(pulse), rng);
    pulsesApplied += count;
  }

  @Override
  public double pulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) {
    hardware.checkReadVolts(readVolts);
    pulse(cell, pulse, count);
    DevicePlane pl = plane(cell.array(), cell.plane());
    return readSingle(pl, cell.row() * pl.cols + cell.col());
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
  }

  /** Output noise, saturation and ADC of a vector read, applied in place to currents (amperes). */
  private void senseAmplifiers(double[] currents) {
    double unit = gUnit * NOMINAL_READ_VOLTS;
    double bound = preset.forwardBound() * unit;
    double sigma = preset.forwardNoiseStd() * unit;
    double lsb = 2 * bound / ((1L << preset.adcBits()) - 1);
    for (int i = 0; i < currents.length; i++) {
      double y = currents[i];
      if (sigma > 0) y += sigma * rng.nextGaussian();
      if (y > bound) y = bound;
      if (y < -bound) y = -bound;
      currents[i] = Math.rint(y / lsb) * lsb;
    }
  }

  @Override
  public double[] forwardRead(Tile tile, ReadMode mode, double[] rowVolts) throws DriverAbortedException {
    int started = begin();
    checkVector(tile, mode);
    SingleDeviceFallback.checkLength("rowVolts", rowVolts, tile.rows());
    hardware.checkVectorVolts("rowVolts", rowVolts);
    DevicePlane a = active[tile.array()];
    DevicePlane ref = reference[tile.array()];
    double[] out = new double[tile.cols()];
    int stride = a.cols;
    for (int r = 0; r < tile.rows(); r++) {
      double v = rowVolts[r];
      if (v == 0) continue;
      if ((r & 63) == 0) checkAbort(started);
      int base = (tile.row0() + r) * stride + tile.col0();
      switch (mode) {
        case ACTIVE -> {
          double[] ga = a.g;
          for (int c = 0; c < out.length; c++) out[c] += v * ga[base + c];
        }
        case REFERENCE -> {
          double[] gr = ref.g;
          for (int c = 0; c < out.length; c++) out[c] += v * gr[base + c];
        }
        case DIFFERENTIAL -> {
          double[] gd = differential[tile.array()];
          for (int c = 0; c < out.length; c++) out[c] += v * gd[base + c];
        }
      }
    }
    senseAmplifiers(out);
    return out;
  }

  @Override
  public double[] transposeRead(Tile tile, ReadMode mode, double[] colVolts) throws DriverAbortedException {
    int started = begin();
    checkVector(tile, mode);
    SingleDeviceFallback.checkLength("colVolts", colVolts, tile.cols());
    hardware.checkVectorVolts("colVolts", colVolts);
    DevicePlane a = active[tile.array()];
    DevicePlane ref = reference[tile.array()];
    double[] out = new double[tile.rows()];
    int stride = a.cols;
    int cols = tile.cols();
    for (int r = 0; r < tile.rows(); r++) {
      if ((r & 63) == 0) checkAbort(started);
      int base = (tile.row0() + r) * stride + tile.col0();
      double s = 0;
      switch (mode) {
        case ACTIVE -> {
          double[] ga = a.g;
          for (int c = 0; c < cols; c++) s += colVolts[c] * ga[base + c];
        }
        case REFERENCE -> {
          double[] gr = ref.g;
          for (int c = 0; c < cols; c++) s += colVolts[c] * gr[base + c];
        }
        case DIFFERENTIAL -> {
          double[] gd = differential[tile.array()];
          for (int c = 0; c < cols; c++) s += colVolts[c] * gd[base + c];
        }
      }
      out[r] = s;
    }
    senseAmplifiers(out);
    return out;
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
    int[] count = scratch(3, cols);
    int[] touched = scratch(4, cols);
    long applied = 0;
    int stride = pl.cols;
    for (int r = 0; r < tile.rows(); r++) {
      long rowBits = rb[r];
      if (rowBits == 0) continue;
      if ((r & 63) == 0) checkAbort(started);
      int nTouched = 0;
      while (rowBits != 0) {
        int k = Long.numberOfTrailingZeros(rowBits);
        rowBits &= rowBits - 1;
        for (int i = slotStart[k], e = slotStart[k + 1]; i < e; i++) {
          int c = slotCols[i];
          if (count[c]++ == 0) touched[nTouched++] = c;
        }
      }
      int base = (tile.row0() + r) * stride + tile.col0();
      int rowSign = rs[r];
      for (int t = 0; t < nTouched; t++) {
        int c = touched[t];
        int n = count[c];
        count[c] = 0;
        if (rowSign * cs[c] > 0) {
          pl.pulse(base + c, n, upStrength, rng);
        } else {
          pl.pulse(base + c, -n, downStrength, rng);
        }
        applied += n;
      }
    }
    pulsesApplied += applied;
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
    closed = true;
  }

  /** Writes the device states and the noise generator's state (for training checkpoints). */
  public void writeState(DataOutputStream out) throws IOException {
    out.writeInt(active.length);
    for (int a = 0; a < active.length; a++) {
      for (DevicePlane pl : new DevicePlane[] {active[a], reference[a]}) {
        out.writeInt(pl.rows);
        out.writeInt(pl.cols);
        for (double x : pl.w) out.writeDouble(x);
      }
    }
    for (long s : rng.state()) out.writeLong(s);
    out.writeLong(pulsesApplied);
  }

  /** Restores what {@link #writeState} wrote, onto an emulator built with the same preset, geometry and seed. */
  public void readState(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n != active.length) throw new IOException("emulator state: " + n + " arrays (expected: " + active.length + ")");
    for (int a = 0; a < active.length; a++) {
      for (DevicePlane pl : new DevicePlane[] {active[a], reference[a]}) {
        int rows = in.readInt();
        int cols = in.readInt();
        if (rows != pl.rows || cols != pl.cols) {
          throw new IOException("emulator state: array " + a + " is " + rows + " x " + cols + " (expected: " + pl.rows + " x " + pl.cols + ")");
        }
        for (int k = 0; k < pl.w.length; k++) pl.set(k, in.readDouble());
      }
    }
    long[] st = new long[6];
    for (int i = 0; i < 6; i++) st[i] = in.readLong();
    rng.restore(st);
    pulsesApplied = in.readLong();
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
      return plane(c.array(), c.plane()).w[index(c)];
    }

    /** Noise-free conductance, siemens (no read noise, no ADC). */
    public double conductance(Cell c) {
      return plane(c.array(), c.plane()).g[index(c)];
    }

    /** Closed-form symmetry point, weight units. */
    public double symmetryPointWeight(Cell c) {
      return plane(c.array(), c.plane()).symmetryPointWeight(index(c));
    }

    /** Closed-form symmetry point, siemens. */
    public double symmetryPointSiemens(Cell c) {
      DevicePlane pl = plane(c.array(), c.plane());
      int k = index(c);
      return pl.toSiemens(k, pl.symmetryPointWeight(k));
    }

    /** The device's drawn parameters. */
    public DeviceParams params(Cell c) {
      DevicePlane pl = plane(c.array(), c.plane());
      int k = index(c);
      return new DeviceParams(pl.aUp[k], pl.aDown[k], pl.bMax[k], pl.bMin[k], pl.toSiemens(k, 0), pl.gPerW[k]);
    }

    /** Conductance per weight unit of device c, siemens. */
    public double siemensPerWeight(Cell c) {
      return plane(c.array(), c.plane()).gPerW[index(c)];
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
