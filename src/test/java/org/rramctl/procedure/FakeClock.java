package org.rramctl.procedure;

import java.time.Instant;

/** A run clock that jumps instead of sleeping, so schedules of hours run in microseconds. */
final class FakeClock implements RunClock {
  private Instant now;

  FakeClock(Instant start) {
    this.now = start;
  }

  @Override
  public synchronized Instant now() {
    return now;
  }

  @Override
  public synchronized void sleepUntil(Instant t) {
    if (t.isAfter(now)) now = t;
  }
}
