package org.rramctl.driver.arc1;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.DriverException;
import org.rramctl.driver.DriverStatus;
import org.rramctl.driver.Durations;
import org.rramctl.driver.EnvelopeViolationException;
import org.rramctl.driver.Limits;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.MalformedMessageException;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.RefusedException;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.SingleDeviceFallback;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.SweepResult;
import org.rramctl.driver.Tile;
import org.rramctl.driver.TimeoutNothingRanException;
import org.rramctl.driver.transport.Transport;

/**
 * An ArC ONE (ArC Instruments' 32 x 32 crossbar characterisation board) as a {@link CrossbarDriver}, speaking
 * the board's ASCII command protocol ({@link Arc1Wire}) over a {@link Transport}.
 *
 * <p>The crossbar is array 0, {@code words x bits} (rows x columns), with no reference plane (see
 * {@code ReferenceLayout} for references on the same chip). Natively: single reads, pulses, pulse-then-read,
 * whole-array reads, source-measure and I-V loops (the CurveTracer, below); everything else is composed by
 * {@link org.rramctl.driver.SingleDeviceFallback}. Cells
 * are zero-based here and 1-based on the wire. Reads answer a resistance; this driver returns its inverse.
 *
 * <p>Pulses: the amplitude's sign is the polarity; the width goes on the wire in seconds with six decimals,
 * so only whole microseconds can be sent, and anything else is refused before a byte leaves the host; amplitudes and
 * read voltages likewise go out with six decimals of a volt, accepted only when that is the value up to the double's
 * own rounding (a ramp's 0.1 + 0.2 = 0.30000000000000004 V goes out as 0.300000; 2.0000005 V is refused). A
 * train of {@code n} pulses is one select command (left out when the previous train went to the same device
 * and no command has addressed another since) and {@code n} pulse-the-selected commands, paced by the
 * write delay. The board does not answer them (as in libarc1); the board runs commands in order, so the answer
 * to the next read, pulse-then-read or {@link #confirm()} confirms every pulse sent before it. If that answer
 * does not come, the error is an outcome-unknown one naming the pulses it would have confirmed; nothing is ever
 * re-sent.
 *
 * <p>Failures are the drivers' kinds ({@link DriverException}): unconfirmed pulses are outcome unknown, an
 * unanswered read a timeout in which nothing ran, an I/O error of the port a lost link, a wrong initialisation
 * answer refused, an impossible reading malformed, an abort or an interrupt during the reset aborted. A lost
 * link, a missing or wrong answer leave the byte stream in an unknown place, so the driver refuses every later
 * operation with a {@link LinkLostException} (reopen it). The board's lines are grounded between commands:
 * outputs are idle whenever no command is being executed, including after any failure.
 *
 * <p>Source-measure ({@link #sourceMeasure()}): the board's CurveTracer job ({@code 201}), with the compliance sent as
 * its current cut-off on both polarities. {@link SourceMeasure#source} is a one-point CurveTracer (hold = the
 * duration, span positive-only or negative-only by the sign of the level); an I-V loop shaped as
 * {@link Sweep#loop} (0 -> +V -> 0 -> -V -> 0 in equal steps) is one CurveTracer cycle started at 0 V, whose two
 * branch-opening 0 V points are measured and left out of the result (the sweep did not ask for them); any other sweep
 * is composed from one-point jobs. The current of each point is the level over the resistance the board answers, as
 * libarc1 and arc1_pyqt compute it. Refused before a byte leaves the host, beyond the envelope: a compliance that is not
 * a whole number of microamperes from 11 uA to 1000 uA (the cut-off is sent with six decimals of an ampere; ArC's
 * control software keeps it within 10 uA .. 1 mA and never sends 10 uA itself), a hold under 30 us (ArC's control
 * software raises widths to 30 us when a cut-off is set) or not in whole microseconds, a level or step that six
 * decimals of a volt cannot carry. A running CurveTracer job cannot be stopped (the board has no abort command): an
 * abort stops before the next job, and a job already sent runs to its end, its answers drained so the stream stays in
 * step. What the cut-off does to the current within a step (limit it, or only stop the ramp after the step that
 * exceeded it) is not stated in ArC's host sources: see the README before trusting a forming run to it.
 *
 * <p>Threading: one caller thread; {@link #abort()} from any thread stops a pulse train between two
 * commands and returns at once. Owns the transport.
 */
