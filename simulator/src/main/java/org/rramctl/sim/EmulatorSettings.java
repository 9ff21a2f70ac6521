package org.rramctl.sim;

/**
 * How {@link EmulatorDriver#open} builds an emulated chip, besides its device model and array sizes. Start from
 * {@link #seed(long)} and change by name ({@code EmulatorSettings.seed(42).withThreads(2)}).
 *
 * @param seed seeds the device-to-device draws and all noise
 * @param threads threads for large vector reads and updates, the caller's included (1..64); results are the same
 *     for any value
 * @param referencePlanes false for arrays without a reference plane (as a single crossbar chip has): the devices
 *     are drawn as with one (same seed, same active devices), but reference cells, reference reads and
 *     differential reads are refused
 */
public record EmulatorSettings(long seed, int threads, boolean referencePlanes) {
  public EmulatorSettings {
    if (threads < 1 || threads > 64) throw new IllegalArgumentException("threads: " + threads + " (expected: 1..64)");
  }

  /** One thread, a reference plane under every array. */
  public static EmulatorSettings seed(long seed) {
    return new EmulatorSettings(seed, 1, true);
  }

  public EmulatorSettings withThreads(int n) {
    return new EmulatorSettings(seed, n, referencePlanes);
  }

  public EmulatorSettings withReferencePlanes(boolean present) {
    return new EmulatorSettings(seed, threads, present);
  }
}
