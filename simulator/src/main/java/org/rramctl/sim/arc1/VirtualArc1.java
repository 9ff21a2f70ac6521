package org.rramctl.sim.arc1;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.arc1.Arc1Wire;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/**
 * A simulated ArC ONE: the board side of the ArC ONE command protocol ({@link Arc1Wire}) over emulated
 * soft-bound devices, bytes in and bytes out, with no I/O of its own ({@link VirtualArc1Server} serves it on a
 * pty or a socket). Reads answer {@code 1 / G} of the emulated device as a float32 (with the emulator's read
 * noise and ADC); pulses act through the soft-bound model at the commanded amplitude (its sign is the
 * polarity) and width.
 *
 * <p>As strict as a board should be: before the initialisation only reset, initialise and the version query
 * are served; a parameter that does not parse, an address outside the configured crossbar, a voltage beyond
 * 12 V or a zero width is logged as a protocol error and the command does nothing and answers nothing (the
 * host sees a timeout). Pulses the emulator cannot model (beyond its own amplitude and width limits) are
 * logged the same way. Unknown command codes are logged and ignored.
 *
 * <p>The CurveTracer job ({@code 201}, {@link Arc1Wire}) runs its cycles on each listed device through the emulator's
 * source-measure role: every level of {@link Arc1Wire#curveTracerCycle} is applied for the hold, the current measured,
 * and a triplet (level / current in ohms, the level, the hold in seconds) answered; three zeros end each cycle. The
 * current cut-off of the level's polarity is passed to the emulator as its compliance (the emulated ArC ONE holds the
 * current at the cut-off, as the emulator does for any board; whether the real firmware limits the current within a
 * step or only stops after it is not stated in ArC's host sources), and with {@code halt} 1 a cycle stops at the first
 * point held at its cut-off. A polarity without a cut-off (0) is driven at the emulator's largest compliance, standing
 * for the board's own output limit. At 0 V no current flows; the resistance answered there is the device's noise-free
 * one (finite, as libarc1 needs: it converts every resistance to an integer), so the host's level / resistance is 0 A.
 *
 * <p>Not thread-safe: one serving thread.
 */
public final class VirtualArc1 {
  /** The firmware version this board reports to the version query (its own numbering, not ArC's). */
  public static final int FIRMWARE_MAJOR = 1;
  public static final int FIRMWARE_MINOR = 0;
  /** Nominal pulse of presets driven at ArC ONE scale: 2.5 V / 100 us (libarc1's README example), threshold 1 V. */
  public static final double NOMINAL_VOLTS = 2.5;
  public static final long NOMINAL_WIDTH_NANOS = 100_000;
  public static final double THRESHOLD_VOLTS = 1.0;

  /** One command as the board parsed it: the exact bytes received for it and the exact bytes it answered. */
  public record Exchange(String code, byte[] received, byte[] answered) {}

  private final EmulatorDriver devices;
  private final int rows;
  private final int cols;
  private final List<String> errors = new ArrayList<>();
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final ByteArrayOutputStream commandBytes = new ByteArrayOutputStream();
  private final List<String> params = new ArrayList<>();
  private Consumer<Exchange> transcript = x -> {};
  private String code; // the command being collected, or null between commands
  private boolean initialised;
  private int words;
  private int bits;
  private double readVolts = 0.5;
  private int selectedWord;
  private int selectedBit;
  private long pulsesApplied;
  private long curveTracerPoints;

  /** The preset driven at ArC ONE scale: its nominal pulse becomes 2.5 V / 100 us, threshold 1 V. */
  public static DevicePreset arcScale(DevicePreset p) {
    return p.withNominalPulse(NOMINAL_VOLTS, NOMINAL_WIDTH_NANOS, THRESHOLD_VOLTS);
  }

