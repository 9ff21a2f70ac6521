package org.rramctl.driver.arc1;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.rramctl.driver.MalformedMessageException;

/**
 * The ArC ONE host protocol's byte forms (facts read from the public libarc1 and arc1_pyqt host sources;
 * none of their code is used here). A command is ASCII text: a command-code line, then one line per
 * parameter, each ending in a line feed. Integers are written in decimal; real numbers as C's {@code %f}
 * writes them, six digits after the point. Replies are either a text line (the initialisation
 * confirmation) or raw little-endian IEEE-754 float32 values (resistances in ohms), or, for the
 * firmware-version query, two little-endian uint16 (major, minor).
 *
 * <pre>
 *   reset                 "00"
 *   initialise            "0"  readCycles words bits readMode sessionType sneakPath readVolts   -&gt; "1" line
 *   set read              "01" readMode readVolts
 *   select                "02" word bit
 *   pulse the selected    "04" volts seconds
 *   read one              "1"  word bit                                                         -&gt; float32
 *   pulse then read       "3"  word bit volts seconds                                           -&gt; float32
 *   read all              "2"  "1" words bits                                                   -&gt; words x bits float32, word-major
 *   read a list           "2"  "2" 32 32 n, then per device: word bit                           -&gt; float32 each
 *   firmware version      "999"                                                                 -&gt; uint16 major, uint16 minor
 *   CurveTracer           "201" vPosMax vNegMax vStart vStep hold interpulse cutOffPos cutOffNeg
 *                               cycles type span halt devices, then per device: word bit        -&gt; triplets, see below
 * </pre>
 *
 * <p>The CurveTracer job (libarc1's {@code CT_PKT}, arc1_pyqt's CurveTracer panel): voltages in volts ({@code vNegMax}
 * as a magnitude), {@code hold} and {@code interpulse} in seconds, the current cut-offs in amperes ({@code cutOffPos}
 * >= 0, {@code cutOffNeg} <= 0, 0 for none), {@code type} 0 staircase or 1 pulsed, {@code span} 0 positive branch first,
 * 1 negative first, 2 positive only, 3 negative only, {@code halt} 1 to stop biasing a cycle when a cut-off is
 * reached. Per point the board answers three float32 (the device's resistance at the level in ohms, the level in
 * volts, a time in seconds); both host libraries take the current as level / resistance. A triplet of zeros ends
 * each cycle. See {@link #curveTracerCycle} for the levels of a cycle.
 *
 * Word and bit numbers are 1-based. Because a real number carries six decimals, a pulse width is sent in
 * whole microseconds: a width under 1 us (or between two microseconds) cannot be expressed, and
 * {@link #seconds} refuses it rather than round it.
 */
public final class Arc1Wire {
  private Arc1Wire() {}

  public static final String RESET = "00";
  public static final String INITIALISE = "0";
  public static final String SET_READ = "01";
  public static final String SELECT = "02";
  public static final String PULSE_SELECTED = "04";
  public static final String READ_ONE = "1";
  public static final String PULSE_THEN_READ = "3";
  public static final String READ_ALL = "2";
  public static final String FIRMWARE_VERSION = "999";
  public static final String CURVE_TRACER = "201";
  /** CurveTracer bias types. */
  public static final int CT_STAIRCASE = 0;
  public static final int CT_PULSED = 1;
  /** CurveTracer spans: which branches a cycle runs, in which order. */
  public static final int CT_POSITIVE_FIRST = 0;
  public static final int CT_NEGATIVE_FIRST = 1;
  public static final int CT_POSITIVE_ONLY = 2;
  public static final int CT_NEGATIVE_ONLY = 3;
  /** Parameters of the CurveTracer job before its device list. */
  public static final int CT_PARAMETERS = 13;
  /** Bytes of one CurveTracer answer: three float32. */
  public static final int TRIPLET_BYTES = 12;
  /** The initialisation's confirmation value. */
  public static final int CONFIRMED = 1;
  /** Largest word and bit count of an ArC ONE crossbar. */
  public static final int MAX_LINES = 32;

