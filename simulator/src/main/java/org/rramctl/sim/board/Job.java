package org.rramctl.sim.board;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.sim.EmulatorDriver;

/**
 * A device command the board admitted, from admission until its final frame has left: what runs, who may stop
 * it and why it stopped. Thread-safe: the executor runs it, any thread (ABORT, the watchdog, a reset, a lost
 * link) may {@link #stop} it.
 */
final class Job {
  final int sequence;
  final Command command;
  /** Its entry in the board's history; null for reads, which the history does not keep. */
  final ExecutionHistory.Started started;
  /** Counted down once the final frame has left (or was suppressed by a reset). */
  final CountDownLatch done = new CountDownLatch(1);
  /** ABORTED, WATCHDOG, HARDWARE_FAULT (reset); null while allowed to run. */
  volatile ErrorCode stopReason;
  /** Set by a reboot: the board that started this job is gone, so no answer about it leaves. */
  volatile boolean silent;
  /** Pulses applied so far, published by a real-time executor after each pulse (or slot). */
  volatile long applied;
  /** {@link #applied} when the first stop request arrived; -1 until then. */
  volatile long appliedAtStop = -1;
  /** The thread executing this job, unparked by {@link #stop}. */
  volatile Thread runner;
  private final EmulatorDriver emulator;

  Job(int sequence, Command command, ExecutionHistory.Started started, EmulatorDriver emulator) {
    this.sequence = sequence;
    this.command = command;
    this.started = started;
    this.emulator = emulator;
  }

  /** Asks the job to stop before its next pulse, slot or part; the first reason given wins. */
  void stop(ErrorCode reason) {
    synchronized (this) {
      if (stopReason == null) {
        appliedAtStop = applied;
        stopReason = reason;
      }
    }
    emulator.abort();
    LockSupport.unpark(runner); // out of the wait for its next pulse at once
  }

  /** Why it stopped, NONE when it was never asked to. */
  ErrorCode stopReasonOrNone() {
    ErrorCode why = stopReason;
    return why == null ? ErrorCode.NONE : why;
  }
}