  /**
   * @param preset device model (used as given: see {@link #arcScale})
   * @param rows word lines of the simulated crossbar, 1..32
   * @param cols bit lines, 1..32
   * @param seed device and noise seed
   */
  public VirtualArc1(DevicePreset preset, int rows, int cols, long seed) {
    if (rows < 1 || rows > Arc1Wire.MAX_LINES || cols < 1 || cols > Arc1Wire.MAX_LINES) {
      throw new IllegalArgumentException("geometry: " + rows + "x" + cols + " (expected: 1..32 x 1..32, an ArC ONE crossbar)");
    }
    this.rows = rows;
    this.cols = cols;
    this.devices = EmulatorDriver.open(preset, List.<int[]>of(new int[] {rows, cols}), seed);
  }

  /** The emulated devices (tests read the truth through it). */
  public EmulatorDriver devices() {
    return devices;
  }

  /** Receives every completed command with its bytes in and out, in order. */
  public void onExchange(Consumer<Exchange> c) {
    this.transcript = c == null ? x -> {} : c;
  }

  /** Protocol errors seen, oldest first. */
  public List<String> errors() {
    return List.copyOf(errors);
  }

  public boolean initialised() {
    return initialised;
  }

  public double readVolts() {
    return readVolts;
  }

  public long pulsesApplied() {
    return pulsesApplied;
  }

  /** Levels applied by CurveTracer jobs (each measured and answered). */
  public long curveTracerPoints() {
    return curveTracerPoints;
  }

  /** True between commands: no command is being collected or run, so every line is grounded. */
  public boolean idle() {
    return code == null;
  }

