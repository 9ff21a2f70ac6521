package org.rramctl.sim.scpi;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/**
 * A simulated Keithley source-measure unit measuring emulated soft-bound RRAM devices: the instrument
 * side of the SCPI driver, line in, reply out, with no I/O of its own (a pty or a test wires it up).
 *
 * <p>{@link Model#K2400}: SCPI, one channel, one device. {@link Model#K2600}: TSP (Lua statements
 * separated by ';'), two channels: smua measures the active device, smub its reference device.
 * Both keep an error queue; unknown commands and bad values are queued as errors (SCPI -113 / -224 /
 * -222, TSP -285 / -286), never answered, as a real instrument does. Compliance is enforced: a
 * measured current beyond the limit reads as the limit. A voltage at or above the device's switching
 * threshold while the output is on programs the device (UP for positive, DOWN for negative), for the time
 * it is applied: the source delay of the 2400's source-delay-measure cycle, the timer delay of the 2600's
 * trigger-model pulse.
 *
 * <p>Not thread-safe: one serving thread.
 */
public final class VirtualSmu {
  /** Which instrument to simulate. */
  public enum Model {
    K2400("KEITHLEY INSTRUMENTS INC.,MODEL 2400,RRAMCTL-VIRTUAL,C32 virtual"),
    K2600("Keithley Instruments Inc., Model 2602B, RRAMCTL-VIRTUAL, 3.3.5 virtual");

    final String idn;

    Model(String idn) {
      this.idn = idn;
    }

    public static Model parse(String s) {
      return switch (s.trim()) {
        case "2400" -> K2400;
        case "2600", "2602", "2602B" -> K2600;
        default -> throw new IllegalArgumentException("model: '" + s + "' (expected: 2400 or 2600)");
      };
    }
  }

  /** Largest compliance the simulated instruments accept, amperes. */
  static final double MAX_COMPLIANCE = 1.0;
  /** Largest source voltage, volts. */
  static final double MAX_VOLTS = 20.0;
  /** Time a 2400 source-delay-measure cycle applies the source beyond the delay (integration), seconds. */
  static final double MEASURE_SECONDS = 200e-6;

  private final Model model;
  private final EmulatorDriver device;
  private final Deque<String> errors = new ArrayDeque<>();
  private final Channel[] channels = {new Channel(), new Channel()};
  private final Map<String, String> tsp = new HashMap<>();
  private final List<String> log = new ArrayList<>();
  private long pulsesApplied;

  /** Per-channel source state. */
  private static final class Channel {
    double level;
    double compliance = 1e-4;
    boolean output;
    boolean sourceIsVolts = true;
    /** TSP {@code measure.delay}: how long the level is held before a measurement, seconds. */
    double measureDelay;
    /** TSP {@code nvbuffer1}: readings of trigger-model sweeps. */
    final List<Double> buffer = new ArrayList<>();
  }

  /**
   * @param model instrument to simulate
   * @param preset device model; its nominal pulse should be SMU-scale (about 1 ms)
   * @param seed device and noise seed
   */
  public VirtualSmu(Model model, DevicePreset preset, long seed) {
    this.model = model;
    this.device = EmulatorDriver.open(preset, List.of(new int[] {1, 1}), seed);
  }

  /** The emulated devices behind the probes (tests read the truth through it). */
  public EmulatorDriver device() {
    return device;
  }

  public Model model() {
    return model;
  }

  /** Every command line received, in order (for tests that check command order on the wire). */
  public List<String> log() {
    return List.copyOf(log);
  }

  /** Output state of a channel (0 = smua / the 2400, 1 = smub). */
  public boolean outputOn(int channel) {
    return channels[channel].output;
  }

  public double sourceLevel(int channel) {
    return channels[channel].level;
  }

  public long pulsesApplied() {
    return pulsesApplied;
  }

