package org.rramctl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class SpinWorkersTest {
  /**
   * Over many runs of different sizes, parallel and not, with pauses that let the helpers park, every chunk of
   * every run executes exactly once and has finished when run returns.
   */
  @Test
  void everyChunkRunsExactlyOnceAndIsDoneOnReturn() throws Exception {
    try (SpinWorkers w = new SpinWorkers(3, "test")) {
      for (int run = 0; run < 20_000; run++) {
        int n = 1 + run % 7;
        AtomicIntegerArray ran = new AtomicIntegerArray(n);
        int[] plain = new int[n];
        w.run(q -> {
          ran.incrementAndGet(q);
          plain[q]++; // a plain write: visible to the caller after run returns
        }, n, run % 3 != 0);
        for (int q = 0; q < n; q++) {
          assertEquals(1, ran.get(q), "run " + run + " chunk " + q);
          assertEquals(1, plain[q], "run " + run + " chunk " + q + " (plain write)");
        }
        if (run % 5000 == 4999) Thread.sleep(2 * SpinWorkers.SPIN_NANOS / 1_000_000 + 5); // helpers park
      }
    }
  }

  @Test
  void aChunksExceptionReachesTheCallerAfterAllChunksFinished() {
    try (SpinWorkers w = new SpinWorkers(2, "test")) {
      AtomicIntegerArray ran = new AtomicIntegerArray(4);
      IllegalStateException boom = new IllegalStateException("chunk 1 failed");
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.run(q -> {
        ran.incrementAndGet(q);
        if (q == 1) throw boom;
      }, 4, true));
      assertSame(boom, e);
      for (int q = 0; q < 4; q++) assertEquals(1, ran.get(q), "chunk " + q);
    }
  }

  @Test
  void afterCloseTheCallerRunsEveryChunk() {
    SpinWorkers w = new SpinWorkers(2, "test");
    w.run(q -> { }, 4, true);
    w.close();
    Thread caller = Thread.currentThread();
    w.run(q -> assertSame(caller, Thread.currentThread()), 4, true);
  }
}
