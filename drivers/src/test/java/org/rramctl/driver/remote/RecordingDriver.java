package org.rramctl.driver.remote;

import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.DriverStatus;
import org.rramctl.driver.Limits;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.TestLimits;

/**
 * A board that counts what reaches it and notices overlapping calls (which the server's single board
 * thread must make impossible). Reads return 1e-5 S + 1e-9 S per pulse applied to the cell's row, so a
 * client can see its own programming. {@link #blockReads} makes reads wait until aborted, to hold an
 * operation in flight; {@link #blockPulsesAfter} does the same to a pulse train after that many pulses,
 * like a board that finishes the pulse in progress and stops at the abort.
 */
final class RecordingDriver implements CrossbarDriver {
  static final Limits LIMITS = TestLimits.EMULATOR_LIKE;
  final AtomicLong pulses = new AtomicLong();
  final AtomicLong reads = new AtomicLong();
  final AtomicInteger overlaps = new AtomicInteger();
  final AtomicInteger aborts = new AtomicInteger();
  final AtomicBoolean blockReads = new AtomicBoolean();
  final CountDownLatch readBlocked = new CountDownLatch(1);
  /** When >= 0, a pulse train stops after this many pulses and waits for an abort. */
  final AtomicInteger blockPulsesAfter = new AtomicInteger(-1);
  final CountDownLatch pulseBlocked = new CountDownLatch(1);
  /** When set, the next read or pulse throws this instead of running (a board failing in one of its ways). */
  final AtomicReference<IOException> failNext = new AtomicReference<>();
  private final AtomicBoolean busy = new AtomicBoolean();
  private volatile CountDownLatch release = new CountDownLatch(1);
  private volatile boolean idle = true;
  private final BoardInfo info = new BoardInfo("recording-1", "recording test board", "test", 0,
      List.of(new ArrayGeometry(0, 4, 4, true)), LIMITS, 12, 1e-6, 1e-4, EnumSet.of(Capability.READ, Capability.PULSE));

  @Override
  public BoardInfo info() {
    return info;
  }

  private void enter() {
    if (!busy.compareAndSet(false, true)) overlaps.incrementAndGet();
    idle = false;
  }

  private void leave() {
    idle = true;
    busy.set(false);
  }

  @Override
  public double read(Cell cell, double readVolts) throws IOException {
    enter();
    try {
      IOException failure = failNext.getAndSet(null);
      if (failure != null) throw failure;
      reads.incrementAndGet();
      if (blockReads.get()) {
        // Take the latch before announcing the block, so an abort right after the announcement releases us.
        CountDownLatch r = release;
        readBlocked.countDown();
        try {
          r.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new DriverAbortedException("recording board", "outputs idle");
      }
      // Reference devices read 2e-5 S, so a differential read has something to subtract.
      return cell.plane() == org.rramctl.driver.Plane.REFERENCE ? 2e-5 : 1e-5 + 1e-9 * pulses.get();
    } finally {
      leave();
    }
  }

  @Override
  public void pulse(Cell cell, Pulse pulse, int count) throws IOException {
    enter();
    try {
      IOException failure = failNext.getAndSet(null);
      if (failure != null) throw failure;
      int stopAt = blockPulsesAfter.get();
      if (stopAt >= 0 && stopAt < count) {
        CountDownLatch r = release;
        pulses.addAndGet(stopAt);
        pulseBlocked.countDown();
        try {
          r.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new DriverAbortedException("recording board", "after " + stopAt + " of " + count + " pulses; outputs idle");
      }
      // Two steps with a yield in between: an overlapping caller would be caught between them.
      long before = pulses.get();
      Thread.yield();
      pulses.set(before + count);
    } finally {
      leave();
    }
  }

  @Override
  public DriverStatus status() {
    return new DriverStatus(idle, aborts.get() > 0, pulses.get(), "");
  }

  @Override
  public void abort() {
    aborts.incrementAndGet();
    blockReads.set(false);
    blockPulsesAfter.set(-1);
    CountDownLatch r = release;
    release = new CountDownLatch(1);
    r.countDown();
  }

  @Override
  public void close() {}
}
