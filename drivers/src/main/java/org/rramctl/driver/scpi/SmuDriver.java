package org.rramctl.driver.scpi;

import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.DriverStatus;
import org.rramctl.driver.Limits;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.MalformedMessageException;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.RefusedException;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.SweepResult;
import org.rramctl.driver.TimeoutNothingRanException;

/**
 * A Keithley-class source-measure unit as a {@link CrossbarDriver} for single-device work: one device
 * (array 0, 1 x 1) on the 2400; on the two-channel 2600B the active device on smua and its reference
 * device on smub. Vector operations are not native; {@link org.rramctl.driver.SingleDeviceFallback}
 * composes them, slowly.
 *
 * <p>Safety: the compliance is set while the outputs are off, before anything can turn them on; every
 * request is checked against the instrument's limits before a byte is sent; after each command group the
 * error queue is read; on any error, abort, or lost link the source is ramped to 0 V and the outputs are
 * switched off (PyMeasure's {@code shutdown()} discipline) before the exception reaches the caller.
 *
 * <p>Threading: one caller thread; {@link #abort()} may be called from any other thread and sends the
 * shutdown lines at once (the channel serialises lines), then the operation in progress ends with
 * {@link DriverAbortedException}.
 */
public final class SmuDriver implements CrossbarDriver, SourceMeasure {
  private final ScpiChannel channel;
  private final SmuDialect dialect;
  private final BoardInfo info;
  private final SafetyEnvelope limits;
  private final double complianceAmps;
  private volatile boolean closed;
  private volatile boolean aborting;
  private volatile boolean busy;
  private boolean lastAborted;
  private double lastLevel;
  private long pulsesApplied;
  private String lastError = "";

  /**
   * Opens an instrument on {@code channel}: identifies it, configures it (compliance first, outputs off)
   * and checks its error queue. The driver owns the channel from here on.
   *
   * @throws IllegalArgumentException when the model named in {@code settings} is not the one that answers,
   *     or the compliance exceeds what the model allows
   */
  public static SmuDriver open(ScpiChannel channel, SmuSettings settings) throws IOException {
    return new SmuDriver(channel, settings);
  }

  private SmuDriver(ScpiChannel channel, SmuSettings settings) throws IOException {
    this.channel = channel;
    String model = settings.model();
    double complianceAmps = settings.complianceAmps();
    double gMinSiemens = settings.gMinSiemens();
    double gMaxSiemens = settings.gMaxSiemens();
    String idn = channel.query("*IDN?").trim();
    SmuDialect fromIdn = SmuDialect.fromIdn(idn);
    this.dialect = switch (model) {
      case "auto" -> fromIdn;
      case "2400", "2600" -> {
        if (!fromIdn.family().equals(model)) {
          throw new IllegalArgumentException("model: " + model + " (expected: the instrument at " + channel.endpoint() + " identifies as " + idn + ")");
        }
        yield fromIdn;
      }
      default -> throw new IllegalArgumentException("model: '" + model + "' (expected: auto, 2400 or 2600)");
    };
    if (!(complianceAmps > 0) || complianceAmps > dialect.limits().complianceAmps()) {
      throw new IllegalArgumentException("compliance: " + complianceAmps + " A (expected: 0 < I <= " + dialect.limits().complianceAmps() + " A for a " + dialect.family() + ")");
    }
    this.complianceAmps = complianceAmps;
    String[] f = idn.split(",");
    String serial = f.length > 2 ? f[2].trim() : "unknown";
    String firmware = f.length > 3 ? f[3].trim() : "unknown";
    boolean reference = dialect.channels() > 1;
    Set<Capability> caps = EnumSet.of(Capability.READ, Capability.PULSE, Capability.SOURCE_MEASURE, Capability.SWEEP);
    if (reference) caps.add(Capability.REFERENCE_ARRAYS);
    this.info = new BoardInfo("keithley-" + dialect.family() + "-" + serial, f.length > 1 ? f[0].trim() + " " + f[1].trim() : idn, firmware, 0,
        List.of(new ArrayGeometry(0, 1, 1, reference)), dialect.limits().withComplianceAmps(complianceAmps), 22, gMinSiemens, gMaxSiemens, caps);
    this.limits = SafetyEnvelope.of(info);
    group(dialect.configure(complianceAmps), -1, false);
  }

