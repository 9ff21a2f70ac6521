package org.rramctl.protocol;

/**
 * Conversions between physical units and the fixed-point wire units of PROTOCOL.md section 3. Values
 * are rounded to the nearest LSB (quantisation, not clamping); values outside the wire field's range,
 * NaN and infinities are refused.
 */
public final class WireUnits {
  private WireUnits() {}

  /** A pulse amplitude magnitude in volts as u16 millivolts (1..65535). */
  public static int pulseMillivolts(double amplitudeVolts) {
    return (int) code("amplitudeVolts", amplitudeVolts, WireFormat.PULSE_VOLTS_PER_LSB, 1, 0xFFFF);
  }

  /** A read or vector-input voltage in volts as an i16 code of 100 uV (-32768..32767). */
  public static short readCode(double volts) {
    return (short) code("volts", volts, WireFormat.READ_VOLTS_PER_LSB, Short.MIN_VALUE, Short.MAX_VALUE);
  }

  /** The voltage of an i16 read code, volts. */
  public static double readVolts(int code) {
    return code * WireFormat.READ_VOLTS_PER_LSB;
  }

  /** The conductance of a u16 code (0..65535), siemens, with the LSB a board states in IDENTITY. */
  public static double siemens(int code, float conductanceLsbSiemens) {
    return code * (double) conductanceLsbSiemens;
  }

  private static long code(String name, double value, double lsb, long min, long max) {
    double scaled = value / lsb;
    // NaN fails both comparisons, so it lands in the refusal too.
    if (!(scaled >= min - 0.5 && scaled < max + 0.5)) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: " + min * lsb + ".." + max * lsb + ", in steps of " + lsb + ")");
    }
    return Math.round(scaled);
  }
}
