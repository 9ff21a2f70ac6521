package org.rramctl.driver.transport;

import java.time.Duration;

/** Duration arithmetic shared by the implementations in this package. */
final class Timeouts {
  /** Longer waits are treated as this one (about 73 years), so that {@code nanoTime() + n} cannot overflow. */
  static final long MAX_NANOS = Long.MAX_VALUE / 4;

  private Timeouts() {}

  static long nanos(Duration d) {
    return d.compareTo(Duration.ofNanos(MAX_NANOS)) > 0 ? MAX_NANOS : d.toNanos();
  }

  /** Whole milliseconds, rounded up so that a sub-millisecond timeout still waits, capped to int. */
  static int millisCeil(Duration d) {
    long n = nanos(d);
    long ms = (n + 999_999) / 1_000_000;
    return (int) Math.min(ms, Integer.MAX_VALUE);
  }
}
