package org.rramctl.procedure;

import java.util.Locale;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Durations;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Limits;
import org.rramctl.sim.EmulatorDriver;

/**
 * The programming pulse and read voltage that calibrate, the procedures and train use when none is given: the
 * board's nominal pulse when it announces one (an in-process emulator knows its preset's), otherwise the house
 * default of 1.0 V / 100 ns pulses and 0.2 V reads, the width and read voltage moved to the nearest value the driver's
 * envelope allows (an amplitude above the envelope is refused by it, not lowered) (the period follows from the width and the rate limit, {@link org.rramctl.driver.Pulse#defaultPeriodNanos}). Examples: the emulator and the virtual board keep 1.0 V / 100 ns / 0.2 V; a Keithley 2602B
 * (shortest pulse 100 us) gets 100 us, a 2400 (500 us) 500 us. Nothing here is clamped behind the user's back:
 * these are defaults, printed at start ({@link #describe}), and an explicit value outside the envelope is still
 * refused.
 *
 * @param pulseVolts pulse amplitude, volts
 * @param pulseWidthNanos pulse width, ns
 * @param readVolts read voltage, volts
 * @param origin where the values come from, for the line printed at start
 */
public record BoardDefaults(double pulseVolts, long pulseWidthNanos, double readVolts, String origin) {
  /** The house default pulse amplitude, volts (the emulator's presets are specified at it). */
  public static final double HOUSE_PULSE_VOLTS = 1.0;
  /** The house default pulse width, ns. */
  public static final long HOUSE_PULSE_WIDTH_NANOS = 100;
  /** The house default read voltage, volts. */
  public static final double HOUSE_READ_VOLTS = 0.2;

  public BoardDefaults {
    if (!(pulseVolts > 0) || Double.isInfinite(pulseVolts)) throw new IllegalArgumentException("pulseVolts: " + pulseVolts + " (expected: finite and > 0)");
    if (pulseWidthNanos < 1) throw new IllegalArgumentException("pulseWidthNanos: " + pulseWidthNanos + " (expected: >= 1)");
    if (!(readVolts > 0) || Double.isInfinite(readVolts)) throw new IllegalArgumentException("readVolts: " + readVolts + " (expected: finite and > 0)");
  }

  /** The defaults for this driver (see the type's description). */
  public static BoardDefaults of(CrossbarDriver driver) {
    BoardInfo info = driver.info();
    Limits lim = driver instanceof EnvelopedDriver e ? e.envelope().limits() : info.hardwareLimits();
    EmulatorDriver emu = driver instanceof EmulatorDriver e ? e
        : driver instanceof EnvelopedDriver env && env.inner() instanceof EmulatorDriver e ? e : null;
    double volts = emu != null ? emu.preset().pulseVolts() : HOUSE_PULSE_VOLTS;
    long width = emu != null ? emu.preset().pulseWidthNanos() : HOUSE_PULSE_WIDTH_NANOS;
    double read = emu != null ? EmulatorDriver.NOMINAL_READ_VOLTS : HOUSE_READ_VOLTS;
    String nominal = String.format(Locale.ROOT, "defaults: %s %s V / %s, read %s V", emu != null ? "the emulator's nominal pulse" : "the house",
        num(volts), Durations.format(width), num(read));
    // The amplitude is not lowered into the envelope: a pulse below the device's threshold would move nothing, and a
    // calibration at it would list every device STUCK; the envelope refuses it with its own message instead.
    double v = volts;
    long w = Math.min(lim.maxPulseWidthNanos(), Math.max(width, lim.minPulseWidthNanos()));
    double r = Math.min(read, lim.maxReadVolts());
    String origin = v == volts && w == width && r == read ? nominal
        : nominal + ", moved to the nearest value the limits of board " + info.boardId() + " allow";
    return new BoardDefaults(v, w, r, origin);
  }

  /** One line for the start of a command: the values and where they come from. */
  public String describe() {
    return describe(pulseVolts, pulseWidthNanos, readVolts, origin);
  }

  /** The same line for values of which some were given by the user ({@code origin} says which applies). */
  public static String describe(double pulseVolts, long pulseWidthNanos, double readVolts, String origin) {
    return String.format(Locale.ROOT, "pulse %s V / %s, read %s V (%s)", num(pulseVolts), Durations.format(pulseWidthNanos), num(readVolts), origin);
  }

  private static String num(double v) {
    return Double.toString(v);
  }
}