  /**
   * Handles one line from the host.
   *
   * @return the reply line (without terminator), or null when the line produces no output
   */
  public String handle(String line) {
    log.add(line);
    StringBuilder out = new StringBuilder();
    for (String stmt : split(line)) {
      String s = stmt.trim();
      if (s.isEmpty()) continue;
      String reply = model == Model.K2400 ? scpi(s) : tspStatement(s);
      if (reply != null) {
        if (out.length() > 0) out.append(model == Model.K2400 ? ";" : "\n");
        out.append(reply);
      }
    }
    return out.length() == 0 ? null : out.toString();
  }

  /** Splits on ';' outside quotes, parentheses and braces. */
  private static List<String> split(String line) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"' || c == '\'') quoted = !quoted;
      else if (!quoted && (c == '(' || c == '{')) depth++;
      else if (!quoted && (c == ')' || c == '}')) depth--;
      else if (!quoted && depth == 0 && c == ';') {
        parts.add(line.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(line.substring(start));
    return parts;
  }

  private void error(int code, String message) {
    if (errors.size() < 30) errors.add(code + ",\"" + message + "\"");
  }

  // ---------------------------------------------------------------- physics

  private Cell cell(int channel) {
    return channel == 0 ? Cell.active(0, 0, 0) : Cell.reference(0, 0, 0);
  }

  /** Applies the channel's level for {@code seconds}: programs the device when above threshold. */
  private void apply(int channel, double volts, double seconds) {
    double mag = Math.abs(volts);
    if (mag < device.preset().thresholdVolts() || seconds <= 0) return;
    long widthNanos = Math.max(1, Math.round(seconds * 1e9));
    Pulse p = new Pulse(Polarity.ofSign(volts), mag, widthNanos, widthNanos);
    try {
      device.pulse(cell(channel), p, 1);
      pulsesApplied++;
    } catch (IllegalArgumentException e) {
      // Outside what the emulated device accepts (e.g. wider than its hardware limit): the source ran but
      // the emulator cannot represent it; queue an instrument error rather than pretend.
      error(-222, "Data out of range");
    }
  }

  /**
   * One source-measure point: {@code volts} held for {@code seconds}, then the current. With a preset that has
   * switching physics the emulated device is driven through its source-measure role (forming, compliance-limited
   * SET, sinh I-V) under the channel's compliance; otherwise as before: a pulse above threshold, then the ohmic
   * reading of {@link #measure}.
   */
  private double point(int channel, double volts, double seconds) {
    if (device.preset().switching() == null) {
      apply(channel, volts, seconds);
      return measure(channel, volts);
    }
    double compliance = Math.min(channels[channel].compliance, EmulatorDriver.HARDWARE_LIMITS.complianceAmps());
    long left = Math.max(EmulatorDriver.HARDWARE_LIMITS.minPulseWidthNanos(), Math.round(seconds * 1e9));
    double amps = 0;
    try {
      while (left > 0) {
        long part = Math.min(left, EmulatorDriver.HARDWARE_LIMITS.maxPulseWidthNanos());
        if (left - part > 0 && left - part < EmulatorDriver.HARDWARE_LIMITS.minPulseWidthNanos()) part -= EmulatorDriver.HARDWARE_LIMITS.minPulseWidthNanos();
        amps = device.source(cell(channel), volts, part, compliance);
        left -= part;
      }
      pulsesApplied++;
    } catch (IllegalArgumentException e) {
      // Beyond what the emulated device accepts (e.g. above its 3 V): queue an instrument error rather than pretend.
      error(-222, "Data out of range");
    }
    return amps;
  }

  /** Measures the current at the channel's level, amperes, with compliance. */
  private double measure(int channel) {
    return measure(channel, channels[channel].level);
  }

  /** Measures the current at {@code v}, amperes, with the channel's compliance (ohmic, read through the emulator). */
  private double measure(int channel, double v) {
    Channel ch = channels[channel];
    double i;
    if (v == 0) {
      i = 0;
    } else {
      double g = device.read(cell(channel), Math.min(Math.abs(v), EmulatorDriver.HARDWARE_LIMITS.maxReadVolts()));
      i = g * v;
    }
    if (Math.abs(i) > ch.compliance) i = Math.copySign(ch.compliance, i);
    return i;
  }

  // ---------------------------------------------------------------- 2400 SCPI

  private double sourceDelay;
  private boolean autoClear;
  private int triggerCount = 1;
  /** {@code :SOUR:VOLT:MODE LIST} with the levels of {@code :SOUR:LIST:VOLT}; null in FIXED mode. */
  private boolean listMode;
  private double[] sourceList = new double[0];

  /** One 2400 command: its argument text (empty when none) in, its reply line out, null when it has none. */
  @FunctionalInterface
  private interface ScpiCommand {
    String run(String arg);
  }

  /** The 2400's commands by canonical short-form header ({@link #canonical}); any other header is -113. */
  private final Map<String, ScpiCommand> scpiCommands = scpiCommands();

  private Map<String, ScpiCommand> scpiCommands() {
    Map<String, ScpiCommand> t = new HashMap<>();
    t.put("*IDN?", arg -> model.idn);
    t.put("*RST", statement(arg -> reset2400()));
    t.put("*CLS", statement(arg -> errors.clear()));
    t.put("*OPC?", arg -> "1");
    t.put("SOUR:FUNC", statement(this::sourceFunction));
    t.put("SOUR:VOLT:MODE", statement(this::voltageMode));
    t.put("SOUR:LIST:VOLT", statement(this::sourceList));
    t.put("TRIG:DEL", statement(this::triggerDelay));
    for (String accepted : new String[] {"SOUR:VOLT:RANG", "SOUR:VOLT:RANG:AUTO", "SENS:CURR:NPLC", "SENS:CURR:RANG:AUTO", "FORM:ELEM",
        "SENS:FUNC:CONC", "SYST:BEEP:STAT", "SENS:CURR:RANG"}) {
      t.put(accepted, statement(arg -> { })); // settings that change nothing the simulation models
    }
    t.put("SENS:FUNC", statement(this::senseFunction));
    put(t, statement(this::voltageLevel), "SOUR:VOLT:LEV", "SOUR:VOLT", "SOUR:VOLT:LEV:IMM:AMPL");
    put(t, statement(this::compliance), "SENS:CURR:PROT", "SENS:CURR:PROT:LEV");
    t.put("SOUR:DEL", statement(this::sourceDelay));
    t.put("SOUR:CLE:AUTO", statement(this::autoClear));
    t.put("TRIG:COUN", statement(this::triggerCount));
    put(t, statement(this::output), "OUTP", "OUTP:STAT");
    put(t, arg -> channels[0].output ? "1" : "0", "OUTP?", "OUTP:STAT?");
    put(t, statement(arg -> channels[0].output = false), "SOUR:CLE", "SOUR:CLE:IMM");
    t.put("READ?", arg -> read());
    put(t, arg -> nextError(), "SYST:ERR?", "SYST:ERR:NEXT?");
    return Map.copyOf(t);
  }

  private static void put(Map<String, ScpiCommand> table, ScpiCommand command, String... headers) {
    for (String h : headers) table.put(h, command);
  }

  /** A command with no reply. */
  private static ScpiCommand statement(java.util.function.Consumer<String> action) {
    return arg -> {
      action.accept(arg);
      return null;
    };
  }

  private String scpi(String s) {
    String upper = s.toUpperCase(Locale.ROOT);
    int sp = upper.indexOf(' ');
    String header = (sp < 0 ? upper : upper.substring(0, sp)).replaceFirst("^:", "");
    String arg = sp < 0 ? "" : s.substring(sp + 1).trim();
    ScpiCommand command = scpiCommands.get(canonical(header));
    if (command == null) {
      error(-113, "Undefined header");
      return null;
    }
    return command.run(arg);
  }

  private void reset2400() {
    Channel ch = channels[0];
    ch.level = 0;
    ch.output = false;
    ch.compliance = 1.05e-4;
    sourceDelay = 0;
    autoClear = false;
    triggerCount = 1;
    listMode = false;
    sourceList = new double[0];
  }

  private void sourceFunction(String arg) {
    if (!arg.toUpperCase(Locale.ROOT).startsWith("VOLT")) error(-224, "Illegal parameter value");
  }

  private void senseFunction(String arg) {
    if (!arg.toUpperCase(Locale.ROOT).contains("CURR")) error(-224, "Illegal parameter value");
  }

  private void voltageMode(String arg) {
    String m = arg.toUpperCase(Locale.ROOT);
    if (m.startsWith("LIST")) listMode = true;
    else if (m.startsWith("FIX")) listMode = false;
    else error(-224, "Illegal parameter value");
  }

  private void sourceList(String arg) {
    String[] parts = arg.split(",");
    if (parts.length > 100) {
      error(-223, "Too much data");
      return;
    }
    double[] l = levels(parts, -222, "Data out of range");
    if (l != null) sourceList = l;
  }

  /**
   * The levels of a source list, volts; null when one is not a number or beyond {@link #MAX_VOLTS}, with the error
   * queued (a bad number as {@link #number} queues it, a level out of range as {@code code} and {@code message}).
   */
  private double[] levels(String[] parts, int code, String message) {
    double[] l = new double[parts.length];
    for (int k = 0; k < parts.length; k++) {
      Double v = number(parts[k]);
      if (v == null) return null;
      if (Math.abs(v) > MAX_VOLTS) {
        error(code, message);
        return null;
      }
      l[k] = v;
    }
    return l;
  }

  /** Checked, not modelled: the simulated instrument triggers at once. */
  private void triggerDelay(String arg) {
    Double d = number(arg);
    if (d != null && (d < 0 || d > 999999.999)) error(-222, "Data out of range");
  }

  private void voltageLevel(String arg) {
    Double v = number(arg);
    if (v == null) return;
    if (Math.abs(v) > MAX_VOLTS) {
      error(-222, "Data out of range");
      return;
    }
    channels[0].level = v;
  }

  private void compliance(String arg) {
    Double a = number(arg);
    if (a == null) return;
    if (!(a > 0) || a > MAX_COMPLIANCE) {
      error(-222, "Data out of range");
      return;
    }
    channels[0].compliance = a;
  }

  private void sourceDelay(String arg) {
    Double d = number(arg);
    if (d == null) return;
    if (d < 0 || d > 9999.999) {
      error(-222, "Data out of range");
      return;
    }
    sourceDelay = d;
  }

  private void autoClear(String arg) {
    Boolean b = bool(arg);
    if (b != null) autoClear = b;
  }

  private void triggerCount(String arg) {
    Double n = number(arg);
    if (n == null) return;
    if (n < 1 || n > 2500 || n != Math.rint(n)) {
      error(-222, "Data out of range");
      return;
    }
    triggerCount = n.intValue();
  }

  private void output(String arg) {
    Boolean b = bool(arg);
    if (b != null) channels[0].output = b;
  }

  /** {@code READ?}: trigger-count source-delay-measure cycles (over the source list in LIST mode). */
  private String read() {
    Channel ch = channels[0];
    if (!ch.output && !autoClear) {
      error(803, "Output disabled");
      return null;
    }
    if (listMode && sourceList.length == 0) {
      error(-221, "Settings conflict: empty source list");
      return null;
    }
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < triggerCount; k++) {
      ch.output = true;
      double level = listMode ? sourceList[k % sourceList.length] : ch.level;
      double i = point(0, level, sourceDelay + MEASURE_SECONDS);
      if (autoClear) ch.output = false;
      if (k > 0) b.append(',');
      b.append(String.format(Locale.ROOT, "%+.6E", i));
    }
    return b.toString();
  }

