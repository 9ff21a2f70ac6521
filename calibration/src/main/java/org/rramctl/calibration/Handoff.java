package org.rramctl.calibration;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Tile;

/**
 * Whether the array-parallel search finishes its slow tail one device at a time ({@link CalibrationSettings#handoffFraction}),
 * decided before the first pulse of a run and written into its record, so that the search itself does not look at a clock
 * and a run can be repeated with the same decision ({@link #ALWAYS} or {@link #NEVER}).
 *
 * <p>The cost model, per alternating pair of the search ({@link TimeEstimate#tilePairSeconds},
 * {@link TimeEstimate#devicePairSeconds}): the whole tile costs two parallel pulse commands plus its sparse array reads;
 * a device of the tail costs two single-device pulse commands plus its sparse reads. A device of the tail takes the
 * same pairs it would have taken in the tile, so the handoff pays when the tail's devices together cost less per pair
 * than one parallel pair. {@link #AUTO} hands off at {@link CalibrationSettings#DEFAULT_HANDOFF_FRACTION} of the tile
 * left only when that holds for the whole fraction at once, the tail's most expensive moment (it shrinks as its devices
 * converge, the tile's pair does not): the rule never hands off at a loss, and may keep a board whose break-even lies
 * below a tenth but above the tail's typical few per cent pulsing in parallel.
 *
 * <p>Through the serial driver on a pty a parallel pulse costs 2-6 single-device pulses (one command each, the parallel
 * one carrying the tile's pulse bits), so the break-even is 2-6 devices of a 32 x 32 tile, far below a tenth (102): no
 * handoff, whatever the probe's noise. An {@linkplain org.rramctl.driver.CrossbarDriver#inProcess() in-process} driver
 * (the emulator) is not timed: its probe runs before the JIT has compiled the calls and overstates a single-device call
 * 20-70 times; its costs are CPU work per device, measured in a run at about 12 ns per device of a parallel pulse and
 * 96 ns per single-device pulse, a break-even of an eighth of the tile, so it hands off at a tenth as it always did.
 */
public enum Handoff {
  /** Hand off at a tenth of the tile left where the board's command costs say that is cheaper (in-process drivers: always). */
  AUTO,
  /** Hand off at {@link CalibrationSettings#DEFAULT_HANDOFF_FRACTION} of the tile left, whatever the costs. */
  ALWAYS,
  /** Pulse the whole tile in parallel until its last device is done or the budget is spent. */
  NEVER;

  /** Parses {@code auto}, {@code always} or {@code never} (any case); the message names {@code option}. */
  public static Handoff parse(String option, String text) {
    for (Handoff h : values()) {
      if (h.name().equalsIgnoreCase(text == null ? "" : text.strip())) return h;
    }
    throw new IllegalArgumentException(option + ": '" + text + "' (allowed: auto, always, never)");
  }

  /**
   * The handoff fraction of a run's settings.
   *
   * @param inProcess the driver's {@link org.rramctl.driver.CrossbarDriver#inProcess()}
   * @param probe the board's timed command costs, on the tile of {@code tileDevices} devices (unused unless {@link #AUTO}
   *     on a driver that is not in-process; may then not be null)
   * @param tileDevices devices of the tile the probe timed
   * @param sampleEveryPairs the search's sparse sampling ({@link CalibrationSettings#sampleEveryPairs})
   */
  public double fraction(boolean inProcess, TimeEstimate probe, int tileDevices, int sampleEveryPairs) {
    return switch (this) {
      case ALWAYS -> CalibrationSettings.DEFAULT_HANDOFF_FRACTION;
      case NEVER -> 0;
      case AUTO -> inProcess || tailCheaper(probe, tileDevices, sampleEveryPairs) ? CalibrationSettings.DEFAULT_HANDOFF_FRACTION : 0;
    };
  }

  /**
   * {@code s} with the handoff {@link #AUTO} decides for an array-parallel run on {@code driver}, for callers that do not
   * print a time estimate ({@code train} calibrating first): an in-process driver gets
   * {@link CalibrationSettings#DEFAULT_HANDOFF_FRACTION} without a pulse; any other board is timed first
   * ({@link TimeEstimate#probe}: {@value TimeEstimate#PROBE_PAIRS} pulse pairs and twice as many reads on the first
   * device and on the first tile). The per-device mode has no handoff: {@code s} as it is.
   */
  public static CalibrationSettings decided(CrossbarDriver driver, List<Tile> tiles, CalibrationSettings s, Calibration.Mode mode) throws IOException {
    return decided(driver, tiles, s, mode, System::nanoTime);
  }

  /** As above, timed on {@code nanoClock} (tests pass a modelled clock). */
  static CalibrationSettings decided(CrossbarDriver driver, List<Tile> tiles, CalibrationSettings s, Calibration.Mode mode, LongSupplier nanoClock)
      throws IOException {
    if (mode != Calibration.Mode.PARALLEL || tiles.isEmpty()) return s;
    TimeEstimate probe = driver.inProcess() ? null : TimeEstimate.probe(driver, tiles, s, mode, nanoClock);
    return s.withHandoffFraction(AUTO.fraction(driver.inProcess(), probe, tiles.get(0).devices(), s.sampleEveryPairs()));
  }

  /** Whether {@link CalibrationSettings#DEFAULT_HANDOFF_FRACTION} of the tile, one device at a time, costs less per pair than the tile in parallel. */
  static boolean tailCheaper(TimeEstimate probe, int tileDevices, int sampleEveryPairs) {
    if (probe == null) throw new IllegalArgumentException("probe: null (expected: the board's timed command costs, for --handoff auto)");
    return tailDevices(tileDevices) * probe.devicePairSeconds(sampleEveryPairs) < probe.tilePairSeconds(sampleEveryPairs);
  }

  /** Devices still searching when the tail is handed off: the most the handoff fraction lets through. */
  private static long tailDevices(int tileDevices) {
    return (long) Math.floor(CalibrationSettings.DEFAULT_HANDOFF_FRACTION * tileDevices);
  }

  /** One line for the start of a run: what was decided and why. */
  public String describe(double fraction, boolean inProcess, TimeEstimate probe, int tileDevices, int sampleEveryPairs) {
    String decided = fraction > 0 ? String.format(Locale.ROOT, "the devices still searching are finished one at a time once at most %.0f %% of a tile is left",
        100 * fraction) : "every tile is pulsed in parallel until its last device is done";
    String why = switch (this) {
      case ALWAYS -> "--handoff always";
      case NEVER -> "--handoff never";
      case AUTO -> inProcess ? "--handoff auto: an in-process driver, where a single-device pulse costs about as much as 8 devices of a parallel one"
          : String.format(Locale.ROOT, "--handoff auto: a pair of pulses costs %s for the tile of %d devices, %s for each device alone; %d devices alone: %s",
              TimeEstimate.duration(probe.tilePairSeconds(sampleEveryPairs)), tileDevices, TimeEstimate.duration(probe.devicePairSeconds(sampleEveryPairs)),
              tailDevices(tileDevices), TimeEstimate.duration(tailDevices(tileDevices) * probe.devicePairSeconds(sampleEveryPairs)));
    };
    return "tail handoff: " + decided + " (" + why + ")";
  }
}
