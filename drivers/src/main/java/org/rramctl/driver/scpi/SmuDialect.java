package org.rramctl.driver.scpi;

import java.util.List;
import java.util.Locale;
import org.rramctl.driver.Limits;

/**
 * The command language of one instrument family: what to send to configure, pulse, measure, check the
 * error queue and shut down. Pure string building and parsing; {@link SmuDriver} does the I/O.
 * Channel 0 is the active device (the 2400's only channel, the 2600's smua), channel 1 the reference
 * device (the 2600's smub).
 */
public sealed interface SmuDialect permits SmuDialect.K2400, SmuDialect.K2600 {
  /** Family name, e.g. "2400". */
  String family();

  /** How many device channels the instrument has. */
  int channels();

  /** The instrument's real limits (source range, compliance, the fastest pulse it can make). */
  Limits limits();

  /** Lines that reset, configure voltage sourcing and current sensing, and set the compliance; output stays off. */
  List<String> configure(double complianceAmps);

  /** A line that applies {@code volts}, measures the current and leaves the output off; its reply is the current. */
  String measure(int channel, double volts);

  /** Lines for {@code count} pulses of {@code volts} (signed) and {@code widthNanos}; the last one is a query whose reply is ignored. */
  List<String> pulses(int channel, double volts, long widthNanos, int count);

  /** Parses a measured current, amperes. */
  double parseCurrent(String reply);

  /**
   * Lines that apply {@code volts} for {@code durationNanos} with the current limited to {@code complianceAmps},
   * measure the current at the end, and leave the output off at 0 V with the standing compliance restored; the
   * last line is a query whose reply is the current.
   */
  List<String> source(int channel, double volts, long durationNanos, double complianceAmps, double standingComplianceAmps);

  /** Most levels one native sweep command holds (longer sweeps are sent in parts). */
  int maxSweepPoints();

  /**
   * Lines for a native sweep of {@code levels} (at most {@link #maxSweepPoints()}): each level held for
   * {@code stepNanos} and measured at its end; a staircase keeps the output on ({@code offNanos == 0}), a pulsed
   * sweep returns to 0 V for {@code offNanos} between levels. Ends with the output off at 0 V and the standing
   * compliance restored; the last line is a query whose reply holds the currents, comma separated.
   */
  List<String> sweep(int channel, double[] levels, long stepNanos, long offNanos, double complianceAmps, double standingComplianceAmps);

  /** Parses the reply of a {@link #sweep} query: {@code n} currents, amperes. */
  default double[] parseCurrents(String reply, int n) {
    String[] f = reply.split("[,\\s]+");
    java.util.List<Double> out = new java.util.ArrayList<>();
    for (String x : f) if (!x.isBlank()) out.add(Double.parseDouble(x.trim()));
    if (out.size() != n) throw new IllegalArgumentException("sweep reply: " + out.size() + " currents (expected: " + n + ")");
    double[] a = new double[n];
    for (int i = 0; i < n; i++) a[i] = out.get(i);
    return a;
  }

  /** Comma-separated levels for a list command. */
  static String list(double[] levels) {
    StringBuilder b = new StringBuilder();
    for (double x : levels) b.append(b.length() == 0 ? "" : ",").append(v(x));
    return b.toString();
  }

  /** The query that returns the next error. */
  String nextError();

  /** Parses a {@link #nextError()} reply into code and message; code 0 means no error. */
  Error parseError(String reply);

  /** Lines that ramp the source from {@code fromVolts} to 0 V in steps and switch every output off. */
  List<String> shutdown(double fromVolts);

  /** An instrument error entry. */
  record Error(int code, String message) {}

  static String v(double x) {
    return String.format(Locale.ROOT, "%.6g", x);
  }

  /** Ramp levels from a voltage down to 0 in four steps. */
  static double[] ramp(double from) {
    return new double[] {0.75 * from, 0.5 * from, 0.25 * from, 0};
  }

  /**
   * Keithley 2400 series, SCPI. Pulses are source-delay-measure cycles with automatic output-off after
   * each ({@code :SOUR:CLE:AUTO ON}): the source is applied for the source delay plus one integration of
   * 0.01 PLC (about 0.2 ms), then the output opens. The shortest pulse this gives is about 0.5 ms per
   * cycle on a real 2400 (trigger latency and integration), so the minimum width is stated as 500 us.
   */
  record K2400() implements SmuDialect {
    static final long INTEGRATION_NANOS = 200_000;

