package org.rramctl.procedure;

import java.time.Duration;
import java.time.Instant;

/**
 * Wall time for procedures, injectable so that tests of a one-hour retention schedule do not wait an
 * hour. Used for schedules and time stamps, never for synchronisation between threads.
 */
public interface RunClock {
  Instant now();

  /** Returns at or after {@code t} (a test clock just moves to it). */
  void sleepUntil(Instant t) throws InterruptedException;

  /** The system clock; sleeping really sleeps. */
  static RunClock system() {
    return new RunClock() {
      @Override
      public Instant now() {
        return Instant.now();
      }

      @Override
      public void sleepUntil(Instant t) throws InterruptedException {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) Thread.sleep(ms); // a schedule wait, bounded by the caller to short slices
      }
    };
  }
}