  /** Feeds bytes from the host; returns the bytes to answer (possibly none). */
  public byte[] feed(byte[] bytes, int offset, int len) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = offset; i < offset + len; i++) {
      byte b = bytes[i];
      commandBytes.write(b);
      if (b != '\n') {
        if (line.size() < 256) line.write(b);
        continue;
      }
      String text = line.toString(StandardCharsets.US_ASCII).replace("\r", "").trim();
      line.reset();
      int before = out.size();
      lineReceived(text, out);
      if (code == null) {
        byte[] all = out.toByteArray();
        byte[] answered = java.util.Arrays.copyOfRange(all, before, all.length);
        transcript.accept(new Exchange(lastCode, commandBytes.toByteArray(), answered));
        commandBytes.reset();
      }
    }
    return out.toByteArray();
  }

  private String lastCode;

  /** Parameters each command code takes; -1 for the read-all family, whose length depends on its first parameter. */
  private static int arity(String code) {
    return switch (code) {
      case Arc1Wire.RESET, Arc1Wire.FIRMWARE_VERSION -> 0;
      case Arc1Wire.INITIALISE -> 7;
      case Arc1Wire.SET_READ, Arc1Wire.SELECT, Arc1Wire.PULSE_SELECTED, Arc1Wire.READ_ONE -> 2;
      case Arc1Wire.PULSE_THEN_READ -> 4;
      case Arc1Wire.READ_ALL -> -1;
      case Arc1Wire.CURVE_TRACER -> -3;
      default -> -2;
    };
  }

  private void lineReceived(String text, ByteArrayOutputStream out) {
    if (code == null) {
      int n = arity(text);
      if (n == -2) {
        error("unknown command '" + text + "'");
        lastCode = text;
        return;
      }
      code = text;
      params.clear();
      if (n == 0) execute(out);
      return;
    }
    params.add(text);
    int n = arity(code);
    if (n == -3) {
      curveTracerLine(out);
      return;
    }
    if (n == -1) {
      // "2" then "1" words bits (all), or "2" then "2" 32 32 count, then count word/bit pairs.
      if (params.size() == 1 && !params.get(0).equals("1") && !params.get(0).equals("2")) {
        error("read-all mode '" + params.get(0) + "' (expected: 1 or 2)");
        code = null;
        lastCode = Arc1Wire.READ_ALL;
        return;
      }
      if (params.get(0).equals("1") && params.size() == 3) execute(out);
      else if (params.get(0).equals("2") && params.size() >= 4) {
        Integer count = integer(params.get(3), 0, rows * cols);
        if (count == null) {
          error("masked read count '" + params.get(3) + "'");
          finish();
        } else if (params.size() > 4 && (params.size() - 4) % 2 == 0) {
          Integer w = integer(params.get(params.size() - 2), 1, words);
          Integer b = integer(params.get(params.size() - 1), 1, bits);
          if (w == null || b == null) error("masked read address " + params.get(params.size() - 2) + "," + params.get(params.size() - 1));
          else out.writeBytes(Arc1Wire.float32(ohms(w, b)));
          if ((params.size() - 4) / 2 == count) finish();
        } else if (count == 0) {
          finish();
        }
      }
      return;
    }
    if (params.size() == n) execute(out);
  }

  private void finish() {
    lastCode = code;
    code = null;
  }

  private void execute(ByteArrayOutputStream out) {
    String c = code;
    finish();
    if (!initialised && !c.equals(Arc1Wire.RESET) && !c.equals(Arc1Wire.INITIALISE) && !c.equals(Arc1Wire.FIRMWARE_VERSION)) {
      error("command " + c + " before the initialisation");
      return;
    }
    switch (c) {
      case Arc1Wire.RESET -> {
        initialised = false;
        selectedWord = selectedBit = 0;
      }
      case Arc1Wire.FIRMWARE_VERSION -> out.writeBytes(Arc1Wire.version(FIRMWARE_MAJOR, FIRMWARE_MINOR));
      case Arc1Wire.INITIALISE -> {
        Integer cycles = integer(params.get(0), 1, 1_000_000);
        Integer w = integer(params.get(1), 1, rows);
        Integer b = integer(params.get(2), 1, cols);
        Integer mode = integer(params.get(3), 0, 3);
        Integer session = integer(params.get(4), 0, 3);
        Integer sneak = integer(params.get(5), 0, 256);
        Double v = volts(params.get(6));
        if (cycles == null || w == null || b == null || mode == null || session == null || sneak == null || v == null || (sneak != 0 && sneak != 1 && sneak != 256)) {
          error("initialisation " + params + " (expected: cycles, words 1.." + rows + ", bits 1.." + cols + ", mode 0..3, session 0..3, sneak 0/1/256, volts)");
          out.writeBytes("0\n".getBytes(StandardCharsets.US_ASCII));
          return;
        }
        words = w;
        bits = b;
        readVolts = v;
        initialised = true;
        out.writeBytes((Arc1Wire.CONFIRMED + "\n").getBytes(StandardCharsets.US_ASCII));
      }
      case Arc1Wire.SET_READ -> {
        Integer mode = integer(params.get(0), 0, 3);
        Double v = volts(params.get(1));
        if (mode == null || v == null) error("set read " + params);
        else readVolts = v;
      }
      case Arc1Wire.SELECT -> {
        Integer w = integer(params.get(0), 1, words);
        Integer b = integer(params.get(1), 1, bits);
        if (w == null || b == null) {
          error("select " + params + " (expected: word 1.." + words + ", bit 1.." + bits + ")");
          return;
        }
        selectedWord = w;
        selectedBit = b;
      }
      case Arc1Wire.READ_ONE -> {
        Integer w = integer(params.get(0), 1, words);
        Integer b = integer(params.get(1), 1, bits);
        if (w == null || b == null) error("read " + params + " (expected: word 1.." + words + ", bit 1.." + bits + ")");
        else out.writeBytes(Arc1Wire.float32(ohms(w, b)));
      }
      case Arc1Wire.PULSE_SELECTED -> {
        if (selectedWord == 0) {
          error("pulse with no device selected");
          return;
        }
        pulse(selectedWord, selectedBit, params.get(0), params.get(1));
      }
      case Arc1Wire.PULSE_THEN_READ -> {
        Integer w = integer(params.get(0), 1, words);
        Integer b = integer(params.get(1), 1, bits);
        if (w == null || b == null) {
          error("pulse-then-read " + params + " (expected: word 1.." + words + ", bit 1.." + bits + ")");
          return;
        }
        if (pulse(w, b, params.get(2), params.get(3))) out.writeBytes(Arc1Wire.float32(ohms(w, b)));
      }
      case Arc1Wire.READ_ALL -> {
        Integer w = integer(params.get(1), 1, words);
        Integer b = integer(params.get(2), 1, bits);
        if (w == null || b == null) {
          error("read all " + params + " (expected: words 1.." + words + ", bits 1.." + bits + ")");
          return;
        }
        for (int i = 1; i <= w; i++) {
          for (int j = 1; j <= b; j++) out.writeBytes(Arc1Wire.float32(ohms(i, j)));
        }
      }
      default -> throw new IllegalStateException("command " + c);
    }
  }

  // ---------------------------------------------------------------- CurveTracer

  /** The parsed CurveTracer parameters, or null (logged) when they are not what the job takes. */
  private record CurveTracer(double vPos, double vNeg, double vStart, double vStep, long holdNanos, double cutOffPos, double cutOffNeg, int cycles,
      int span, boolean halt) {}

  private CurveTracer curveTracer;

  /** Collects the CurveTracer's parameters, then runs it on each device as its word and bit arrive. */
  private void curveTracerLine(ByteArrayOutputStream out) {
    int p = params.size();
    if (p < Arc1Wire.CT_PARAMETERS) return;
    Integer devices = integer(params.get(Arc1Wire.CT_PARAMETERS - 1), 1, rows * cols);
    if (devices == null) {
      error("CurveTracer device count '" + params.get(Arc1Wire.CT_PARAMETERS - 1) + "' (expected: 1.." + rows * cols + ")");
      finish();
      return;
    }
    if (p == Arc1Wire.CT_PARAMETERS) {
      curveTracer = initialised ? curveTracer() : null;
      if (!initialised) error("command " + Arc1Wire.CURVE_TRACER + " before the initialisation");
      return;
    }
    if ((p - Arc1Wire.CT_PARAMETERS) % 2 == 1) return;
    Integer w = integer(params.get(p - 2), 1, words);
    Integer b = integer(params.get(p - 1), 1, bits);
    if (w == null || b == null) error("CurveTracer device " + params.get(p - 2) + "," + params.get(p - 1) + " (expected: word 1.." + words + ", bit 1.." + bits + ")");
    else if (curveTracer != null) runCurveTracer(curveTracer, w, b, out);
    if ((p - Arc1Wire.CT_PARAMETERS) / 2 == devices) finish();
  }

  private CurveTracer curveTracer() {
    Double vPos = volts(params.get(0));
    Double vNeg = volts(params.get(1));
    Double vStart = volts(params.get(2));
    Double vStep = number(params.get(3));
    Double hold = number(params.get(4));
    Double interpulse = number(params.get(5));
    Double csp = number(params.get(6));
    Double csn = number(params.get(7));
    Integer cycles = integer(params.get(8), 1, 1_000_000);
    Integer type = integer(params.get(9), 0, 1);
    Integer span = integer(params.get(10), 0, 3);
    Integer halt = integer(params.get(11), 0, 1);
    if (vPos == null || vNeg == null || vStart == null || vStep == null || hold == null || interpulse == null || csp == null || csn == null || cycles == null
        || type == null || span == null || halt == null || vPos < 0 || vNeg < 0 || vStart < 0 || !(vStep > 0) || !(hold > 0) || interpulse < 0 || !cutOff(csp)
        || !cutOff(-csn) || vStart > (span == Arc1Wire.CT_NEGATIVE_ONLY ? vNeg : span == Arc1Wire.CT_POSITIVE_ONLY ? vPos : Math.min(vPos, vNeg))) {
      error("CurveTracer " + params.subList(0, Arc1Wire.CT_PARAMETERS) + " (expected: 0 <= vStart <= vPosMax, vNegMax <= 12 V, vStep > 0, hold > 0 s, interpulse >= 0 s,"
          + " cut-offs 0 or 10 uA .. 1 mA (+ then -), cycles >= 1, type 0/1, span 0..3, halt 0/1, devices)");
      return null;
    }
    return new CurveTracer(vPos, vNeg, vStart, vStep, Math.round(hold * 1e9), csp, -csn, cycles, span, halt == 1);
  }

  private static boolean cutOff(double amps) {
    return amps == 0 || (amps >= 10e-6 && amps <= 1e-3);
  }

  private void runCurveTracer(CurveTracer ct, int w, int b, ByteArrayOutputStream out) {
    Cell cell = Cell.active(0, w - 1, b - 1);
    double[] levels = Arc1Wire.curveTracerCycle(ct.vPos, ct.vNeg, ct.vStart, ct.vStep, ct.span);
    float seconds = (float) (ct.holdNanos / 1e9);
    for (int c = 0; c < ct.cycles; c++) {
      for (double v : levels) {
        double cutOff = v < 0 ? ct.cutOffNeg : ct.cutOffPos;
        double amps;
        try {
          amps = devices.source(cell, v, ct.holdNanos, cutOff > 0 ? cutOff : EmulatorDriver.HARDWARE_LIMITS.complianceAmps());
        } catch (IllegalArgumentException e) {
          error("CurveTracer level " + v + " V for " + ct.holdNanos + " ns: not modelled by the emulator (" + e.getMessage() + ")");
          return; // no end of cycle: the host sees a timeout
        }
        curveTracerPoints++;
        float ohms = (float) (v == 0 || amps == 0 ? 1 / Math.max(devices.truth().conductance(cell), 1e-12) : v / amps);
        out.writeBytes(Arc1Wire.float32(ohms));
        out.writeBytes(Arc1Wire.float32((float) v));
        out.writeBytes(Arc1Wire.float32(seconds));
        if (ct.halt && cutOff > 0 && Math.abs(amps) >= cutOff) break;
      }
      out.writeBytes(new byte[Arc1Wire.TRIPLET_BYTES]);
    }
  }

  /** Applies one pulse; false (logged) when the command is malformed or beyond what the emulator models. */
  private boolean pulse(int w, int b, String voltsText, String secondsText) {
    Double v = volts(voltsText);
    Double s = number(secondsText);
    if (v == null || s == null || !(s > 0) || v == 0) {
      error("pulse " + voltsText + " V " + secondsText + " s (expected: 0 < |V| <= 12, width > 0)");
      return false;
    }
    long widthNanos = Math.round(s * 1e9);
    try {
      devices.pulse(Cell.active(0, w - 1, b - 1), new Pulse(Polarity.ofSign(v), Math.abs(v), widthNanos, widthNanos), 1);
      pulsesApplied++;
      return true;
    } catch (IllegalArgumentException e) {
      error("pulse " + voltsText + " V " + secondsText + " s: not modelled by the emulator (" + e.getMessage() + ")");
      return false;
    }
  }

  private float ohms(int w, int b) {
    double g = devices.read(Cell.active(0, w - 1, b - 1), Math.min(Math.abs(readVolts), EmulatorDriver.HARDWARE_LIMITS.maxReadVolts()));
    return (float) (1.0 / g);
  }

  private void error(String what) {
    if (errors.size() < 1000) errors.add(what);
  }

  private static Integer integer(String s, int min, int max) {
    try {
      int n = Integer.parseInt(s.trim());
      return n < min || n > max ? null : n;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Double number(String s) {
    try {
      double d = Double.parseDouble(s.trim());
      return Double.isFinite(d) ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Double volts(String s) {
    Double v = number(s);
    return v == null || Math.abs(v) > 12 ? null : v;
  }
}