    @Override
    public String family() {
      return "2400";
    }

    @Override
    public int channels() {
      return 1;
    }

    @Override
    public Limits limits() {
      return Limits.builder()
          .maxPulseVolts(210)
          .maxReadVolts(210)
          .minPulseWidthNanos(500_000)
          .maxPulseWidthNanos(9_999_000_000L)
          .maxPulsesPerCommand(2500)
          .maxPulseRateHz(1000)
          .complianceAmps(1.05)
          .build();
    }

    @Override
    public List<String> configure(double complianceAmps) {
      return List.of("*RST", "*CLS", ":SOUR:FUNC VOLT", ":SOUR:VOLT:MODE FIXED", ":SENS:FUNC \"CURR\"",
          ":SENS:CURR:PROT " + v(complianceAmps), ":SENS:CURR:NPLC 0.01", ":FORM:ELEM CURR", ":SOUR:VOLT:LEV 0", ":SOUR:CLE:AUTO ON");
    }

    @Override
    public String measure(int channel, double volts) {
      return ":SOUR:DEL 0;:TRIG:COUN 1;:SOUR:VOLT:LEV " + v(volts) + ";:READ?";
    }

    @Override
    public List<String> pulses(int channel, double volts, long widthNanos, int count) {
      double delaySeconds = Math.max(0, widthNanos - INTEGRATION_NANOS) / 1e9;
      return List.of(":SOUR:DEL " + v(delaySeconds) + ";:TRIG:COUN " + count + ";:SOUR:VOLT:LEV " + v(volts),
          ":READ?;:SOUR:VOLT:LEV 0;:TRIG:COUN 1;:SOUR:DEL 0");
    }

    @Override
    public double parseCurrent(String reply) {
      return Double.parseDouble(reply.split(",")[0].trim());
    }

    @Override
    public List<String> source(int channel, double volts, long durationNanos, double complianceAmps, double standingComplianceAmps) {
      double delaySeconds = Math.max(0, durationNanos - INTEGRATION_NANOS) / 1e9;
      return List.of(":SENS:CURR:PROT " + v(complianceAmps) + ";:SOUR:DEL " + v(delaySeconds) + ";:TRIG:COUN 1;:SOUR:VOLT:LEV " + v(volts),
          ":READ?;:SOUR:VOLT:LEV 0;:SOUR:DEL 0;:SENS:CURR:PROT " + v(standingComplianceAmps));
    }

    /** The 2400's source list holds 100 points. */
    @Override
    public int maxSweepPoints() {
      return 100;
    }

    /**
     * A list sweep ({@code :SOUR:VOLT:MODE LIST}) of source-delay-measure cycles. Staircase: automatic output-off
     * disabled and the output on for the whole list. Pulsed: automatic output-off after each cycle, the trigger delay
     * being the time at 0 V (output off) before the next.
     */
    @Override
    public List<String> sweep(int channel, double[] levels, long stepNanos, long offNanos, double complianceAmps, double standingComplianceAmps) {
      double delaySeconds = Math.max(0, stepNanos - INTEGRATION_NANOS) / 1e9;
      String setup = ":SENS:CURR:PROT " + v(complianceAmps) + ";:SOUR:VOLT:MODE LIST;:SOUR:LIST:VOLT " + list(levels) + ";:TRIG:COUN " + levels.length
          + ";:SOUR:DEL " + v(delaySeconds);
      String restore = ";:SOUR:VOLT:MODE FIXED;:SOUR:VOLT:LEV 0;:SOUR:DEL 0;:TRIG:DEL 0;:TRIG:COUN 1;:SENS:CURR:PROT " + v(standingComplianceAmps);
      if (offNanos > 0) {
        return List.of(setup + ";:TRIG:DEL " + v(offNanos / 1e9) + ";:SOUR:CLE:AUTO ON", ":READ?" + restore);
      }
      return List.of(setup + ";:TRIG:DEL 0;:SOUR:CLE:AUTO OFF;:OUTP ON", ":READ?;:OUTP OFF;:SOUR:CLE:AUTO ON" + restore);
    }

