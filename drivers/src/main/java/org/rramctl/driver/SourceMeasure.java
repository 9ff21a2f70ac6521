package org.rramctl.driver;

import java.io.IOException;

/**
 * The source-measure role: apply a voltage to one device for a given time with a current compliance and
 * measure the current, and run voltage sweeps (staircase or pulsed) on one device. It is what forming, I-V
 * curve tracing and other first-day characterization need, and what a Keithley source-measure unit does
 * natively. A driver that has it declares {@link Capability#SOURCE_MEASURE} and returns it from
 * {@link CrossbarDriver#sourceMeasure()}; {@link Capability#SWEEP} says its sweeps run as one hardware
 * operation (otherwise {@link #sweep} is composed from {@link #source} calls by {@link #composeSweep}).
 *
 * <p>Compliance is mandatory on every call and part of the {@link SafetyEnvelope}: the host refuses a
 * compliance above the envelope's {@code complianceAmps}, a level above {@code maxPulseVolts} or a duration
 * outside the pulse-width range before anything is sent; the hardware (or the emulator) limits the current
 * again. Volts are signed: positive is the SET (UP) polarity of {@link Polarity}. Every call leaves the
 * outputs idle (0 V, off) when it returns or throws. A driver whose hardware limits the current differently (the ArC
 * ONE's CurveTracer cut-off) says how in its own documentation and refuses, in {@link #checkSource} and
 * {@link #checkSweep}, what its limiter cannot hold.
 *
 * <p>Threading: as {@link CrossbarDriver}: one caller thread; {@link CrossbarDriver#abort()} from any thread
 * stops a sweep at its next point.
 */
public interface SourceMeasure {
  /**
   * Applies {@code volts} to one device for {@code durationNanos} with the current limited to
   * {@code complianceAmps}, and returns the current measured at the end of that time, amperes (signed, with
   * |I| <= compliance). The device may switch while the voltage is applied.
   */
  double source(Cell cell, double volts, long durationNanos, double complianceAmps) throws IOException;

  /**
   * Refuses, before anything is sent, a {@link #source} call this hardware cannot run as asked although the
   * {@link SafetyEnvelope} allows it (a compliance its limiter cannot hold, a duration it cannot time): an
   * {@link IllegalArgumentException} naming the input and what is allowed. The default accepts everything the
   * envelope accepts. Procedures call it while validating their parameters, so a refusal comes before a run starts.
   */
  default void checkSource(double volts, long durationNanos, double complianceAmps) {}

  /** {@link #checkSource} for a whole {@link #sweep}; the default accepts everything the envelope accepts. */
  default void checkSweep(Sweep sweep) {}

  /** Runs a sweep on one device; one hardware operation where {@link Capability#SWEEP} is declared. */
  default SweepResult sweep(Cell cell, Sweep sweep) throws IOException {
    return composeSweep(this, cell, sweep);
  }

  /**
   * A sweep composed from one {@link #source} call per point. The outputs return to idle between calls, so a
   * composed staircase is in fact pulsed with the host's round trip as off time; say so where it matters.
   */
  static SweepResult composeSweep(SourceMeasure sm, Cell cell, Sweep sweep) throws IOException {
    double[] v = sweep.levelsVolts();
    double[] i = new double[v.length];
    for (int k = 0; k < v.length; k++) i[k] = sm.source(cell, v[k], sweep.stepNanos(), sweep.complianceAmps());
    return new SweepResult(v, i, sweep.complianceAmps());
  }

  /**
   * The source-measure role of a driver.
   *
   * @throws IllegalArgumentException naming the board when it has none (an older board, a protocol version
   *     without the command, a driver that cannot limit current)
   */
  static SourceMeasure of(CrossbarDriver driver) {
    return driver.sourceMeasure().orElseThrow(() -> new IllegalArgumentException("board " + driver.info().boardId() + " (" + driver.info().model()
        + ", protocol " + driver.info().protocolVersion() + "): no source-measure capability (expected: a board that declares SOURCE_MEASURE, "
        + "such as the emulator or a Keithley 2400/2600B; a crossbar board needs firmware of protocol version 2 or later with the SOURCE command)"));
  }
}
