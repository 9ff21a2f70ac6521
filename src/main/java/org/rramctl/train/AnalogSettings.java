package org.rramctl.train;

import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;

/**
 * How a network is put on a board and trained there (DESIGN.md section 4). NaN or null for a value means
 * "derive it from the board" as described per parameter; {@link #defaults()} is the regime that learns on the
 * emulator's soft-bound devices (see the "Pitfall" paragraph of DESIGN.md: device range about +-1 and initial
 * weights about 3x the usual 1/sqrt(fan_in)).
 *
 * @param readVolts largest row/column voltage of a forward or transpose read, volts; inputs are scaled so
 *     that the largest |value| of a vector reads at this voltage (abs-max noise management). NaN: on the
 *     emulator its nominal read voltage (0.2 V, where its noise and bound figures are specified), else the
 *     envelope's maximum read voltage
 * @param gUnitSiemens conductance that reads as weight 1: {@code w = (G - G_ref) / gUnit}. NaN:
 *     {@code (gMax - gMin) / 2} of the board, so a device whose conductance window spans w in [-1, 1] reads 1:1
 * @param dwMin nominal weight change of one pulse, in the units of w; sets the pulse probabilities
 * @param bitLength BL, time slots of one stochastic update, 1..63 (aihwkit default 31)
 * @param updateManagement scale the row and column probabilities so the largest of each reach the same value
 * @param updateBlManagement shorten BL to {@code ceil(lr * x_max * d_max / dwMin)} when that is smaller
 * @param initScale initial weights are drawn with the spread of U(+-initScale / sqrt(fan_in)), fan-in incl. bias
 * @param up the UP (potentiation) pulse; null: the emulator's nominal pulse (refused on other boards)
 * @param down the DOWN (depression) pulse; null: {@code up} with DOWN polarity
 * @param periodFromBoard the period of {@code up} and {@code down} was not stated: it becomes the board's
 *     default for their width ({@link Pulse#defaultPeriodNanos}: twice the width, or longer where the board's
 *     or envelope's maximum pulse rate needs it) once the board is known
 * @param init how the initial weights are put on the devices ({@link Init})
 */