    @Override
    public String nextError() {
      return ":SYST:ERR?";
    }

    @Override
    public Error parseError(String reply) {
      int comma = reply.indexOf(',');
      int code = Integer.parseInt(reply.substring(0, comma).trim().replace("+", ""));
      return new Error(code, reply.substring(comma + 1).trim().replace("\"", ""));
    }

    @Override
    public List<String> shutdown(double fromVolts) {
      java.util.ArrayList<String> out = new java.util.ArrayList<>();
      for (double r : ramp(fromVolts)) out.add(":SOUR:VOLT:LEV " + v(r));
      out.add(":OUTP OFF");
      return out;
    }
  }

  /**
   * Keithley 2600B series, TSP. Pulses use the trigger model: a one-point source list at the pulse
   * level, timer 1 ending each pulse after the width (end-pulse action SOURCE_IDLE returns to the 0 V
   * bias), trigger count = pulses; the output is on only around the train. The shortest pulse is stated as
   * 100 us (the 2600B's pulse-mode minimum); the rate limit leaves at least 100 us idle between pulses.
   */
  record K2600() implements SmuDialect {
    @Override
    public String family() {
      return "2600";
    }

    @Override
    public int channels() {
      return 2;
    }

    @Override
    public Limits limits() {
      return Limits.builder()
          .maxPulseVolts(40)
          .maxReadVolts(40)
          .minPulseWidthNanos(100_000)
          .maxPulseWidthNanos(1_000_000_000L)
          .maxPulsesPerCommand(100_000)
          .maxPulseRateHz(5000)
          .complianceAmps(1.5)
          .build();
    }

    private static String smu(int channel) {
      return channel == 0 ? "smua" : "smub";
    }

    @Override
    public List<String> configure(double complianceAmps) {
      java.util.ArrayList<String> out = new java.util.ArrayList<>();
      out.add("reset(); errorqueue.clear()");
      for (String s : List.of("smua", "smub")) {
        out.add(s + ".source.func = " + s + ".OUTPUT_DCVOLTS; " + s + ".source.limiti = " + v(complianceAmps) + "; " + s + ".measure.nplc = 0.01; "
            + s + ".source.levelv = 0; " + s + ".source.output = " + s + ".OUTPUT_OFF");
      }
      return out;
    }

    @Override
    public String measure(int channel, double volts) {
      String s = smu(channel);
      return s + ".source.levelv = " + v(volts) + "; " + s + ".source.output = " + s + ".OUTPUT_ON; print(" + s + ".measure.i()); "
          + s + ".source.output = " + s + ".OUTPUT_OFF; " + s + ".source.levelv = 0";
    }

    @Override
    public List<String> pulses(int channel, double volts, long widthNanos, int count) {
      String s = smu(channel);
      return List.of(
          s + ".source.levelv = 0; " + s + ".trigger.source.listv({" + v(volts) + "}); " + s + ".trigger.source.action = " + s + ".ENABLE; "
              + s + ".trigger.measure.action = " + s + ".DISABLE",
          "trigger.timer[1].delay = " + v(widthNanos / 1e9) + "; trigger.timer[1].count = 1; trigger.timer[1].passthrough = false; "
              + "trigger.timer[1].stimulus = " + s + ".trigger.SOURCE_COMPLETE_EVENT_ID",
          s + ".trigger.endpulse.action = " + s + ".SOURCE_IDLE; " + s + ".trigger.endpulse.stimulus = trigger.timer[1].EVENT_ID; "
              + s + ".trigger.count = " + count + "; " + s + ".trigger.arm.count = 1",
          s + ".source.output = " + s + ".OUTPUT_ON; " + s + ".trigger.initiate(); waitcomplete(); " + s + ".source.output = " + s + ".OUTPUT_OFF; print(1)");
    }

    @Override
    public double parseCurrent(String reply) {
      return Double.parseDouble(reply.trim());
    }