public final class Arc1Driver implements CrossbarDriver {
  /** Largest pulse and read voltage magnitude of the board, volts (libarc1 refuses reads beyond 12 V). */
  public static final double MAX_VOLTS = 12.0;
  /** Shortest width the wire format can carry (six decimals of a second). */
  public static final long MIN_WIDTH_NANOS = 1_000;
  /** Longest width the ArC ONE control software accepts: 10 s. */
  public static final long MAX_WIDTH_NANOS = 10_000_000_000L;
  /** Pulses one {@link #pulse} call may ask for (each is a command of its own on the wire). */
  public static final int MAX_PULSES_PER_CALL = 100_000;
  /** Smallest and largest CurveTracer current cut-off sent, microamperes (whole: six decimals of an ampere on the wire). */
  public static final int MIN_CUT_OFF_MICROAMPS = 11;
  public static final int MAX_CUT_OFF_MICROAMPS = 1000;
  /** Shortest hold of a source-measure level: ArC's control software needs 30 us for a current cut-off to act. */
  public static final long MIN_SOURCE_NANOS = 30_000;
  /** How long libarc1 and the control software wait for the firmware-version answer. */
  static final Duration VERSION_TIMEOUT = Duration.ofSeconds(2);
  /**
   * Current limit reported in {@link BoardInfo}: pulses and reads have no programmable compliance; the smallest
   * series resistor (1 kOhm) at 12 V passes 12 mA. The source-measure role's compliance is the CurveTracer's cut-off,
   * narrower ({@link #MIN_CUT_OFF_MICROAMPS} .. {@link #MAX_CUT_OFF_MICROAMPS} uA), checked by the role itself.
   */
  static final double COMPLIANCE_AMPS = 0.012;
  /**
   * Every read waits at most this long, one steady value: a serial port reconfigures itself when the timeout
   * changes (a native call per read). A deadline may so be overrun by up to this much.
   */
  private static final Duration POLL = Duration.ofMillis(50);

  private final Transport transport;
  private final Arc1Settings settings;
  private final String endpoint;
  private final double gMinSiemens;
  private final double gMaxSiemens;
  private final byte[] scratch = new byte[4 * Arc1Wire.MAX_LINES * Arc1Wire.MAX_LINES];
  private final java.io.ByteArrayOutputStream outgoing = new java.io.ByteArrayOutputStream();
  private final SourceMeasure curveTracer = new CurveTracerRole();
  private BoardInfo info;
  private SafetyEnvelope hardware;
  private int[] firmware; // null when the board does not answer the version query
  private double readVoltsSet;
  private Cell selected; // the device the last select command closed, null when another command has addressed one since
  private volatile long unconfirmed; // pulses written that no answer has confirmed yet
  private int queuedPulses; // pulse commands collected in outgoing, not yet written
  private long unansweredAt; // System.nanoTime() after the last command that got no answer, 0 if none
  private String broken; // why the driver refuses further operations
  private volatile boolean closed;
  private volatile boolean busy;
  private volatile boolean aborting;
  private boolean lastAborted;
  private long pulsesApplied;

  private Arc1Driver(Transport transport, Arc1Settings settings, double gMinSiemens, double gMaxSiemens) {
    this.transport = transport;
    this.settings = settings;
    this.endpoint = transport.endpoint();
    this.gMinSiemens = gMinSiemens;
    this.gMaxSiemens = gMaxSiemens;
  }

