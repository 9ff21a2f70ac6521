package org.rramctl.sim;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the chunks of one short task on the caller's thread and on helper threads that spin between tasks.
 *
 * <p>An emulated vector operation lasts microseconds to milliseconds; handing half of it to an executor cost
 * more than it saved (bench/EMULATOR-SPEED.md). Here the helpers busy-wait ({@link Thread#onSpinWait}) for the
 * next task for {@link #SPIN_NANOS} after the last one and only then park, so between back-to-back operations
 * (calibration's alternating pulses) a hand-off is a few cache-line transfers. Chunk q belongs to thread q mod threads (the caller is thread 0), so a thread
 * works on the same rows of an array in every operation and finds them in its own cache; the caller runs its
 * own chunks, then any chunk a helper has not started yet, so it never waits for a parked or descheduled
 * helper.
 *
 * <p>Which thread runs a chunk never changes what it computes: a task's chunks must be independent (disjoint
 * outputs, their own random generators), so results are identical for any number of threads.
 *
 * <p>One caller thread at a time. Helper threads are daemons, started on the first task that needs them and
 * stopped by {@link #close}.
 */
final class SpinWorkers implements AutoCloseable {
  /** The chunks of a task; chunk indices 0..n-1, run once each, in any order, on any thread. */
  interface Task {
    void run(int chunk);
  }

  /** How long an idle helper spins before it parks. */
  static final long SPIN_NANOS = 200_000;

  private final int helpers;
  private final String name;
  private Thread[] threads;
  /** The task being run, or the last one; helpers compare by identity to see a new one. */
  private volatile Job current;
  private volatile boolean closed;
  private final AtomicInteger parked = new AtomicInteger();

  /** One run of a task: everything a helper needs, bound together so it can never mix two runs. */
  private static final class Job {
    final Task task;
    final int chunks;
    final int step;
    /** Per thread slot (chunks slot, slot + step, ...): 0 unclaimed, 1 claimed. */
    final java.util.concurrent.atomic.AtomicIntegerArray claimed;
    /** Chunks finished. */
    final AtomicInteger done = new AtomicInteger();
    volatile Throwable failure;

    Job(Task task, int chunks, int step) {
      this.task = task;
      this.chunks = chunks;
      this.step = step;
      this.claimed = new java.util.concurrent.atomic.AtomicIntegerArray(step);
    }
  }

  /**
   * @param threads total threads including the caller's, at least 1 (1: every chunk runs on the caller)
   * @param name thread name prefix
   */
  SpinWorkers(int threads, String name) {
    if (threads < 1) throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    this.helpers = threads - 1;
    this.name = name;
  }

  int threads() {
    return helpers + 1;
  }

  /**
   * Runs chunks 0..n-1 of the task and returns when all have finished: on the caller's thread alone unless
   * {@code parallel}. A chunk's exception is rethrown here (the first one, if several) after every chunk has
   * finished.
   */
  void run(Task t, int n, boolean parallel) {
    if (!parallel || helpers == 0 || n <= 1 || closed) {
      for (int q = 0; q < n; q++) t.run(q);
      return;
    }
    if (threads == null) start();
    Job job = new Job(t, n, helpers + 1);
    current = job;
    if (parked.get() > 0) {
      for (Thread h : threads) LockSupport.unpark(h);
    }
    for (int slot = 0; slot <= helpers; slot++) runSlot(job, slot); // its own, then any a helper has not started
    int spins = 0;
    while (job.done.get() < n) {
      if (++spins < 10_000) {
        Thread.onSpinWait();
      } else {
        Thread.yield(); // a helper was descheduled in the middle of a chunk
      }
    }
    Throwable f = job.failure;
    if (f != null) {
      if (f instanceof RuntimeException e) throw e;
      if (f instanceof Error e) throw e;
      throw new IllegalStateException(f);
    }
  }

  /** Runs the chunks of thread slot {@code slot} (slot, slot + step, ...) unless another thread has claimed them. */
  private static void runSlot(Job job, int slot) {
    if (job.claimed.get(slot) != 0 || !job.claimed.compareAndSet(slot, 0, 1)) return;
    for (int q = slot; q < job.chunks; q += job.step) {
      try {
        job.task.run(q);
      } catch (Throwable e) {
        if (job.failure == null) job.failure = e;
      } finally {
        job.done.incrementAndGet();
      }
    }
  }

  private synchronized void start() {
    if (threads != null) return;
    threads = new Thread[helpers];
    for (int i = 0; i < helpers; i++) {
      int id = i + 1;
      Thread h = new Thread(() -> helperLoop(id), name + "-" + id);
      h.setDaemon(true);
      threads[i] = h;
      h.start();
    }
  }

  /** Helper {@code id} (1..helpers) runs slot id (chunks id, id + threads, ...): the same rows every time. */
  private void helperLoop(int id) {
    Job seen = null;
    long idleSince = System.nanoTime();
    while (!closed) {
      Job job = current;
      if (job != seen) {
        seen = job;
        runSlot(job, id);
        idleSince = System.nanoTime();
        continue;
      }
      if (System.nanoTime() - idleSince < SPIN_NANOS) {
        Thread.onSpinWait();
        continue;
      }
      parked.incrementAndGet();
      // The caller writes current, then reads parked; we wrote parked, now read current: one of us sees the other.
      if (current == seen && !closed) LockSupport.parkNanos(this, 50_000_000L);
      parked.decrementAndGet();
      idleSince = System.nanoTime();
    }
  }

  @Override
  public void close() {
    closed = true;
    Thread[] ts = threads;
    if (ts != null) {
      for (Thread h : ts) LockSupport.unpark(h);
    }
  }
}
