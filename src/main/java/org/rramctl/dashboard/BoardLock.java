package org.rramctl.dashboard;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One caller at a time on the board (a driver serves one caller thread at a time): the page's reads wait briefly for
 * it and are refused with a 409 naming what holds it (a running procedure holds it from its start to its stop).
 */
final class BoardLock {
  /** How long a page's read waits for the board before it is refused. */
  static final long WAIT_MILLIS = 2_000;

  private final ReentrantLock lock = new ReentrantLock();
  private volatile String holder = "";

  /** Work on the board. */
  interface Work<T> {
    T run() throws IOException;
  }

  /** Runs {@code work} holding the board, or refuses with 409 when it stays busy for {@link #WAIT_MILLIS}. */
  <T> T read(Work<T> work) throws IOException {
    boolean got;
    try {
      got = lock.tryLock(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(503, "board: the dashboard is stopping");
    }
    if (!got) throw new HttpError(409, "board: busy with " + holder + " (expected: a free board; wait until it ends, or abort it on the runs page)");
    try {
      return work.run();
    } finally {
      lock.unlock();
    }
  }

  /** Takes the board for long work by this thread, at once or not at all. */
  boolean tryAcquire(String what) {
    if (!lock.tryLock()) return false;
    holder = what;
    return true;
  }

  /** Says what holds the board (while this thread holds it). */
  void holder(String what) {
    holder = what;
  }

  /** What holds the board now, or empty when it is free. */
  String busyWith() {
    return lock.isLocked() ? holder : "";
  }

  /** Gives the board back (the thread that acquired it). */
  void release() {
    holder = "";
    lock.unlock();
  }
}