  /**
   * Resets and initialises the board on {@code transport} (which this driver then owns; it is closed if the
   * handshake fails).
   *
   * @param gMinSiemens lower end of the devices' conductance window (what calibration expects)
   * @param gMaxSiemens upper end
   */
  public static Arc1Driver open(Transport transport, Arc1Settings settings, double gMinSiemens, double gMaxSiemens) throws IOException {
    Arc1Driver d = new Arc1Driver(transport, settings, gMinSiemens, gMaxSiemens);
    try {
      d.reset();
      return d;
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  /** The settings the board was initialised with. */
  public Arc1Settings settings() {
    return settings;
  }

  /** The firmware version the board reported (major, minor), or null if it did not answer the query. */
  public int[] firmwareVersion() {
    return firmware == null ? null : firmware.clone();
  }

  /**
   * Resets the microcontroller ({@code 00}), waits {@link Arc1Settings#resetWait()}, and runs the
   * initialisation handshake again: configuration, confirmation, read setup, firmware-version query.
   */
  public void reset() throws IOException {
    checkOpen();
    busy = true;
    try {
      selected = null;
      send(Arc1Wire.command(Arc1Wire.RESET), false);
      flush();
      sleep(settings.resetWait());
      transport.purgeInput();
      broken = null;
      handshake();
    } catch (DriverAbortedException e) {
      broken = e.getMessage(); // reset but not initialised
      throw e;
    } catch (IOException e) {
      throw fail(e, "RESET", false);
    } finally {
      busy = false;
    }
  }

  private void handshake() throws IOException {
    Arc1Settings s = settings;
    send(Arc1Wire.command(Arc1Wire.INITIALISE, Integer.toString(s.readCycles()), Integer.toString(s.words()), Integer.toString(s.bits()),
        Integer.toString(s.readMode().codeFor(s.readVolts())), "0", Integer.toString(s.sneakPath().code), Arc1Wire.exact("read voltage", s.readVolts(), "V")), true);
    String line = readLine(s.replyTimeout());
    if (line == null) {
      throw new TimeoutNothingRanException(endpoint, "the initialisation", -1, s.replyTimeout(), "is an ArC ONE connected, powered and not held by other software?", null);
    }
    int confirmation;
    try {
      confirmation = Integer.parseInt(line.trim());
    } catch (NumberFormatException e) {
      confirmation = -1;
    }
    if (confirmation != Arc1Wire.CONFIRMED) {
      throw new RefusedException(endpoint, "initialisation", -1, "confirmation '" + printable(line) + "'", "expected: " + Arc1Wire.CONFIRMED, null, null);
    }
    setRead(s.readVolts());
    send(Arc1Wire.command(Arc1Wire.FIRMWARE_VERSION), true);
    byte[] v = new byte[4];
    if (readFully(v, 4, VERSION_TIMEOUT) == 4) {
      firmware = new int[] {(v[0] & 0xff) | (v[1] & 0xff) << 8, (v[2] & 0xff) | (v[3] & 0xff) << 8};
    } else {
      // Older firmware ignores the query; anything it sends later would be out of step, so drop it.
      firmware = null;
      transport.purgeInput();
    }
    String fw = firmware == null ? "unknown (no answer to the version query)" : firmware[0] + "." + firmware[1];
    Limits limits = Limits.builder()
        .maxPulseVolts(MAX_VOLTS)
        .maxReadVolts(MAX_VOLTS)
        .minPulseWidthNanos(MIN_WIDTH_NANOS)
        .maxPulseWidthNanos(MAX_WIDTH_NANOS)
        .maxPulsesPerCommand(MAX_PULSES_PER_CALL)
        .maxPulseRateHz(1e9 / (2 * MIN_WIDTH_NANOS))
        .complianceAmps(COMPLIANCE_AMPS)
        .build();
    info = new BoardInfo("arc1@" + endpoint, "ArC ONE", fw, 0, List.of(new ArrayGeometry(0, s.words(), s.bits(), false)), limits, 24,
        gMinSiemens, gMaxSiemens, EnumSet.of(Capability.READ, Capability.PULSE, Capability.PULSE_THEN_READ, Capability.READ_ARRAY, Capability.SOURCE_MEASURE, Capability.SWEEP));
    hardware = SafetyEnvelope.of(info);
  }

  private void setRead(double volts) throws IOException {
    send(Arc1Wire.command(Arc1Wire.SET_READ, Integer.toString(settings.readMode().codeFor(volts)), Arc1Wire.sixDecimalsOf("read voltage", volts, "V")), false);
    readVoltsSet = volts;
  }

  @Override
  public BoardInfo info() {
    return info;
  }

  // ---------------------------------------------------------------- operations

  @Override
  public double read(Cell cell, double readVolts) throws IOException {
    begin(cell, readVolts);
    try {
      ensureRead(readVolts);
      selected = null;
      send(Arc1Wire.command(Arc1Wire.READ_ONE, word(cell), bit(cell)), true);
      return Arc1Wire.siemens(readFloat("READ " + cell), endpoint, "read of " + cell);
    } catch (IOException e) {
      throw fail(e, "READ " + cell, false);
    } finally {
      end();
    }
  }

  @Override
  public void pulse(Cell cell, Pulse pulse, int count) throws IOException {
    String[] shape = checkPulse(cell, pulse, count);
    begin(cell, Double.NaN);
    try {
      train(cell, shape, count);
      flush();
    } catch (IOException e) {
      throw fail(e, "PULSE " + cell + " x" + count, true);
    } finally {
      end();
    }
  }

  /**
   * Waits until the board has executed every command sent so far: the firmware-version query (or, on firmware
   * that does not answer it, a read of the last device read or pulsed), whose answer the board sends only after
   * everything before it. {@link #pulse} does not wait on its own; the next answered command confirms it.
   */
  public void confirm() throws IOException {
    begin(null, Double.NaN);
    try {
      sync("CONFIRM");
    } catch (IOException e) {
      throw fail(e, "CONFIRM", false);
    } finally {
      end();
    }
  }

  private void sync(String what) throws IOException {
    if (firmware != null) {
      send(Arc1Wire.command(Arc1Wire.FIRMWARE_VERSION), true);
      int n = readFully(scratch, 4, settings.replyTimeout());
      if (n < 4) throw noAnswer(what, n);
    } else {
      selected = null;
      send(Arc1Wire.command(Arc1Wire.READ_ONE, "1", "1"), true);
      readFloat(what);
    }
    unconfirmed = 0;
  }

  @Override
  public double pulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) throws IOException {
    String[] shape = checkPulse(cell, pulse, count);
    begin(cell, readVolts);
    try {
      ensureRead(readVolts);
      if (count > 1) train(cell, shape, count - 1);
      checkAbort(count - 1);
      selected = null;
      send(Arc1Wire.command(Arc1Wire.PULSE_THEN_READ, word(cell), bit(cell), shape[0], shape[1]), true);
      unconfirmed++;
      pulsesApplied++;
      float ohms = readFloat("PULSE_THEN_READ " + cell);
      return Arc1Wire.siemens(ohms, endpoint, "pulse-then-read of " + cell);
    } catch (IOException e) {
      throw fail(e, "PULSE_THEN_READ " + cell + " x" + count, true);
    } finally {
      end();
    }
  }

  @Override
  public ConductanceMap readArray(int array, Plane plane, double readVolts) throws IOException {
    checkOpen();
    info.checkPlane(array, plane);
    begin(null, readVolts);
    try {
      ensureRead(readVolts);
      int w = settings.words();
      int b = settings.bits();
      selected = null;
      send(Arc1Wire.command(Arc1Wire.READ_ALL, "1", Integer.toString(w), Integer.toString(b)), true);
      double[] g = new double[w * b];
      for (int k = 0; k < g.length; k++) {
        // libarc1 allows each value its full timeout: a real board reads one device at a time.
        int n = readFully(scratch, 4, settings.replyTimeout());
        if (n < 4) throw noAnswer("READ_ALL (value " + k + " of " + g.length + ")", n);
        unconfirmed = 0;
        g[k] = Arc1Wire.siemens(Arc1Wire.float32(scratch, 0), endpoint, "read of 0:" + (k / b) + "," + (k % b));
      }
      return new ConductanceMap(w, b, g);
    } catch (IOException e) {
      throw fail(e, "READ_ALL", false);
    } finally {
      end();
    }
  }

  /**
   * A forward read composed on the host: the board has no vector read, so every device's conductance comes from
   * one whole-array read at the read voltage set at initialisation (the devices are read as ohmic, as
   * {@link org.rramctl.driver.SingleDeviceFallback} reads them), and the currents are summed here. Reading at the
   * board's own read voltage, rather than at each input's, saves a read-setup command per call and never asks
   * the wire for a voltage it cannot carry.
   */
  @Override
  public double[] forwardRead(Tile tile, ReadMode mode, double[] rowVolts) throws IOException {
    double[] g = tileConductances(tile, mode, "rowVolts", rowVolts, tile.rows());
    double[] out = new double[tile.cols()];
    for (int r = 0; r < tile.rows(); r++) {
      for (int c = 0; c < tile.cols(); c++) out[c] += rowVolts[r] * g[r * tile.cols() + c];
    }
    return out;
  }

  /** The transpose of {@link #forwardRead(Tile, ReadMode, double[])}, composed the same way. */
  @Override
  public double[] transposeRead(Tile tile, ReadMode mode, double[] colVolts) throws IOException {
    double[] g = tileConductances(tile, mode, "colVolts", colVolts, tile.cols());
    double[] out = new double[tile.rows()];
    for (int r = 0; r < tile.rows(); r++) {
      for (int c = 0; c < tile.cols(); c++) out[r] += colVolts[c] * g[r * tile.cols() + c];
    }
    return out;
  }

  private double[] tileConductances(Tile tile, ReadMode mode, String name, double[] volts, int length) throws IOException {
    checkOpen();
    info.checkTile(tile);
    if (mode == null) throw new IllegalArgumentException("mode: null (expected: ACTIVE, REFERENCE or DIFFERENTIAL)");
    if (mode != ReadMode.ACTIVE) info.checkPlane(tile.array(), Plane.REFERENCE);
    SingleDeviceFallback.checkLength(name, volts, length);
    hardware.checkVectorVolts(name, volts);
    ConductanceMap all = readArray(tile.array(), Plane.ACTIVE, settings.readVolts());
    double[] g = new double[tile.devices()];
    for (int r = 0; r < tile.rows(); r++) {
      for (int c = 0; c < tile.cols(); c++) g[r * tile.cols() + c] = all.get(tile.row0() + r, tile.col0() + c);
    }
    return g;
  }

  /** Sends a train of pulses to one device: select it, then one pulse command per pulse. */
  private void train(Cell cell, String[] shape, int count) throws IOException {
    // A selected crosspoint stays selected until another command addresses a device (ArC's host sources): a
    // train to the device selected by the previous train needs no select of its own.
    if (!cell.equals(selected)) {
      send(Arc1Wire.command(Arc1Wire.SELECT, word(cell), bit(cell)), false);
      selected = cell;
    }
    byte[] one = Arc1Wire.command(Arc1Wire.PULSE_SELECTED, shape[0], shape[1]);
    for (int i = 0; i < count; i++) {
      checkAbort(i);
      boolean held = send(one, false);
      pulsesApplied++;
      unconfirmed++;
      if (held && ++queuedPulses == 64) flush();
    }
  }

  private String[] checkPulse(Cell cell, Pulse pulse, int count) {
    checkOpen();
    info.checkCell(cell);
    hardware.checkPulses(pulse, count);
    double volts = pulse.polarity().sign() * pulse.amplitudeVolts();
    return new String[] {Arc1Wire.sixDecimalsOf("pulse amplitude", volts, "V"), Arc1Wire.seconds(pulse.widthNanos())};
  }

  private void ensureRead(double volts) throws IOException {
    if (volts != readVoltsSet) setRead(volts);
  }

  // ---------------------------------------------------------------- source-measure (CurveTracer)

  /** The CurveTracer as the source-measure role (see the class documentation). */
  @Override
  public java.util.Optional<SourceMeasure> sourceMeasure() {
    return java.util.Optional.of(curveTracer);
  }

  /** One CurveTracer job for one device and one cycle: its parameter lines, and the levels it runs. */
  private record Job(String[] lines, double[] levels, String what) {}

  private final class CurveTracerRole implements SourceMeasure {
    @Override
    public void checkSource(double volts, long durationNanos, double complianceAmps) {
      sourceJob(null, volts, durationNanos, complianceAmps);
    }

    @Override
    public void checkSweep(Sweep sweep) {
      if (sweep == null) throw new IllegalArgumentException("sweep: null");
      if (loopJob(null, sweep) == null) {
        for (double v : sweep.levelsVolts()) sourceJob(null, v, sweep.stepNanos(), sweep.complianceAmps());
      }
    }

    @Override
    public double source(Cell cell, double volts, long durationNanos, double complianceAmps) throws IOException {
      checkOpen();
      info.checkCell(cell);
      hardware.checkSource(volts, durationNanos, complianceAmps);
      Job job = sourceJob(cell, volts, durationNanos, complianceAmps);
      List<float[]> points = runAlone(cell, job);
      if (points.size() != 1) {
        throw new MalformedMessageException(endpoint, job.what + " answered " + points.size() + " points (expected: 1, then the end of the cycle)", -1, -1, null);
      }
      return amps(points.get(0));
    }

    @Override
    public SweepResult sweep(Cell cell, Sweep sweep) throws IOException {
      checkOpen();
      info.checkCell(cell);
      hardware.checkSweep(sweep);
      Job job = loopJob(cell, sweep);
      if (job == null) return composed(cell, sweep);
      List<float[]> points = runAlone(cell, job);
      double[] asked = sweep.levelsVolts();
      // The board echoes each level as a float32: where every echo is the level asked for, report the levels asked for.
      boolean echoed = points.size() == job.levels.length;
      for (int k = 0; echoed && k < points.size(); k++) echoed = points.get(k)[1] == (float) job.levels[k];
      double[] v = new double[points.size()];
      double[] i = new double[points.size()];
      int n = 0;
      int a = 0;
      for (int k = 0; k < points.size(); k++) {
        float[] p = points.get(k);
        boolean opensBranch = p[1] == 0 && (k == 0 || points.get(k - 1)[1] == 0);
        if (opensBranch) continue; // measured, but not a level the sweep asked for
        v[n] = echoed ? asked[a++] : p[1];
        i[n++] = amps(p);
      }
      return new SweepResult(java.util.Arrays.copyOf(v, n), java.util.Arrays.copyOf(i, n), sweep.complianceAmps());
    }
  }

  /**
   * A sweep of another shape than a loop: one one-point job per level, the device held by this call throughout, so that an
   * abort stops it before the next job (the one running ends first). The output idles between jobs for a round trip.
   */
  private SweepResult composed(Cell cell, Sweep sweep) throws IOException {
    double[] v = sweep.levelsVolts();
    Job[] jobs = new Job[v.length];
    for (int k = 0; k < v.length; k++) jobs[k] = sourceJob(cell, v[k], sweep.stepNanos(), sweep.complianceAmps());
    double[] i = new double[v.length];
    begin(cell, Double.NaN);
    try {
      for (int k = 0; k < v.length; k++) {
        checkAbortBefore(jobs[k], k + " of " + v.length + " points measured");
        List<float[]> points = run(jobs[k]);
        if (points.size() != 1) {
          throw new MalformedMessageException(endpoint, jobs[k].what + " answered " + points.size() + " points (expected: 1, then the end of the cycle)", -1, -1, null);
        }
        i[k] = amps(points.get(0));
      }
      return new SweepResult(v, i, sweep.complianceAmps());
    } catch (IOException e) {
      throw fail(e, "SWEEP " + cell + " (" + sweep + ")", true);
    } finally {
      end();
    }
  }

  /** Current of a CurveTracer point, amperes: level over resistance, as libarc1 computes it (0 at an infinite resistance). */
  private static double amps(float[] point) {
    return (double) point[1] / point[0];
  }

  /** A one-point CurveTracer job applying {@code volts}; checks what the ArC ONE can do (cell null: check only). */
  private Job sourceJob(Cell cell, double volts, long holdNanos, double complianceAmps) {
    String[] timing = curveTracerTiming(holdNanos, complianceAmps);
    String level = Arc1Wire.sixDecimalsOf("source level", Math.abs(volts), "V");
    if (!(Math.abs(volts) <= MAX_VOLTS)) throw new EnvelopeViolationException("source level", volts + " V", "|V| <= " + MAX_VOLTS + " V on the ArC ONE");
    String step = volts == 0 ? "0.000001" : level;
    int span = volts < 0 ? Arc1Wire.CT_NEGATIVE_ONLY : Arc1Wire.CT_POSITIVE_ONLY;
    return job(cell, level, level, level, step, timing[0], "0.000000", timing[1], Arc1Wire.CT_STAIRCASE, span, new double[] {volts},
        "SOURCE " + cell + " " + volts + " V");
  }

  /**
   * The CurveTracer cycle for a sweep shaped as {@link Sweep#loop}, or null when the sweep has another shape (it is
   * then composed from one-point jobs); checks what the ArC ONE can do as {@link #sourceJob} does.
   */
  private Job loopJob(Cell cell, Sweep sweep) {
    String[] timing = curveTracerTiming(sweep.stepNanos(), sweep.complianceAmps());
    String off = "0.000000";
    if (sweep.pulsed()) off = curveTracerSeconds("sweep off time", sweep.offNanos(), 1_000);
    double[] levels = sweep.levelsVolts();
    double step = levels[0];
    double max = 0;
    double min = 0;
    for (double v : levels) {
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    if (!(step > 0) || max > MAX_VOLTS || -min > MAX_VOLTS) return null;
    String stepText;
    String maxText;
    String minText;
    try {
      stepText = Arc1Wire.sixDecimalsOf("sweep step", step, "V");
      maxText = Arc1Wire.sixDecimalsOf("sweep maximum", max, "V");
      minText = Arc1Wire.sixDecimalsOf("sweep minimum", -min, "V");
    } catch (IllegalArgumentException notOnTheWire) {
      return null;
    }
    int span = min < 0 ? Arc1Wire.CT_POSITIVE_FIRST : Arc1Wire.CT_POSITIVE_ONLY;
    double[] cycle = Arc1Wire.curveTracerCycle(Double.parseDouble(maxText), Double.parseDouble(minText), 0, Double.parseDouble(stepText), span);
    int n = 0;
    for (int k = 0; k < cycle.length; k++) {
      boolean opensBranch = cycle[k] == 0 && (k == 0 || cycle[k - 1] == 0);
      if (opensBranch) continue;
      if (n >= levels.length || Math.abs(cycle[k] - levels[n]) > 1e-12 * Math.max(1, Math.abs(levels[n]))) return null;
      n++;
    }
    if (n != levels.length) return null;
    return job(cell, maxText, minText, "0.000000", stepText, timing[0], off, timing[1], sweep.pulsed() ? Arc1Wire.CT_PULSED : Arc1Wire.CT_STAIRCASE, span, cycle,
        "SWEEP " + cell + " (" + sweep + ")");
  }

  /** The hold and the cut-off as the wire carries them, refusing what the ArC ONE cannot do: [hold seconds, cut-off amperes]. */
  private static String[] curveTracerTiming(long holdNanos, double complianceAmps) {
    if (holdNanos < MIN_SOURCE_NANOS || holdNanos > MAX_WIDTH_NANOS || holdNanos % 1_000 != 0) {
      throw new EnvelopeViolationException("source duration", Durations.format(holdNanos), "whole microseconds from 30 us to 10 s on the ArC ONE: its "
          + "CurveTracer takes the hold in seconds with six decimals, and ArC's control software gives a current cut-off at least 30 us");
    }
    double micro = complianceAmps * 1e6;
    long whole = Math.round(micro);
    if (!(Math.abs(micro - whole) <= 1e-9 * Math.max(1, micro)) || whole < MIN_CUT_OFF_MICROAMPS || whole > MAX_CUT_OFF_MICROAMPS) {
      String asked = Double.isFinite(micro) ? new java.math.BigDecimal(micro).round(new java.math.MathContext(9)).stripTrailingZeros().toPlainString() + " uA"
          : complianceAmps + " A";
      throw new EnvelopeViolationException("current compliance", asked, "whole microamperes from " + MIN_CUT_OFF_MICROAMPS + " uA to "
          + MAX_CUT_OFF_MICROAMPS + " uA on the ArC ONE: it is the CurveTracer's current cut-off, six decimals of an ampere on the wire; ArC's control "
          + "software keeps cut-offs within 10 uA .. 1 mA and never sends 10 uA itself");
    }
    return new String[] {Arc1Wire.seconds(holdNanos), Arc1Wire.sixDecimals(whole / 1e6)};
  }

  private static String curveTracerSeconds(String what, long nanos, long minNanos) {
    if (nanos < minNanos || nanos > MAX_WIDTH_NANOS || nanos % 1_000 != 0) {
      throw new EnvelopeViolationException(what, Durations.format(nanos), "whole microseconds from 1 us to 10 s on the ArC ONE (seconds with six decimals on the wire)");
    }
    return Arc1Wire.seconds(nanos);
  }

  private Job job(Cell cell, String vPos, String vNeg, String vStart, String vStep, String hold, String interpulse, String cutOff, int type, int span,
      double[] levels, String what) {
    if (cell == null) return new Job(null, levels, what);
    String[] lines = {Arc1Wire.CURVE_TRACER, vPos, vNeg, vStart, vStep, hold, interpulse, cutOff, "-" + cutOff, "1", Integer.toString(type), Integer.toString(span), "0", "1",
        word(cell), bit(cell)};
    return new Job(lines, levels, what);
  }

  /** One job as a call of its own: an abort before it is sent stops it; once sent, it runs to its end. */
  private List<float[]> runAlone(Cell cell, Job job) throws IOException {
    begin(cell, Double.NaN);
    try {
      checkAbortBefore(job, "");
      return run(job);
    } catch (IOException e) {
      throw fail(e, job.what, true);
    } finally {
      end();
    }
  }

  private void checkAbortBefore(Job job, String progress) throws DriverAbortedException {
    if (aborting) {
      aborting = false;
      lastAborted = true;
      throw new DriverAbortedException(endpoint, job.what + " not sent" + (progress.isEmpty() ? "" : " (" + progress + ")") + "; outputs idle");
    }
  }

  /**
   * Sends one CurveTracer job and collects its points (resistance, level, time) up to the cycle's end: the board runs a job
   * to its end (it has no abort command), and every answer is read so that the stream stays in step.
   */
  private List<float[]> run(Job job) throws IOException {
    selected = null;
    send(Arc1Wire.command(job.lines), true);
    List<float[]> points = new java.util.ArrayList<>();
    while (true) {
      int n = readFully(scratch, Arc1Wire.TRIPLET_BYTES, settings.replyTimeout());
      if (n < Arc1Wire.TRIPLET_BYTES) throw noAnswer(job.what + " (point " + (points.size() + 1) + ")", n, Arc1Wire.TRIPLET_BYTES);
      unconfirmed = 0;
      float r = Arc1Wire.float32(scratch, 0);
      float v = Arc1Wire.float32(scratch, 4);
      float t = Arc1Wire.float32(scratch, 8);
      if (r == 0 && v == 0 && t == 0) return points;
      if (!(r > 0) || !Float.isFinite(v) || points.size() >= job.levels.length) {
        throw new MalformedMessageException(endpoint, job.what + " answered point " + (points.size() + 1) + " as (" + r + " ohm, " + v + " V, " + t
            + " s) (expected: a resistance > 0 and a finite level, at most " + job.levels.length + " points, then three zeros)", -1, -1, null);
      }
      if (v != 0) pulsesApplied++;
      points.add(new float[] {r, v, t});
    }
  }

  // ---------------------------------------------------------------- bookkeeping

  private void begin(Cell cell, double readVolts) throws LinkLostException {
    checkOpen();
    if (cell != null) info.checkCell(cell);
    if (!Double.isNaN(readVolts)) {
      hardware.checkReadVolts(readVolts);
      Arc1Wire.sixDecimalsOf("read voltage", readVolts, "V");
    }
    if (broken != null) throw new LinkLostException(endpoint, "unusable after an earlier failure (" + broken + "); close and reopen it");
    lastAborted = false;
    busy = true;
  }

  private void end() {
    busy = false;
    aborting = false;
  }

  private void checkAbort(int pulsesQueued) throws DriverAbortedException {
    if (aborting) {
      int sent = pulsesQueued - queuedPulses;
      dropQueued();
      aborting = false;
      lastAborted = true;
      throw new DriverAbortedException(endpoint, "stopped after " + sent + " pulse(s) of the train; outputs idle");
    }
  }

  /** Marks the stream unusable and classifies the failure: a device-changing command in flight has an unknown outcome. */
  private IOException fail(IOException e, String operation, boolean changesDevices) {
    if (e instanceof DriverAbortedException) return e;
    dropQueued();
    selected = null;
    broken = e.getMessage();
    if (unconfirmed > 0) {
      long n = unconfirmed;
      unconfirmed = 0;
      return new OutcomeUnknownException(endpoint, operation + (changesDevices ? "" : " and the " + n + " earlier pulse(s) it would have confirmed"), -1, null,
          "the board did not confirm " + n + " pulse(s) sent: " + e.getMessage(), e);
    }
    if (changesDevices) return new OutcomeUnknownException(endpoint, operation, -1, null, "the board did not confirm it: " + e.getMessage(), e);
    // Nothing that changes a device was in flight: the transport's own failure, or the timeout or malformed answer
    // seen here. An I/O error of the port that is none of the drivers' kinds is a lost link, as the other drivers say.
    return e instanceof DriverException ? e : new LinkLostException(endpoint, e.getMessage(), e);
  }

  private IOException noAnswer(String what, int got) {
    return noAnswer(what, got, 4);
  }

  private IOException noAnswer(String what, int got, int of) {
    return new TimeoutNothingRanException(endpoint, what, -1, settings.replyTimeout(), got == 0 ? "" : got + " of " + of + " bytes arrived", null);
  }

  private static String word(Cell c) {
    return Integer.toString(c.row() + 1);
  }

  private static String bit(Cell c) {
    return Integer.toString(c.col() + 1);
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("ArC ONE at " + endpoint + " is closed");
  }

  // ---------------------------------------------------------------- bytes

  /**
   * Queues one command. With no write delay, commands are collected and written together just before the host
   * waits for an answer (one system call and one wake-up of the board's reader instead of several; the bytes on
   * the wire are the same). With a write delay, each command is written at once, after waiting out the delay
   * that follows a command the board does not answer.
   *
   * @return whether the command is still held back (not yet written)
   */
  private boolean send(byte[] command, boolean answered) throws IOException {
    long delay = settings.writeDelay().toNanos();
    if (delay == 0) {
      outgoing.writeBytes(command);
      if (answered || outgoing.size() >= 4096) {
        flush();
        return false;
      }
      return true;
    }
    if (unansweredAt != 0) {
      // Pacing, not synchronisation: the board's input buffer must drain between unanswered commands.
      long until = unansweredAt + delay;
      for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) LockSupport.parkNanos(left);
    }
    transport.write(command);
    unansweredAt = answered ? 0 : System.nanoTime();
    return false;
  }

  /** Writes the commands collected by {@link #send}. */
  private void flush() throws IOException {
    if (outgoing.size() == 0) return;
    byte[] b = outgoing.toByteArray();
    outgoing.reset();
    queuedPulses = 0;
    transport.write(b);
  }

  /** Drops commands collected but not written (after an abort or a failure): those pulses were never sent. */
  private void dropQueued() {
    pulsesApplied -= queuedPulses;
    unconfirmed -= queuedPulses;
    queuedPulses = 0;
    outgoing.reset();
  }

  /** Reads one float32 answer; its arrival confirms every command sent before it. */
  private float readFloat(String what) throws IOException {
    int n = readFully(scratch, 4, settings.replyTimeout());
    if (n < 4) throw noAnswer(what, n);
    unconfirmed = 0;
    return Arc1Wire.float32(scratch, 0);
  }

  /** Reads up to {@code n} bytes into {@code out}, waiting at most {@code timeout} in all; returns how many came. */
  private int readFully(byte[] out, int n, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int got = 0;
    while (got < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0) break;
      got += transport.read(out, got, n - got, POLL);
    }
    return got;
  }

