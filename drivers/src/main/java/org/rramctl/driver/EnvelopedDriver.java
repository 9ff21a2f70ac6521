package org.rramctl.driver;

import java.io.IOException;
import java.util.Objects;

/**
 * Wraps a driver so that every request is checked against a {@link SafetyEnvelope} and the board's
 * geometry before the wrapped driver sees it. A refused request throws
 * {@link EnvelopeViolationException} (limits) or {@link IllegalArgumentException} (addresses, shapes) and
 * the wrapped driver is not called at all.
 */
public final class EnvelopedDriver implements CrossbarDriver {
  private final CrossbarDriver inner;
  private final SafetyEnvelope envelope;
  private final BoardInfo info;
  private volatile boolean closed;

  /** @throws IllegalArgumentException when the envelope is wider than the board's hardware limits */
  public EnvelopedDriver(CrossbarDriver inner, SafetyEnvelope envelope) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.info = inner.info();
    this.envelope = envelope.within(info);
  }

  public SafetyEnvelope envelope() {
    return envelope;
  }

  /** The driver behind the envelope. */
  @Override
  public SafetyEnvelope defaultEnvelope() {
    return inner.defaultEnvelope();
  }

  public CrossbarDriver inner() {
    return inner;
  }

  private void open() {
    if (closed) throw new IllegalStateException("driver for board " + info.boardId() + " is closed");
  }

  @Override
  public BoardInfo info() {
    return info;
  }

  @Override
  public double read(Cell cell, double readVolts) throws IOException {
    open();
    info.checkCell(cell);
    envelope.checkReadVolts(readVolts);
    return inner.read(cell, readVolts);
  }

  @Override
  public void pulse(Cell cell, Pulse pulse, int count) throws IOException {
    open();
    info.checkCell(cell);
    envelope.checkPulses(pulse, count);
    inner.pulse(cell, pulse, count);
  }

  @Override
  public double pulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) throws IOException {
    open();
    info.checkCell(cell);
    envelope.checkPulses(pulse, count);
    envelope.checkReadVolts(readVolts);
    return inner.pulseThenRead(cell, pulse, count, readVolts);
  }

  @Override
  public double[] readRow(int array, Plane plane, int row, double readVolts) throws IOException {
    open();
    info.checkPlane(array, plane);
    info.checkRow(array, row);
    envelope.checkReadVolts(readVolts);
    return inner.readRow(array, plane, row, readVolts);
  }

  @Override
  public double[] readColumn(int array, Plane plane, int col, double readVolts) throws IOException {
    open();
    info.checkPlane(array, plane);
    info.checkColumn(array, col);
    envelope.checkReadVolts(readVolts);
    return inner.readColumn(array, plane, col, readVolts);
  }

  @Override
  public ConductanceMap readArray(int array, Plane plane, double readVolts) throws IOException {
    open();
    info.checkPlane(array, plane);
    envelope.checkReadVolts(readVolts);
    return inner.readArray(array, plane, readVolts);
  }

  private void checkVectorRead(Tile tile, ReadMode mode) {
    info.checkTile(tile);
    if (mode == null) throw new IllegalArgumentException("mode: null (expected: ACTIVE, REFERENCE or DIFFERENTIAL)");
    if (mode != ReadMode.ACTIVE) info.checkPlane(tile.array(), Plane.REFERENCE);
  }

  @Override
  public double[] forwardRead(Tile tile, ReadMode mode, double[] rowVolts) throws IOException {
    checkVectorRead(tile, mode, rowVolts, null, false);
    return inner.forwardRead(tile, mode, rowVolts);
  }

  @Override
  public double[] transposeRead(Tile tile, ReadMode mode, double[] colVolts) throws IOException {
    checkVectorRead(tile, mode, colVolts, null, true);
    return inner.transposeRead(tile, mode, colVolts);
  }

  @Override
  public void forwardRead(Tile tile, ReadMode mode, double[] rowVolts, double[] currentsOut) throws IOException {
    checkVectorRead(tile, mode, rowVolts, currentsOut, false);
    inner.forwardRead(tile, mode, rowVolts, currentsOut);
  }

  @Override
  public void transposeRead(Tile tile, ReadMode mode, double[] colVolts, double[] currentsOut) throws IOException {
    checkVectorRead(tile, mode, colVolts, currentsOut, true);
    inner.transposeRead(tile, mode, colVolts, currentsOut);
  }

  /** Every check of a vector read before it reaches the board; {@code out} null for the allocating reads. */
  private void checkVectorRead(Tile tile, ReadMode mode, double[] volts, double[] out, boolean transpose) {
    open();
    checkVectorRead(tile, mode);
    String name = transpose ? "colVolts" : "rowVolts";
    SingleDeviceFallback.checkLength(name, volts, transpose ? tile.cols() : tile.rows());
    if (out != null) SingleDeviceFallback.checkOutput("currentsOut", out, transpose ? tile.rows() : tile.cols());
    envelope.checkVectorVolts(name, volts);
  }

  @Override
  public void parallelUpdate(Tile tile, Plane plane, StochasticUpdate update) throws IOException {
    open();
    info.checkTile(tile);
    info.checkPlane(tile.array(), plane);
    if (update == null) throw new IllegalArgumentException("update: null");
    SingleDeviceFallback.checkShape(tile, update);
    envelope.checkUpdate(update);
    inner.parallelUpdate(tile, plane, update);
  }

  /**
   * The inner driver's source-measure role behind the envelope: every level, duration and compliance is checked
   * (and the cell against the board) before the inner driver sees the call.
   */
  @Override
  public java.util.Optional<SourceMeasure> sourceMeasure() {
    return inner.sourceMeasure().map(sm -> new SourceMeasure() {
      @Override
      public double source(Cell cell, double volts, long durationNanos, double complianceAmps) throws IOException {
        open();
        info.checkCell(cell);
        envelope.checkSource(volts, durationNanos, complianceAmps);
        return sm.source(cell, volts, durationNanos, complianceAmps);
      }

      @Override
      public SweepResult sweep(Cell cell, Sweep sweep) throws IOException {
        open();
        info.checkCell(cell);
        envelope.checkSweep(sweep);
        return sm.sweep(cell, sweep);
      }
    });
  }

  @Override
  public DriverStatus status() throws IOException {
    open();
    return inner.status();
  }

  @Override
  public void abort() {
    inner.abort();
  }

  @Override
  public boolean abortAndConfirm() {
    return inner.abortAndConfirm();
  }

  @Override
  public void close() {
    closed = true;
    inner.close();
  }
}