  public SmuDialect dialect() {
    return dialect;
  }

  /** Largest pulse amplitude of the default envelope, V: RRAM switches at 1-3 V and forms at up to about 5 V. */
  public static final double DEFAULT_MAX_PULSE_VOLTS = 5.0;
  /** Largest read voltage of the default envelope, V: reads stay well below switching. */
  public static final double DEFAULT_MAX_READ_VOLTS = 0.5;

  /**
   * A conservative envelope, not the instrument's range (210 V on a 2400): pulses up to
   * {@link #DEFAULT_MAX_PULSE_VOLTS}, reads up to {@link #DEFAULT_MAX_READ_VOLTS}, the rest as the hardware.
   * A board profile ({@code --envelope FILE}) widens it deliberately.
   */
  @Override
  public SafetyEnvelope defaultEnvelope() {
    Limits hw = info.hardwareLimits();
    return new SafetyEnvelope(hw.withMaxPulseVolts(Math.min(hw.maxPulseVolts(), DEFAULT_MAX_PULSE_VOLTS))
        .withMaxReadVolts(Math.min(hw.maxReadVolts(), DEFAULT_MAX_READ_VOLTS)));
  }

  @Override
  public BoardInfo info() {
    return info;
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("instrument " + channel.endpoint() + " is closed");
  }

  private int channelOf(Cell c) {
    info.checkCell(c);
    return c.plane() == Plane.ACTIVE ? 0 : 1;
  }

  /**
   * Sends a command group (the line at {@code queryIndex} is a query whose reply is returned), then reads
   * the error queue. Any failure shuts the outputs down before it propagates. A group that pulses
   * ({@code changesDevices}) and fails for lack of an answer after its first line went out has an unknown
   * outcome: the instrument may have applied some or all of its pulses.
   */
  private String group(List<String> lines, int queryIndex, boolean changesDevices) throws IOException {
    checkOpen();
    lastAborted = false;
    String reply = null;
    busy = true;
    boolean sent = false;
    try {
      for (int i = 0; i < lines.size(); i++) {
        if (aborting) throw aborted();
        sent = true;
        if (i == queryIndex) reply = channel.query(lines.get(i));
        else channel.send(lines.get(i));
      }
      SmuDialect.Error e = dialect.parseError(channel.query(dialect.nextError()));
      if (e.code() != 0) {
        lastError = e.code() + " " + e.message();
        throw new RefusedException(channel.endpoint(), String.join(" | ", lines), -1, Integer.toString(e.code()), e.message(), null, null);
      }
      if (aborting) throw aborted();
      return reply;
    } catch (IOException | RuntimeException e) {
      shutdownQuietly();
      if (aborting) {
        aborting = false;
        lastAborted = true;
        if (!(e instanceof DriverAbortedException)) throw aborted();
      }
      if (changesDevices && sent && (e instanceof TimeoutNothingRanException || e instanceof LinkLostException || e instanceof MalformedMessageException)) {
        throw new OutcomeUnknownException(channel.endpoint(), "pulses", -1, null, e.getMessage(), e);
      }
      throw e;
    } finally {
      busy = false;
      aborting = false;
    }
  }

  private DriverAbortedException aborted() {
    return new DriverAbortedException(channel.endpoint(), "ramped to 0 V, outputs off");
  }

  private void shutdownQuietly() {
    try {
      for (String line : dialect.shutdown(lastLevel)) channel.send(line);
    } catch (IOException | RuntimeException ignored) {
      // The link is gone: nothing more can be sent; the instrument's own output-off on disconnect is the last line of defence.
    }
    lastLevel = 0;
  }

