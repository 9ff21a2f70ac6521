package org.rramctl.driver;

import java.io.IOException;

/**
 * Pulse programming and reading of RRAM cross-point arrays: the one interface that the emulator, the
 * serial board driver, the remote driver and single-device instruments implement, and that calibration,
 * characterization and training use.
 *
 * <h2>Units</h2>
 * Voltages in volts, pulse widths in nanoseconds, conductances in siemens, currents in amperes. Rows
 * and columns are zero-based; forward reads drive the rows and sense the columns.
 *
 * <h2>Safety</h2>
 * Implementations refuse requests outside their hardware limits ({@link BoardInfo#hardwareLimits()})
 * before anything reaches a device, and the host-side {@link SafetyEnvelope} (applied by
 * {@link EnvelopedDriver}, which {@link Boards#open} always wraps around a driver) refuses requests outside
 * the user's envelope before they reach the implementation. Nothing is clamped silently. Every finish,
 * error, abort or lost link leaves the outputs idle.
 *
 * <h2>Vector operations</h2>
 * Where an implementation lacks a vector operation natively ({@link BoardInfo#nativeOps()}), the default
 * methods compose it from single-device operations through {@link SingleDeviceFallback}: correct, slow.
 *
 * <h2>Threading</h2>
 * A driver serves one caller thread at a time; callers must not overlap operations. The exception is
 * {@link #abort()}, which any thread (a Ctrl-C handler, a watchdog, a remote client) may call at any
 * moment: it returns promptly with the outputs idle, and an operation in progress on another thread ends
 * with {@link DriverAbortedException} (or completes, if it was already done). {@link #close()} is
 * idempotent; any other call after close throws {@link IllegalStateException}.
 */
public interface CrossbarDriver extends AutoCloseable {

  /** Identity, geometry, limits and native operations. Cheap; callable after close. */
  BoardInfo info();

  /** Reads one device at {@code readVolts} (0 < V <= max read voltage); returns its conductance in siemens. */
  double read(Cell cell, double readVolts) throws IOException;

  /** Applies {@code count} identical pulses to one device. */
  void pulse(Cell cell, Pulse pulse, int count) throws IOException;

