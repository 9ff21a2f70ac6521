package org.rramctl.procedure;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunRecorder;

/**
 * What a running procedure may use: the driver, the clock, the run's recorder, the abort signal and, on a
 * resumed run, the units already done. Procedures call {@link #checkpoint()} at every safe point (between
 * pulse trains, never inside one) and record data only through {@link #emit}.
 */
public final class ProcedureContext {
  /** Longest single wait slice in {@link #waitUntil}, so an abort is seen within this time. */
  static final Duration WAIT_SLICE = Duration.ofMillis(100);

  private final CrossbarDriver driver;
  private final RunClock clock;
  private final RunRecorder recorder;
  private final AbortSignal abort;
  private final BitSet completed;
  private final Instant resumedAt;

  /** @param resumedAt when this resumed segment began, or null for a run's first segment */
  ProcedureContext(CrossbarDriver driver, RunClock clock, RunRecorder recorder, AbortSignal abort, BitSet completed, Instant resumedAt) {
    this.driver = driver;
    this.clock = clock;
    this.recorder = recorder;
    this.abort = abort;
    this.completed = (BitSet) completed.clone();
    this.resumedAt = resumedAt;
  }

  /** When this segment of a resumed run began; empty for a run's first segment. */
  public java.util.Optional<Instant> resumedAt() {
    return java.util.Optional.ofNullable(resumedAt);
  }

  public CrossbarDriver driver() {
    return driver;
  }

  public RunClock clock() {
    return clock;
  }

  /** When the run (its first segment, if resumed) started. */
  public Instant runStart() {
    return recorder.startTime();
  }

  /** A safe point: throws when an abort was requested. */
  public void checkpoint() throws RunAbortedException {
    if (abort.requested()) throw new RunAbortedException(abort.reason());
  }

  /** True when a resumed run already completed unit {@code unit}. */
  public boolean done(int unit) {
    return completed.get(unit);
  }

  /** Records unit {@code unit} of {@code units} as complete. */
  public void unitDone(int unit, int units) throws IOException {
    recorder.progress(unit, units);
    completed.set(unit);
  }

  /** A new event body with the cell's address filled in. */
  public static ObjectNode data(Cell c) {
    ObjectNode d = Json.object();
    d.put("array", c.array());
    d.put("row", c.row());
    d.put("col", c.col());
    return d;
  }

  /** Appends an event to the journal (acknowledged on return) and publishes it. */
  public void emit(ObjectNode data) throws IOException {
    recorder.event(data);
  }

  /** Waits until {@code t} on the run clock, in slices, checking for an abort in between. */
  public void waitUntil(Instant t) throws IOException {
    while (true) {
      checkpoint();
      Instant now = clock.now();
      if (!now.isBefore(t)) return;
      Instant slice = now.plus(WAIT_SLICE);
      try {
        clock.sleepUntil(slice.isBefore(t) ? slice : t);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abort.request("interrupted");
      }
    }
  }
}