public record AnalogSettings(
    double readVolts,
    double gUnitSiemens,
    double dwMin,
    int bitLength,
    boolean updateManagement,
    boolean updateBlManagement,
    double initScale,
    Pulse up,
    Pulse down,
    boolean periodFromBoard,
    Init init) {
  /**
   * How a layer's initial weights reach its devices.
   *
   * <ul>
   *   <li>{@link #WRITE_VERIFY}: W0 ~ U(+-initScale / sqrt(fan_in)) is drawn on the host from the run's seed, and
   *       each active device is write-verified to {@code G_ref + W0 * gUnit} against its own reference as read,
   *       so every reference scheme starts from the same network (issue 16). The achieved error is reported.
   *   <li>{@link #PULSE_WALK}: a seeded random walk of whole-tile pulse programs from wherever the devices are
   *       ({@link AnalogLayer#initialize}); the effective initial weights then include each device's offset from its
   *       reference, which differs between schemes.
   * </ul>
   */
  public enum Init {
    WRITE_VERIFY("write-verify"),
    PULSE_WALK("pulse-walk");

    private final String label;

    Init(String label) {
      this.label = label;
    }

    /** The name on the command line and in regimes. */
    public String label() {
      return label;
    }

    /** The method named {@code text}. */
    public static Init parse(String text) {
      for (Init i : values()) if (i.label.equalsIgnoreCase(text == null ? "" : text.trim())) return i;
      throw new IllegalArgumentException("--init: '" + text + "' (expected: write-verify or pulse-walk)");
    }
  }

  public AnalogSettings {
    if (init == null) throw new IllegalArgumentException("init: null (expected: write-verify or pulse-walk)");
    if (!Double.isNaN(readVolts) && !(readVolts > 0 && readVolts < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("readVolts: " + readVolts + " (expected: > 0 V, or NaN for the envelope's maximum)");
    }
    if (!Double.isNaN(gUnitSiemens) && !(gUnitSiemens > 0 && gUnitSiemens < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("gUnitSiemens: " + gUnitSiemens + " (expected: > 0 S, or NaN for (gMax - gMin) / 2)");
    }
    if (!(dwMin > 0 && dwMin < 1)) throw new IllegalArgumentException("dwMin: " + dwMin + " (expected: 0 < dwMin < 1, weight units)");
    if (bitLength < 1 || bitLength > 63) throw new IllegalArgumentException("bitLength: " + bitLength + " (expected: 1..63)");
    if (!(initScale >= 0 && initScale < 100)) throw new IllegalArgumentException("initScale: " + initScale + " (expected: 0..100)");
    if (up != null && up.polarity() != Polarity.UP) throw new IllegalArgumentException("up: " + up + " (expected: an UP pulse)");
    if (down != null && down.polarity() != Polarity.DOWN) throw new IllegalArgumentException("down: " + down + " (expected: a DOWN pulse)");
  }

  /** Read at the envelope's maximum, gUnit from the board, dwMin 0.001, BL 31, both managements on, init scale 3 by write-verify. */
  public static AnalogSettings defaults() {
    return new AnalogSettings(Double.NaN, Double.NaN, 0.001, 31, true, true, 3.0, null, null, false, Init.WRITE_VERIFY);
  }

  public AnalogSettings withReadVolts(double v) {
    return new AnalogSettings(v, gUnitSiemens, dwMin, bitLength, updateManagement, updateBlManagement, initScale, up, down, periodFromBoard, init);
  }

  public AnalogSettings withGUnitSiemens(double g) {
    return new AnalogSettings(readVolts, g, dwMin, bitLength, updateManagement, updateBlManagement, initScale, up, down, periodFromBoard, init);
  }

  public AnalogSettings withDwMin(double d) {
    return new AnalogSettings(readVolts, gUnitSiemens, d, bitLength, updateManagement, updateBlManagement, initScale, up, down, periodFromBoard, init);
  }

  public AnalogSettings withBitLength(int bl) {
    return new AnalogSettings(readVolts, gUnitSiemens, dwMin, bl, updateManagement, updateBlManagement, initScale, up, down, periodFromBoard, init);
  }

  public AnalogSettings withUpdateManagement(boolean on) {
    return new AnalogSettings(readVolts, gUnitSiemens, dwMin, bitLength, on, updateBlManagement, initScale, up, down, periodFromBoard, init);
  }

  public AnalogSettings withUpdateBlManagement(boolean on) {
    return new AnalogSettings(readVolts, gUnitSiemens, dwMin, bitLength, updateManagement, on, initScale, up, down, periodFromBoard, init);
  }

  public AnalogSettings withInitScale(double s) {
    return new AnalogSettings(readVolts, gUnitSiemens, dwMin, bitLength, updateManagement, updateBlManagement, s, up, down, periodFromBoard, init);
  }

  /** These pulses, exactly as given (their periods included). */
  public AnalogSettings withPulses(Pulse newUp, Pulse newDown) {
    return new AnalogSettings(readVolts, gUnitSiemens, dwMin, bitLength, updateManagement, updateBlManagement, initScale, newUp, newDown, false, init);
  }

  /** These pulses, their period the board's default for their width (set when the board is known). */
  public AnalogSettings withPulsesAtTheBoardsPeriod(Pulse newUp, Pulse newDown) {
    return new AnalogSettings(readVolts, gUnitSiemens, dwMin, bitLength, updateManagement, updateBlManagement, initScale, newUp, newDown, true, init);
  }

  public AnalogSettings withInit(Init i) {
    return new AnalogSettings(readVolts, gUnitSiemens, dwMin, bitLength, updateManagement, updateBlManagement, initScale, up, down, periodFromBoard, i);
  }
}
