package org.rramctl.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The host-side safety envelope: the limits every request must respect before anything is executed or
 * sent. It is never wider than the board's hardware limits ({@link #within(BoardInfo)}). Checks reject;
 * they never clamp. Loaded from a board profile (JSON) or derived from the board's own limits.
 *
 * <p>Board profile format (all keys required but {@code minPulseVolts}, the amplitude floor, which defaults
 * to {@link Limits#DEFAULT_MIN_PULSE_VOLTS} and may not lie below the board's own):
 * <pre>
 * { "maxPulseVolts": 1.5, "maxReadVolts": 0.3, "minPulseWidth": "100ns", "maxPulseWidth": "10ms",
 *   "maxPulsesPerCommand": 10000, "maxPulseRateHz": 1e6, "complianceAmps": 1e-3, "minPulseVolts": 0.01 }
 * </pre>
 */
public record SafetyEnvelope(Limits limits) {
  public SafetyEnvelope {
    if (limits == null) throw new IllegalArgumentException("limits: null");
  }

  /** The widest envelope a board allows: its hardware limits. */
  public static SafetyEnvelope of(BoardInfo info) {
    return new SafetyEnvelope(info.hardwareLimits());
  }

  /**
   * Checks that this envelope lies within a board's hardware limits and returns it.
   *
   * @throws IllegalArgumentException naming the first limit that is wider
   */
  public SafetyEnvelope within(BoardInfo info) {
    String wider = limits.firstWiderThan(info.hardwareLimits());
    if (wider != null) {
      throw new IllegalArgumentException("safety envelope: " + wider + " (expected: within the hardware limits of board " + info.boardId() + ")");
    }
    return this;
  }

  /**
   * Reads a board profile JSON file. Errors name the file and the key; a missing, unreadable or malformed file is
   * bad input like a wrong key ({@link IllegalArgumentException}).
   */
  public static SafetyEnvelope load(Path file) throws IOException {
    JsonNode n;
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + ": " + (Files.isDirectory(file) ? "is a folder" : "no such file") + " (expected: a JSON board profile)");
    }
    try {
      n = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not a readable JSON board profile (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
    try {
      Limits.Builder b = Limits.builder()
          .maxPulseVolts(number(n, "maxPulseVolts"))
          .maxReadVolts(number(n, "maxReadVolts"))
          .minPulseWidthNanos(Durations.parseNanos(text(n, "minPulseWidth")))
          .maxPulseWidthNanos(Durations.parseNanos(text(n, "maxPulseWidth")))
          .maxPulsesPerCommand((int) number(n, "maxPulsesPerCommand"))
          .maxPulseRateHz(number(n, "maxPulseRateHz"))
          .complianceAmps(number(n, "complianceAmps"));
      if (n != null && n.has("minPulseVolts")) b.minPulseVolts(number(n, "minPulseVolts"));
      return new SafetyEnvelope(b.build());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  private static double number(JsonNode n, String key) {
    JsonNode v = n == null ? null : n.get(key);
    if (v == null || !v.isNumber()) throw new IllegalArgumentException(key + ": " + v + " (expected: a number)");
    return v.asDouble();
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = n == null ? null : n.get(key);
    if (v == null || !v.isTextual()) throw new IllegalArgumentException(key + ": " + v + " (expected: a duration such as \"100ns\")");
    return v.asText();
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%g", v);
  }

  /** Checks a read voltage (single-device reads): 0 < V <= maxReadVolts. */
  public void checkReadVolts(double volts) {
    if (!(volts > 0) || volts > limits.maxReadVolts()) {
      throw new EnvelopeViolationException("read voltage", fmt(volts) + " V", "0 < V <= " + fmt(limits.maxReadVolts()) + " V");
    }
  }

  /** Checks the input voltages of a forward or transpose read: |V| <= maxReadVolts, finite. */
  public void checkVectorVolts(String name, double[] volts) {
    if (volts == null) throw new IllegalArgumentException(name + ": null");
    double max = limits.maxReadVolts();
    for (int k = 0; k < volts.length; k++) {
      double v = volts[k];
      if (!(Math.abs(v) <= max)) {
        throw new EnvelopeViolationException("read voltage " + name + "[" + k + "]", fmt(v) + " V", "|V| <= " + fmt(max) + " V");
      }
    }
  }

  /**
   * Checks a pulse shape: amplitude (between the floor, the board's amplitude resolution, and the maximum: an
   * amplitude below the floor, such as a wrongly typed 4.9e-324 V, is refused, never rounded), width and rate.
   */
  public void checkPulse(Pulse p) {
    if (p == null) throw new IllegalArgumentException("pulse: null");
    if (!(p.amplitudeVolts() >= limits.minPulseVolts() && p.amplitudeVolts() <= limits.maxPulseVolts())) {
      throw new EnvelopeViolationException("pulse amplitude", fmt(p.amplitudeVolts()) + " V",
          fmt(limits.minPulseVolts()) + " V <= V <= " + fmt(limits.maxPulseVolts()) + " V");
    }
    if (p.widthNanos() < limits.minPulseWidthNanos() || p.widthNanos() > limits.maxPulseWidthNanos()) {
      throw new EnvelopeViolationException("pulse width", Durations.format(p.widthNanos()),
          Durations.format(limits.minPulseWidthNanos()) + " .. " + Durations.format(limits.maxPulseWidthNanos()));
    }
    if (!(p.rateHz() <= limits.maxPulseRateHz())) {
      throw new EnvelopeViolationException("pulse rate", fmt(p.rateHz()) + " Hz (period " + Durations.format(p.periodNanos()) + ")",
          "<= " + fmt(limits.maxPulseRateHz()) + " Hz");
    }
  }

  /** Checks a pulse train: the shape and the count. */
  public void checkPulses(Pulse p, int count) {
    checkPulse(p);
    if (count < 1 || count > limits.maxPulsesPerCommand()) {
      throw new EnvelopeViolationException("pulse count", Integer.toString(count), "1 .. " + limits.maxPulsesPerCommand());
    }
  }

  /**
   * Checks one source-measure operation: |V| <= maxPulseVolts, the duration within the pulse-width range, and
   * the compliance 0 < I <= complianceAmps (mandatory: a missing or non-positive compliance is refused).
   */
  public void checkSource(double volts, long durationNanos, double complianceAmps) {
    if (!(Math.abs(volts) <= limits.maxPulseVolts())) {
      throw new EnvelopeViolationException("source voltage", fmt(volts) + " V", "|V| <= " + fmt(limits.maxPulseVolts()) + " V");
    }
    checkSourceTiming(durationNanos, complianceAmps);
  }

  private void checkSourceTiming(long durationNanos, double complianceAmps) {
    if (durationNanos < limits.minPulseWidthNanos() || durationNanos > limits.maxPulseWidthNanos()) {
      throw new EnvelopeViolationException("source duration", Durations.format(durationNanos),
          Durations.format(limits.minPulseWidthNanos()) + " .. " + Durations.format(limits.maxPulseWidthNanos()));
    }
    if (!(complianceAmps > 0) || complianceAmps > limits.complianceAmps()) {
      throw new EnvelopeViolationException("current compliance", fmt(complianceAmps) + " A", "0 < I <= " + fmt(limits.complianceAmps()) + " A");
    }
  }

  /**
   * Checks a sweep: every level as {@link #checkSource}, the step duration and compliance, the number of points
   * (at most maxPulsesPerCommand) and, for a pulsed sweep, the pulse rate.
   */
  public void checkSweep(Sweep s) {
    if (s == null) throw new IllegalArgumentException("sweep: null");
    double[] v = s.levelsVolts();
    for (int i = 0; i < v.length; i++) {
      if (!(Math.abs(v[i]) <= limits.maxPulseVolts())) {
        throw new EnvelopeViolationException("sweep level " + i, fmt(v[i]) + " V", "|V| <= " + fmt(limits.maxPulseVolts()) + " V");
      }
    }
    checkSourceTiming(s.stepNanos(), s.complianceAmps());
    if (s.points() > limits.maxPulsesPerCommand()) {
      throw new EnvelopeViolationException("sweep points", Integer.toString(s.points()), "1 .. " + limits.maxPulsesPerCommand());
    }
    if (s.pulsed()) {
      double rate = 1e9 / ((double) s.stepNanos() + s.offNanos());
      if (!(rate <= limits.maxPulseRateHz())) {
        throw new EnvelopeViolationException("sweep pulse rate", fmt(rate) + " Hz", "<= " + fmt(limits.maxPulseRateHz()) + " Hz");
      }
    }
  }

  /** Checks an update program: both pulse shapes (a program gives each device at most BL pulses). */
  public void checkUpdate(StochasticUpdate u) {
    checkPulse(u.up());
    checkPulse(u.down());
    if (u.bitLength() > limits.maxPulsesPerCommand()) {
      throw new EnvelopeViolationException("update bit length (pulses per device)", Integer.toString(u.bitLength()), "1 .. " + limits.maxPulsesPerCommand());
    }
  }
}