  /** Lines of one command, each terminated by a line feed, as ASCII bytes. */
  public static byte[] command(String... lines) {
    StringBuilder b = new StringBuilder();
    for (String l : lines) b.append(l).append('\n');
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A real number in {@code %f} form (six decimals), only when the text carries {@code value} exactly (reading
   * the text back gives the same double).
   *
   * @param what names the quantity in the message, e.g. "pulse amplitude"
   * @param unit the unit written after the value in the message
   * @throws IllegalArgumentException when six decimals cannot carry the value
   */
  public static String exact(String what, double value, String unit) {
    if (!Double.isFinite(value)) throw new IllegalArgumentException(what + ": " + value + " " + unit + " (expected: a finite number)");
    String text = sixDecimals(value);
    if (Double.parseDouble(text) != value) {
      throw new IllegalArgumentException(what + ": " + value + " " + unit + " (expected: a multiple of 0.000001 " + unit
          + ", the ArC ONE's wire format has six decimals; nearest: " + text + " " + unit + ")");
    }
    return text;
  }

  /** {@code value} with six decimals, rounded half-even from its exact binary value as C's printf does. */
  public static String sixDecimals(double value) {
    return new BigDecimal(value).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
  }

  /**
   * A pulse width in seconds with six decimals.
   *
   * @throws IllegalArgumentException when the width is not a whole number of microseconds (1 us or more)
   */
  public static String seconds(long widthNanos) {
    if (widthNanos < 1000 || widthNanos % 1000 != 0) {
      throw new IllegalArgumentException("pulse width: " + widthNanos + " ns (expected: a whole number of microseconds, >= 1 us: the ArC ONE's"
          + " wire format carries seconds with six decimals, so " + widthNanos + " ns would be sent as " + sixDecimals(widthNanos / 1e9) + " s)");
    }
    long micros = widthNanos / 1000;
    return (micros / 1_000_000) + "." + String.format(java.util.Locale.ROOT, "%06d", micros % 1_000_000);
  }

  /**
   * {@code value} in {@code %f} form when six decimals carry it up to the double's own rounding (a level computed as
   * {@code 1.0 + 3 * 0.05} is 1.1500000000000001: its text is 1.150000, 2e-16 V away); refused as {@link #exact} when
   * the value lies between two six-decimal numbers by more than that.
   */
  public static String sixDecimalsOf(String what, double value, String unit) {
    if (!Double.isFinite(value)) throw new IllegalArgumentException(what + ": " + value + " " + unit + " (expected: a finite number)");
    String text = sixDecimals(value);
    if (Math.abs(Double.parseDouble(text) - value) > 1e-12 * Math.max(1, Math.abs(value))) {
      throw new IllegalArgumentException(what + ": " + value + " " + unit + " (expected: a multiple of 0.000001 " + unit
          + ", the ArC ONE's wire format has six decimals; nearest: " + text + " " + unit + ")");
    }
    return text;
  }

  /**
   * The levels of one CurveTracer cycle, volts, in order, as the virtual ArC ONE runs them: ArC's firmware is not
   * public, so this is the reading of the host sources (arc1_pyqt's VirtualArC computes the same ramp): each branch
   * rises from {@code vStart} in steps of {@code vStep} to its maximum and falls back to {@code vStart}, the number of
   * steps being how many whole steps fit (to 1e-9 of a step, so that 1.2 V in 0.05 V steps is 24 steps and not the 23
   * a plain truncation of 23.999999999999996 gives) and the top level being the maximum itself.
   *
   * @param vPosMax positive maximum, volts (>= 0)
   * @param vNegMax magnitude of the negative maximum, volts (>= 0)
   * @param span {@link #CT_POSITIVE_FIRST} .. {@link #CT_NEGATIVE_ONLY}
   */
  public static double[] curveTracerCycle(double vPosMax, double vNegMax, double vStart, double vStep, int span) {
    double[] first = span == CT_NEGATIVE_FIRST || span == CT_NEGATIVE_ONLY ? branch(-1, vNegMax, vStart, vStep) : branch(1, vPosMax, vStart, vStep);
    if (span == CT_POSITIVE_ONLY || span == CT_NEGATIVE_ONLY) return first;
    double[] second = span == CT_NEGATIVE_FIRST ? branch(1, vPosMax, vStart, vStep) : branch(-1, vNegMax, vStart, vStep);
    double[] all = java.util.Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    return all;
  }

  private static double[] branch(int sign, double max, double vStart, double vStep) {
    int n = (int) Math.floor((max - vStart) / vStep + 1e-9);
    double[] v = new double[2 * n + 1];
    int k = 0;
    for (int i = 0; i <= n; i++) v[k++] = sign * Math.min(max, vStart + i * vStep);
    for (int i = n; i >= 1; i--) v[k++] = sign * (vStart + (i - 1) * vStep);
    return v;
  }

  /** A float32 as the board sends it (little-endian). */
  public static byte[] float32(float value) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array();
  }

  /** The float32 at {@code offset} (little-endian). */
  public static float float32(byte[] bytes, int offset) {
    return ByteBuffer.wrap(bytes, offset, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
  }

  /** The firmware-version reply: two little-endian uint16. */
  public static byte[] version(int major, int minor) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) major).putShort((short) minor).array();
  }

  /** Converts a resistance reply to siemens, refusing what no device reads as. */
  public static double siemens(float ohms, String endpoint, String what) throws MalformedMessageException {
    if (!(ohms > 0) || Float.isInfinite(ohms)) {
      throw new MalformedMessageException(endpoint, what + " answered a resistance of " + ohms + " ohm (expected: finite and > 0)", -1, -1, null);
    }
    return 1.0 / ohms;
  }
}