  @Override
  public double read(Cell cell, double readVolts) throws IOException {
    checkOpen();
    int ch = channelOf(cell);
    limits.checkReadVolts(readVolts);
    lastLevel = readVolts;
    String reply = group(List.of(dialect.measure(ch, readVolts)), 0, false);
    lastLevel = 0;
    try {
      return dialect.parseCurrent(reply) / readVolts;
    } catch (RuntimeException e) {
      shutdownQuietly();
      throw new MalformedMessageException(channel.endpoint(), "reply '" + reply + "' (expected: a current reading)", -1, -1, e);
    }
  }

  @Override
  public void pulse(Cell cell, Pulse pulse, int count) throws IOException {
    checkOpen();
    int ch = channelOf(cell);
    limits.checkPulses(pulse, count);
    double volts = pulse.polarity().sign() * pulse.amplitudeVolts();
    List<String> lines = dialect.pulses(ch, volts, pulse.widthNanos(), count);
    lastLevel = volts;
    group(lines, lines.size() - 1, true);
    lastLevel = 0;
    pulsesApplied += count;
  }

  @Override
  public java.util.Optional<SourceMeasure> sourceMeasure() {
    return java.util.Optional.of(this);
  }

  /**
   * Sources {@code volts} for {@code durationNanos} under {@code complianceAmps} (set just before, in the same
   * command group, and the standing compliance restored after), measuring the current at the end.
   */
  @Override
  public double source(Cell cell, double volts, long durationNanos, double complianceAmps) throws IOException {
    checkOpen();
    int ch = channelOf(cell);
    limits.checkSource(volts, durationNanos, complianceAmps);
    List<String> lines = dialect.source(ch, volts, durationNanos, complianceAmps, complianceAmps());
    lastLevel = volts;
    String reply = group(lines, lines.size() - 1, true);
    lastLevel = 0;
    pulsesApplied++;
    try {
      return dialect.parseCurrent(reply);
    } catch (RuntimeException e) {
      shutdownQuietly();
      throw new MalformedMessageException(channel.endpoint(), "reply '" + reply + "' (expected: a current reading)", -1, -1, e);
    }
  }

  /**
   * Runs the sweep on the instrument (a list sweep on the 2400, the trigger model on the 2600B), in parts of
   * {@link SmuDialect#maxSweepPoints()} levels; an abort between parts stops it.
   */
  @Override
  public SweepResult sweep(Cell cell, Sweep sweep) throws IOException {
    checkOpen();
    int ch = channelOf(cell);
    limits.checkSweep(sweep);
    double[] levels = sweep.levelsVolts();
    double[] amps = new double[levels.length];
    int part = dialect.maxSweepPoints();
    for (int from = 0; from < levels.length; from += part) {
      double[] chunk = java.util.Arrays.copyOfRange(levels, from, Math.min(levels.length, from + part));
      List<String> lines = dialect.sweep(ch, chunk, sweep.stepNanos(), sweep.offNanos(), sweep.complianceAmps(), complianceAmps());
      lastLevel = sweep.maxAbsVolts();
      String reply = group(lines, lines.size() - 1, true);
      lastLevel = 0;
      double[] got;
      try {
        got = dialect.parseCurrents(reply, chunk.length);
      } catch (RuntimeException e) {
        shutdownQuietly();
        throw new MalformedMessageException(channel.endpoint(), "reply '" + reply + "' (expected: " + chunk.length + " currents)", -1, -1, e);
      }
      System.arraycopy(got, 0, amps, from, got.length);
      pulsesApplied += chunk.length;
    }
    return new SweepResult(levels, amps, sweep.complianceAmps());
  }

  /** The standing compliance set at configuration, amperes. */
  public double complianceAmps() {
    return complianceAmps;
  }

  @Override
  public DriverStatus status() {
    checkOpen();
    return new DriverStatus(true, lastAborted, pulsesApplied, lastError);
  }

  @Override
  public void abort() {
    if (closed) return;
    // Only an operation in flight is stopped; an abort between operations just idles the outputs.
    if (busy) aborting = true;
    shutdownQuietly();
  }

  @Override
  public void close() {
    if (closed) return;
    shutdownQuietly();
    closed = true;
    channel.close();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "SmuDriver[%s at %s]", dialect.family(), channel.endpoint());
  }
}