  /** Reads one text line (without its terminator), or null if none completes within {@code timeout}. */
  private String readLine(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    StringBuilder line = new StringBuilder();
    byte[] one = new byte[1];
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return null;
      if (transport.read(one, 0, 1, POLL) == 1) {
        if (one[0] == '\n') return line.toString();
        if (line.length() > 256) return line.toString();
        line.append((char) (one[0] & 0xff));
      }
    }
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.ISO_8859_1)) {
      if (x >= 0x20 && x < 0x7f) b.append((char) x);
      else b.append(String.format("\\x%02x", x & 0xff));
    }
    return b.toString();
  }

  private void sleep(Duration d) throws DriverAbortedException {
    if (d.isZero()) return;
    try {
      Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DriverAbortedException(endpoint, "interrupted while the board restarts; it is not initialised: reopen it");
    }
  }

  // ---------------------------------------------------------------- control

  @Override
  public DriverStatus status() {
    checkOpen();
    return new DriverStatus(!busy, lastAborted, pulsesApplied, broken == null ? "" : broken);
  }

  @Override
  public void abort() {
    // The board grounds its lines between commands and has no abort command: stopping the train between two
    // commands is all there is to do, and it needs no byte on the wire.
    if (busy) aborting = true;
  }

  /**
   * {@link #abort()}; true only when nothing can still be running on the board: no command in progress and no
   * pulse sent without an answer after it (a pulse of up to 10 s may still be on its way when a train stops).
   */
  @Override
  public boolean abortAndConfirm() {
    boolean quiet = !busy && unconfirmed == 0;
    abort();
    return quiet;
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    transport.close();
  }

  @Override
  public String toString() {
    return "Arc1Driver[" + endpoint + "]";
  }
}
