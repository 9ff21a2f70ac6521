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
 * </pre>
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
