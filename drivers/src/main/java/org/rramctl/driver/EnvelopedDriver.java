package org.rramctl.driver;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a driver so that every request is checked against a {@link SafetyEnvelope} and the board's
 * geometry before the wrapped driver sees it. A refused request throws
 * {@link EnvelopeViolationException} (limits) or {@link IllegalArgumentException} (addresses, shapes) and
 * the wrapped driver is not called at all.
 *
 * <p>{@link #stop(String)} (Ctrl-C) ends the session's work for good: the operation in flight is aborted and
 * every later operation is refused with {@link DriverAbortedException} before the wrapped driver sees it.
 */
public final class EnvelopedDriver implements CrossbarDriver {
  private final CrossbarDriver inner;
  private final SafetyEnvelope envelope;
  private final BoardInfo info;
  private volatile boolean closed;
  /** Why {@link #stop} was called; null while operations may run. */
  private volatile String stopped;
  private static final long REABORT_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final long REABORT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** Operations between their stop check and their return: a stop keeps aborting until they have ended. */
  private final AtomicInteger inFlight = new AtomicInteger();

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

  /** The driver behind the envelope's (the envelope adds a few comparisons per call). */
  @Override
  public boolean inProcess() {
    return inner.inProcess();
  }

  private void open() {
    if (closed) throw new IllegalStateException("driver for board " + info.boardId() + " is closed");
  }

  /** Counts an operation in, or refuses it after a {@link #stop}. Pairs with {@link #exit()}. */
  private void enter() throws DriverAbortedException {
    inFlight.incrementAndGet();
    String why = stopped;
    if (why != null) {
      inFlight.decrementAndGet();
      throw new DriverAbortedException(info.boardId(), why + "; nothing more was sent");
    }
  }

  private void exit() {
    inFlight.decrementAndGet();
  }

  /**
   * Ends this session's work for good (Ctrl-C): from now on every operation is refused with
   * {@link DriverAbortedException} before the board sees it, and the operation in flight is aborted. An
   * operation that passed its check in the same instant may reach the board just after the first ABORT, so
   * ABORT is repeated (after 250 ms, then every 50 ms) until every operation that got past the check has ended
   * (at most {@code waitMillis}).
   *
   * @return true when the board confirmed its outputs idle after the last operation ended
   *     ({@link CrossbarDriver#abortAndConfirm()})
   */
  public boolean stop(String reason, long waitMillis) {
    stopped = Objects.requireNonNull(reason, "reason");
    boolean idle = inner.abortAndConfirm();
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    long lastAbort = start;
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      // The operation the first ABORT ended needs a moment to return (and its command may then close the driver):
      // abort again only for one still running after that, i.e. one whose frame reached the board after the ABORT.
      long now = System.nanoTime();
      if (inFlight.get() > 0 && now - start > REABORT_AFTER_NANOS && now - lastAbort > REABORT_EVERY_NANOS) {
        idle = inner.abortAndConfirm();
        lastAbort = now;
      }
    }
    return idle && inFlight.get() == 0;
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
    enter();
    try {
      return inner.read(cell, readVolts);
    } finally {
      exit();
    }
  }

  @Override
  public void pulse(Cell cell, Pulse pulse, int count) throws IOException {
    open();
    info.checkCell(cell);
    envelope.checkPulses(pulse, count);
    enter();
    try {
      inner.pulse(cell, pulse, count);
    } finally {
      exit();
    }
  }

  @Override
  public double pulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) throws IOException {
    open();
    info.checkCell(cell);
    envelope.checkPulses(pulse, count);
    envelope.checkReadVolts(readVolts);
    enter();
    try {
      return inner.pulseThenRead(cell, pulse, count, readVolts);
    } finally {
      exit();
    }
  }

  @Override
  public double readDifferential(int array, int row, int col, double readVolts) throws IOException {
    open();
    info.checkCell(Cell.active(array, row, col));
    info.checkCell(Cell.reference(array, row, col));
    envelope.checkReadVolts(readVolts);
    enter();
    try {
      return inner.readDifferential(array, row, col, readVolts);
    } finally {
      exit();
    }
  }

  @Override
  public double[] readRow(int array, Plane plane, int row, double readVolts) throws IOException {
    open();
    info.checkPlane(array, plane);
    info.checkRow(array, row);
    envelope.checkReadVolts(readVolts);
    enter();
    try {
      return inner.readRow(array, plane, row, readVolts);
    } finally {
      exit();
    }
  }

  @Override
  public double[] readColumn(int array, Plane plane, int col, double readVolts) throws IOException {
    open();
    info.checkPlane(array, plane);
    info.checkColumn(array, col);
    envelope.checkReadVolts(readVolts);
    enter();
    try {
      return inner.readColumn(array, plane, col, readVolts);
    } finally {
      exit();
    }
  }

  @Override
  public ConductanceMap readArray(int array, Plane plane, double readVolts) throws IOException {
    open();
    info.checkPlane(array, plane);
    envelope.checkReadVolts(readVolts);
    enter();
    try {
      return inner.readArray(array, plane, readVolts);
    } finally {
      exit();
    }
  }

  private void checkVectorRead(Tile tile, ReadMode mode) {
    info.checkTile(tile);
    if (mode == null) throw new IllegalArgumentException("mode: null (expected: ACTIVE, REFERENCE or DIFFERENTIAL)");
    if (mode != ReadMode.ACTIVE) info.checkPlane(tile.array(), Plane.REFERENCE);
  }

  @Override
  public double[] forwardRead(Tile tile, ReadMode mode, double[] rowVolts) throws IOException {
    checkVectorRead(tile, mode, rowVolts, null, false);
    enter();
    try {
      return inner.forwardRead(tile, mode, rowVolts);
    } finally {
      exit();
    }
  }

  @Override
  public double[] transposeRead(Tile tile, ReadMode mode, double[] colVolts) throws IOException {
    checkVectorRead(tile, mode, colVolts, null, true);
    enter();
    try {
      return inner.transposeRead(tile, mode, colVolts);
    } finally {
      exit();
    }
  }

  @Override
  public void forwardRead(Tile tile, ReadMode mode, double[] rowVolts, double[] currentsOut) throws IOException {
    checkVectorRead(tile, mode, rowVolts, currentsOut, false);
    enter();
    try {
      inner.forwardRead(tile, mode, rowVolts, currentsOut);
    } finally {
      exit();
    }
  }

  @Override
  public void transposeRead(Tile tile, ReadMode mode, double[] colVolts, double[] currentsOut) throws IOException {
    checkVectorRead(tile, mode, colVolts, currentsOut, true);
    enter();
    try {
      inner.transposeRead(tile, mode, colVolts, currentsOut);
    } finally {
      exit();
    }
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
    enter();
    try {
      inner.parallelUpdate(tile, plane, update);
    } finally {
      exit();
    }
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
        enter();
        try {
          return sm.source(cell, volts, durationNanos, complianceAmps);
        } finally {
          exit();
        }
      }

      @Override
      public void checkSource(double volts, long durationNanos, double complianceAmps) {
        envelope.checkSource(volts, durationNanos, complianceAmps);
        sm.checkSource(volts, durationNanos, complianceAmps);
      }

      @Override
      public void checkSweep(Sweep sweep) {
        envelope.checkSweep(sweep);
        sm.checkSweep(sweep);
      }

      @Override
      public SweepResult sweep(Cell cell, Sweep sweep) throws IOException {
        open();
        info.checkCell(cell);
        envelope.checkSweep(sweep);
        enter();
        try {
          return sm.sweep(cell, sweep);
        } finally {
          exit();
        }
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
