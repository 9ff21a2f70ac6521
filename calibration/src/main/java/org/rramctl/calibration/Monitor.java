package org.rramctl.calibration;

/**
 * What a long calibration reports to, and asks whether to stop. Called on the calibrating thread;
 * {@link #stopRequested()} must be cheap and may be flipped from any thread (a Ctrl-C hook).
 */
public interface Monitor {
  /** Reports nothing, never stops. */
  Monitor NONE = new Monitor() {};

  /** A new stage begins, with its total amount of work in its own unit (named). */
  default void stage(String name, long total, String unit) {}

  /** {@code n} more units of the current stage are done. */
  default void advance(long n) {}

  /** True when the run should stop at the next safe point and keep what it has. */
  default boolean stopRequested() {
    return false;
  }
}