  private String nextError() {
    String e = errors.poll();
    return e == null ? "0,\"No error\"" : e;
  }

  /** Long-form SCPI mnemonics to their short forms (":SOURce:VOLTage:LEVel" -> "SOUR:VOLT:LEV"). */
  private static String canonical(String header) {
    if (header.startsWith("*")) return header;
    StringBuilder b = new StringBuilder();
    boolean query = header.endsWith("?");
    String h = query ? header.substring(0, header.length() - 1) : header;
    for (String part : h.split(":")) {
      if (part.isEmpty()) continue;
      String p = part;
      // SCPI short form of a keyword longer than four letters: its first four, or three when the fourth is
      // a vowel (SOURce -> SOUR, DELay -> DEL, PROTection -> PROT); short keywords (MODE, FUNC) stay whole.
      if (part.length() > 4) {
        p = part.substring(0, 4);
        if ("AEIOU".indexOf(p.charAt(3)) >= 0) p = p.substring(0, 3);
      }
      if (b.length() > 0) b.append(':');
      b.append(p);
    }
    if (query) b.append('?');
    return b.toString();
  }

  private Double number(String arg) {
    try {
      return Double.parseDouble(arg.trim());
    } catch (NumberFormatException e) {
      error(model == Model.K2400 ? -224 : -286, model == Model.K2400 ? "Illegal parameter value" : "TSP Runtime error: bad number '" + arg + "'");
      return null;
    }
  }