  /** Applies {@code count} pulses, then reads the device at {@code readVolts}; returns siemens. */
  default double pulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) throws IOException {
    return SingleDeviceFallback.pulseThenRead(this, cell, pulse, count, readVolts);
  }

  /**
   * Reads one device and its reference device at {@code readVolts} and returns {@code G_active - G_reference},
   * siemens: the zero-shifted weight of one device. The array must have a reference array.
   */
  default double readDifferential(int array, int row, int col, double readVolts) throws IOException {
    return read(Cell.active(array, row, col), readVolts) - read(Cell.reference(array, row, col), readVolts);
  }

  /** Reads every device of a row of one plane; siemens, one per column. */
  default double[] readRow(int array, Plane plane, int row, double readVolts) throws IOException {
    return SingleDeviceFallback.readRow(this, array, plane, row, readVolts);
  }

  /** Reads every device of a column of one plane; siemens, one per row. */
  default double[] readColumn(int array, Plane plane, int col, double readVolts) throws IOException {
    return SingleDeviceFallback.readColumn(this, array, plane, col, readVolts);
  }

  /** Reads a whole array (one plane). */
  default ConductanceMap readArray(int array, Plane plane, double readVolts) throws IOException {
    return SingleDeviceFallback.readArray(this, array, plane, readVolts);
  }

  /**
   * Forward read: applies {@code rowVolts[j]} (|V| <= max read voltage, either sign) to tile row j and
   * returns the current collected on each tile column, amperes: {@code I_i = sum_j V_j * G(j, i)}, with
   * G the active conductance, the reference conductance, or their difference, per {@code mode}.
   */
  default double[] forwardRead(Tile tile, ReadMode mode, double[] rowVolts) throws IOException {
    return SingleDeviceFallback.forwardRead(this, tile, mode, rowVolts);
  }

  /** Transpose read: applies {@code colVolts[i]} to tile column i; returns each tile row's current, amperes. */
  default double[] transposeRead(Tile tile, ReadMode mode, double[] colVolts) throws IOException {
    return SingleDeviceFallback.transposeRead(this, tile, mode, colVolts);
  }
  /**
   * {@link #forwardRead} into a caller's array of at least {@code tile.cols()} entries (the first
   * {@code tile.cols()} are written), for callers that read every step and would otherwise allocate a new result
   * each time. Same checks, same result; a driver may implement it without the allocation.
   */
  default void forwardRead(Tile tile, ReadMode mode, double[] rowVolts, double[] currentsOut) throws IOException {
    double[] r = forwardRead(tile, mode, rowVolts);
    SingleDeviceFallback.checkOutput("currentsOut", currentsOut, r.length);
    System.arraycopy(r, 0, currentsOut, 0, r.length);
  }

  /** {@link #transposeRead} into a caller's array of at least {@code tile.rows()} entries; see {@link #forwardRead(Tile, ReadMode, double[], double[])}. */
  default void transposeRead(Tile tile, ReadMode mode, double[] colVolts, double[] currentsOut) throws IOException {
    double[] r = transposeRead(tile, mode, colVolts);
    SingleDeviceFallback.checkOutput("currentsOut", currentsOut, r.length);
    System.arraycopy(r, 0, currentsOut, 0, r.length);
  }


  /** Runs a parallel stochastic update program on one plane of a tile. */
  default void parallelUpdate(Tile tile, Plane plane, StochasticUpdate update) throws IOException {
    SingleDeviceFallback.parallelUpdate(this, tile, plane, update);
  }

  /**
   * The source-measure role ({@link SourceMeasure}), present exactly when {@link BoardInfo#nativeOps()} holds
   * {@link Capability#SOURCE_MEASURE}. Empty by default: it cannot be composed from pulses and reads.
   */
  default java.util.Optional<SourceMeasure> sourceMeasure() {
    return java.util.Optional.empty();
  }

  /** Current state of the outputs and counters. */
  DriverStatus status() throws IOException;

  /**
   * Whether every call is served in this process, with no link in between (the emulator): a call then costs CPU work
   * that grows with the devices it touches, a few tens of nanoseconds each, and no round trip; a wall-clock probe
   * taken before the JIT has compiled the calls overstates a single-device call 20-70 times (a 32 x 32 emulator: 2-7 us
   * against about 0.1 us in a run). False by default: a board, an instrument or a server answers each command over a
   * link, and its command rates are what a probe measures. Wrappers that pass every call on say what they wrap.
   */
  default boolean inProcess() {
    return false;
  }

  /**
   * The envelope used when the user names none ({@code --envelope}): by default the hardware limits. An
   * instrument whose range far exceeds what the devices survive (a source-measure unit's 40 or 210 V) returns a
   * conservative one instead, which a board profile widens deliberately, up to the hardware limits.
   */
  default SafetyEnvelope defaultEnvelope() {
    return SafetyEnvelope.of(info());
  }

  /**
   * Stops whatever is running and sets every output to idle. Thread-safe, returns promptly, never throws;
   * the driver stays usable afterwards.
   */
  void abort();

  /**
   * {@link #abort()}, then whether the outputs are known to be idle: the board confirmed it (a serial board
   * answers ABORT with ACK once every output is idle), or the driver idles them itself before returning.
   * False when no confirmation came within the driver's abort wait; the outputs' state is then unknown
   * (a board's watchdog idles them once the host is silent). Thread-safe like {@link #abort()}, never throws.
   * The default suits drivers whose {@link #abort()} returns only once the outputs are idle.
   */
  default boolean abortAndConfirm() {
    abort();
    return true;
  }

  /** Sets the outputs idle and releases the board. Idempotent. */
  @Override
  void close();
}