    @Override
    public List<String> source(int channel, double volts, long durationNanos, double complianceAmps, double standingComplianceAmps) {
      String s = smu(channel);
      return List.of(s + ".source.limiti = " + v(complianceAmps) + "; " + s + ".measure.delay = " + v(durationNanos / 1e9) + "; " + s + ".source.levelv = " + v(volts)
          + "; " + s + ".source.output = " + s + ".OUTPUT_ON; print(" + s + ".measure.i()); " + s + ".source.output = " + s + ".OUTPUT_OFF; "
          + s + ".source.levelv = 0; " + s + ".measure.delay = 0; " + s + ".source.limiti = " + v(standingComplianceAmps));
    }

    /** Kept at 100 per command so a line stays short; the trigger model itself takes longer lists. */
    @Override
    public int maxSweepPoints() {
      return 100;
    }

    /**
     * A trigger-model list sweep measuring into {@code nvbuffer1}: each level held for the measure delay, then
     * measured; staircase with end-pulse action SOURCE_HOLD, pulsed with SOURCE_IDLE and timer 1 as the off time
     * before the next level. The buffer is printed at the end.
     */
    @Override
    public List<String> sweep(int channel, double[] levels, long stepNanos, long offNanos, double complianceAmps, double standingComplianceAmps) {
      String s = smu(channel);
      String timing = offNanos > 0
          ? "trigger.timer[1].delay = " + v(offNanos / 1e9) + "; trigger.timer[1].count = 1; trigger.timer[1].passthrough = false; "
              + "trigger.timer[1].stimulus = " + s + ".trigger.PULSE_COMPLETE_EVENT_ID; " + s + ".trigger.source.stimulus = trigger.timer[1].EVENT_ID; "
              + s + ".trigger.endpulse.action = " + s + ".SOURCE_IDLE"
          : s + ".trigger.source.stimulus = 0; " + s + ".trigger.endpulse.action = " + s + ".SOURCE_HOLD";
      return List.of(
          s + ".source.levelv = 0; " + s + ".source.limiti = " + v(complianceAmps) + "; " + s + ".trigger.source.limiti = " + v(complianceAmps) + "; "
              + s + ".measure.delay = " + v(stepNanos / 1e9) + "; " + s + ".nvbuffer1.clear(); " + s + ".trigger.source.listv({" + list(levels) + "})",
          s + ".trigger.source.action = " + s + ".ENABLE; " + s + ".trigger.measure.action = " + s + ".ENABLE; " + s + ".trigger.measure.i(" + s + ".nvbuffer1); "
              + s + ".trigger.endsweep.action = " + s + ".SOURCE_IDLE; " + s + ".trigger.count = " + levels.length + "; " + s + ".trigger.arm.count = 1",
          timing,
          s + ".source.output = " + s + ".OUTPUT_ON; " + s + ".trigger.initiate(); waitcomplete(); " + s + ".source.output = " + s + ".OUTPUT_OFF; "
              + s + ".source.levelv = 0; " + s + ".measure.delay = 0; " + s + ".source.limiti = " + v(standingComplianceAmps) + "; "
              + s + ".trigger.source.stimulus = 0; printbuffer(1, " + levels.length + ", " + s + ".nvbuffer1.readings)");
    }

    @Override
    public String nextError() {
      return "print(errorqueue.next())";
    }

    @Override
    public Error parseError(String reply) {
      String[] parts = reply.split("\t");
      int code = (int) Double.parseDouble(parts[0].trim());
      return new Error(code, parts.length > 1 ? parts[1].trim() : "");
    }

    @Override
    public List<String> shutdown(double fromVolts) {
      java.util.ArrayList<String> out = new java.util.ArrayList<>();
      for (double r : ramp(fromVolts)) out.add("smua.source.levelv = " + v(r) + "; smub.source.levelv = " + v(r));
      out.add("smua.source.output = smua.OUTPUT_OFF; smub.source.output = smub.OUTPUT_OFF");
      return out;
    }
  }

  /** Chooses the dialect from an {@code *IDN?} answer. */
  static SmuDialect fromIdn(String idn) {
    String u = idn.toUpperCase(Locale.ROOT);
    if (u.contains("MODEL 24")) return new K2400();
    if (u.contains("MODEL 26")) return new K2600();
    throw new IllegalArgumentException("instrument: '" + idn + "' (expected: a Keithley 2400 or 2600B series *IDN? answer)");
  }
}