  private Boolean bool(String arg) {
    return switch (arg.trim().toUpperCase(Locale.ROOT)) {
      case "ON", "1" -> Boolean.TRUE;
      case "OFF", "0" -> Boolean.FALSE;
      default -> {
        error(-224, "Illegal parameter value");
        yield null;
      }
    };
  }

  // ---------------------------------------------------------------- 2600 TSP

  private String tspStatement(String s) {
    if (s.equals("*IDN?")) return model.idn;
    if (s.startsWith("printbuffer(") && s.endsWith(")")) return printBuffer(s.substring(12, s.length() - 1));
    if (s.startsWith("print(") && s.endsWith(")")) return tspPrint(s.substring(6, s.length() - 1).trim());
    int eq = assignmentIndex(s);
    if (eq > 0) {
      tspAssign(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
      return null;
    }
    java.util.regex.Matcher listv = LISTV.matcher(s.replace(" ", ""));
    if (listv.matches()) {
      // The one call with an argument the driver uses: a one-level pulse list for the trigger model.
      tsp.put(listv.group(1) + ".trigger.source.listv", listv.group(2));
      return null;
    }
    switch (s.replace(" ", "")) {
      case "reset()", "smua.reset()", "smub.reset()" -> {
        for (Channel c : channels) {
          c.level = 0;
          c.output = false;
          c.compliance = 1e-4;
        }
        tsp.clear();
        return null;
      }
      case "errorqueue.clear()" -> {
        errors.clear();
        return null;
      }
      case "waitcomplete()", "opc()" -> {
        return null;
      }
      case "smua.nvbuffer1.clear()", "smub.nvbuffer1.clear()" -> {
        channels[s.startsWith("smua") ? 0 : 1].buffer.clear();
        return null;
      }
      case "smua.trigger.measure.i(smua.nvbuffer1)", "smub.trigger.measure.i(smub.nvbuffer1)" -> {
        tsp.put(s.substring(0, 4) + ".trigger.measure.buffer", "nvbuffer1");
        return null;
      }
      case "smua.trigger.initiate()" -> {
        initiate(0);
        return null;
      }
      case "smub.trigger.initiate()" -> {
        initiate(1);
        return null;
      }
      default -> {
        error(-285, "TSP Syntax error at line 1: unexpected symbol near '" + s + "'");
        return null;
      }
    }
  }

  private static final java.util.regex.Pattern LISTV = java.util.regex.Pattern.compile("(smua|smub)\\.trigger\\.source\\.listv\\(\\{([^}]+)\\}\\)");

  /** {@code printbuffer(1, n, smuX.nvbuffer1.readings)}: the first n readings, comma separated. */
  private String printBuffer(String args) {
    String[] a = args.split(",");
    if (a.length != 3 || !a[2].trim().matches("smu[ab]\\.nvbuffer1\\.readings")) {
      error(-286, "TSP Runtime error: printbuffer(1, n, smuX.nvbuffer1.readings) expected");
      return null;
    }
    List<Double> buf = channels[a[2].trim().startsWith("smua") ? 0 : 1].buffer;
    Double first = number(a[0]);
    Double last = number(a[1]);
    if (first == null || last == null) return null;
    if (first < 1 || last > buf.size() || last < first) {
      error(-286, "TSP Runtime error: index out of range (buffer holds " + buf.size() + ")");
      return null;
    }
    StringBuilder b = new StringBuilder();
    for (int k = first.intValue() - 1; k < last.intValue(); k++) b.append(b.length() == 0 ? "" : ", ").append(fmt(buf.get(k)));
    return b.toString();
  }

  private static int assignmentIndex(String s) {
    int eq = s.indexOf('=');
    if (eq <= 0 || (eq + 1 < s.length() && s.charAt(eq + 1) == '=')) return -1;
    return s.substring(0, eq).contains("(") ? -1 : eq;
  }

  private int channelOf(String name) {
    if (name.startsWith("smua.")) return 0;
    if (name.startsWith("smub.")) return 1;
    return -1;
  }

  private void tspAssign(String target, String value) {
    int c = channelOf(target);
    String smu = c == 0 ? "smua" : "smub";
    String key = c < 0 ? target : target.substring(5);
    if (c >= 0) {
      Channel ch = channels[c];
      switch (key) {
        case "source.func" -> {
          if (!value.equals(smu + ".OUTPUT_DCVOLTS") && !value.equals("1")) error(-286, "TSP Runtime error: only DC volts is simulated");
          ch.sourceIsVolts = true;
          return;
        }
        case "source.levelv" -> {
          Double v = number(value);
          if (v == null) return;
          if (Math.abs(v) > MAX_VOLTS) {
            error(-286, "TSP Runtime error: parameter value out of range");
            return;
          }
          ch.level = v;
          return;
        }
        case "source.limiti", "trigger.source.limiti" -> {
          Double a = number(value);
          if (a == null) return;
          if (!(a > 0) || a > MAX_COMPLIANCE) {
            error(-286, "TSP Runtime error: parameter value out of range");
            return;
          }
          ch.compliance = a;
          return;
        }
        case "source.output" -> {
          if (value.equals(smu + ".OUTPUT_ON") || value.equals("1")) ch.output = true;
          else if (value.equals(smu + ".OUTPUT_OFF") || value.equals("0")) ch.output = false;
          else error(-286, "TSP Runtime error: bad output value '" + value + "'");
          return;
        }
        case "measure.delay" -> {
          Double d = number(value);
          if (d == null) return;
          if (d < 0 || d > 1000) {
            error(-286, "TSP Runtime error: parameter value out of range");
            return;
          }
          ch.measureDelay = d;
          return;
        }
        case "source.rangev", "source.autorangev", "measure.nplc", "measure.autorangei", "measure.rangei", "trigger.source.action",
            "trigger.measure.action", "trigger.endpulse.action", "trigger.endsweep.action", "trigger.endpulse.stimulus", "trigger.count",
            "trigger.arm.count", "trigger.source.stimulus", "trigger.measure.stimulus", "sense" -> {
          tsp.put(smu + "." + key, value);
          return;
        }
        default -> {
          error(-286, "TSP Runtime error: attempt to index field '" + key + "'");
          return;
        }
      }
    }
    if (target.matches("trigger\\.timer\\[1\\]\\.(delay|count|passthrough|stimulus)")) {
      tsp.put(target, value);
      return;
    }
    error(-286, "TSP Runtime error: attempt to index a nil value near '" + target + "'");
  }

  private String tspPrint(String expr) {
    if (expr.matches("-?[0-9]+(\\.[0-9]*)?")) return fmt(Double.parseDouble(expr));
    switch (expr.replace(" ", "")) {
      case "smua.measure.i()" -> {
        return measured(0);
      }
      case "smub.measure.i()" -> {
        return measured(1);
      }
      case "smua.source.output" -> {
        return fmt(channels[0].output ? 1 : 0);
      }
      case "smub.source.output" -> {
        return fmt(channels[1].output ? 1 : 0);
      }
      case "errorqueue.count" -> {
        return fmt(errors.size());
      }
      case "errorqueue.next()" -> {
        String e = errors.poll();
        if (e == null) return "0.00000e+00\tQueue Is Empty\t0.00000e+00\t0.00000e+00";
        int comma = e.indexOf(',');
        return fmt(Double.parseDouble(e.substring(0, comma))) + "\t" + e.substring(comma + 2, e.length() - 1) + "\t2.00000e+00\t0.00000e+00";
      }
      default -> {
        error(-286, "TSP Runtime error: cannot print '" + expr + "'");
        return null;
      }
    }
  }

  private String measured(int channel) {
    Channel ch = channels[channel];
    if (!ch.output) {
      error(5065, "I/O error: output is off");
      return "nil";
    }
    if (device.preset().switching() == null && ch.measureDelay == 0) return fmt(measure(channel)); // a read: as before
    return fmt(point(channel, ch.level, ch.measureDelay + MEASURE_SECONDS));
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.5e", v);
  }

  /** Runs a trigger-model pulse train: count pulses at listv's level for the timer delay each. */
  private void initiate(int c) {
    String smu = c == 0 ? "smua" : "smub";
    Channel ch = channels[c];
    if ((smu + ".ENABLE").equals(tsp.get(smu + ".trigger.measure.action"))) {
      sweep(c);
      return;
    }
    String list = tsp.get(smu + ".trigger.source.listv");
    String delay = tsp.get("trigger.timer[1].delay");
    if (list == null || delay == null) {
      error(-286, "TSP Runtime error: trigger model not configured (listv and trigger.timer[1].delay)");
      return;
    }
    if (!ch.output) {
      error(5065, "I/O error: output is off");
      return;
    }
    Double level = number(list);
    Double seconds = number(delay);
    String countText = tsp.getOrDefault(smu + ".trigger.count", "1");
    Double count = number(countText);
    if (level == null || seconds == null || count == null) return;
    if (Math.abs(level) > MAX_VOLTS || seconds < 1e-6 || count < 1 || count > 100_000) {
      error(-286, "TSP Runtime error: parameter value out of range");
      return;
    }
    for (int k = 0; k < count.intValue(); k++) apply(c, level, seconds);
  }

  /**
   * A trigger-model sweep with measurement: each listed level (trigger.count of them, the list wrapping) held for
   * the measure delay, measured into nvbuffer1. SOURCE_IDLE as end-pulse action makes it pulsed (back to 0 V between
   * levels); the emulated device sees nothing at 0 V, so both run the same points.
   */
  private void sweep(int c) {
    String smu = c == 0 ? "smua" : "smub";
    Channel ch = channels[c];
    String list = tsp.get(smu + ".trigger.source.listv");
    if (list == null || !"nvbuffer1".equals(tsp.get(smu + ".trigger.measure.buffer"))) {
      error(-286, "TSP Runtime error: trigger model not configured (listv and trigger.measure.i(nvbuffer1))");
      return;
    }
    if (!ch.output) {
      error(5065, "I/O error: output is off");
      return;
    }
    String[] parts = list.split(",");
    double[] levels = levels(parts, -286, "TSP Runtime error: parameter value out of range");
    if (levels == null) return;
    Double count = number(tsp.getOrDefault(smu + ".trigger.count", "1"));
    if (count == null) return;
    if (count < 1 || count > 100_000) {
      error(-286, "TSP Runtime error: parameter value out of range");
      return;
    }
    for (int k = 0; k < count.intValue(); k++) {
      double i = point(c, levels[k % levels.length], ch.measureDelay + MEASURE_SECONDS);
      if (Math.abs(i) > ch.compliance) i = Math.copySign(ch.compliance, i);
      ch.buffer.add(i);
    }
  }

  /** Duration of a nominal SMU pulse for presets built for the virtual instrument. */
  public static final Duration NOMINAL_PULSE = Duration.ofMillis(1);
}
