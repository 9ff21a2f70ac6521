package org.rramctl.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Records one run: builds its documents (type, seq, run id, time), appends each to the journal, then hands
 * it to the sinks. A document is acknowledged when {@link #event} (or any other method here) returns.
 *
 * <p>Not thread-safe: the run's thread only. Closing without {@link #stop} leaves the journal without a
 * stop document, which the next start reports as interrupted.
 */
public final class RunRecorder implements AutoCloseable {
  private final RunLock lock;
  private final JournalWriter writer;
  private final String runId;
  private final Instant t0;
  private final Supplier<Instant> clock;
  private final List<DocumentSink> sinks;
  private long seq;
  private long events;
  private int sinkFailures;
  private boolean stopped;

  private RunRecorder(RunLock lock, JournalWriter writer, String runId, Instant t0, Supplier<Instant> clock, List<DocumentSink> sinks, long seq) {
    this.lock = lock;
    this.writer = writer;
    this.runId = runId;
    this.t0 = t0;
    this.clock = clock;
    this.sinks = new ArrayList<>(sinks);
    this.seq = seq;
  }

  /**
   * Takes the run's lock, creates its journal file and writes its start document. The lock is held until
   * {@link #close}.
   *
   * @param startFields the start document's content (procedure, parameters, board, ...); type, seq, run
   *     and time are added here
   */
  public static RunRecorder start(RunDirectory dir, String runId, ObjectNode startFields, Durability durability,
      Supplier<Instant> clock, List<DocumentSink> sinks) throws IOException {
    RunLock lock = dir.lock(runId);
    JournalWriter w;
    try {
      w = JournalWriter.create(dir.journal(runId), durability);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    RunRecorder r = new RunRecorder(lock, w, runId, clock.get(), clock, sinks, 0);
    try {
      r.write("start", startFields);
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  /**
   * Reopens an ended (aborted, failed, interrupted) run to continue it: cuts a torn tail, appends a resume
   * document. Times of later events stay relative to the original start.
   *
   * @param lock the run's lock, taken (by {@link RunDirectory#lock}) before {@code journal} was read; this
   *     recorder owns it from now on and releases it on {@link #close}, also when this method fails
   */
  public static RunRecorder resume(RunLock lock, Journal journal, ObjectNode resumeFields, Durability durability,
      Supplier<Instant> clock, List<DocumentSink> sinks) throws IOException {
    JournalWriter w;
    Instant t0;
    try {
      ObjectNode start = journal.start().orElseThrow(() -> new IOException(journal.file() + ": no start document; nothing to resume"));
      t0 = Instant.parse(start.path("time").asText());
      w = JournalWriter.reopen(journal.file(), durability, journal.cleanLength());
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    RunRecorder r = new RunRecorder(lock, w, journal.runId(), t0, clock, sinks, journal.nextSeq());
    try {
      r.write("resume", resumeFields);
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  /** Wraps a writer of an ended journal whose run lock the caller holds, to append to it (recovery). */
  static RunRecorder attach(JournalWriter writer, Journal journal, Supplier<Instant> clock) {
    Instant t0 = journal.start().map(st -> Instant.parse(st.path("time").asText())).orElse(clock.get());
    return new RunRecorder(null, writer, journal.runId(), t0, clock, List.of(), journal.nextSeq());
  }

  public String runId() {
    return runId;
  }

  /** The time of the original start document. */
  public Instant startTime() {
    return t0;
  }

  /** Events recorded by this recorder (not counting earlier segments of a resumed run). */
  public long events() {
    return events;
  }

  /** Appends a data event; {@code t} (seconds since the run's start) is added beside the data. */
  public void event(ObjectNode data) throws IOException {
    ObjectNode body = Json.object();
    body.put("t", secondsSinceStart(clock.get()));
    body.set("data", Objects.requireNonNull(data, "data"));
    write("event", body);
    events++;
  }

  /** Records that unit {@code unit} of {@code units} is complete, so a resume can skip it. */
  public void progress(int unit, int units) throws IOException {
    ObjectNode body = Json.object();
    body.put("unit", unit);
    body.put("units", units);
    write("progress", body);
  }

  /** Writes the stop document. {@code extra} fields (summary, outputsIdle, ...) are added after status and reason. */
  public void stop(RunStatus status, String reason, ObjectNode extra) throws IOException {
    if (status == RunStatus.RUNNING) throw new IllegalArgumentException("status: running (expected: a final status)");
    ObjectNode body = Json.object();
    body.put("status", status.json());
    if (reason == null) body.putNull("reason");
    else body.put("reason", reason);
    body.put("events", events);
    if (sinkFailures > 0) body.put("sinkFailures", sinkFailures);
    if (extra != null) body.setAll(extra);
    write("stop", body);
    stopped = true;
  }

  public boolean stopped() {
    return stopped;
  }

  private double secondsSinceStart(Instant now) {
    return Duration.between(t0, now).toNanos() / 1e9;
  }

  private void write(String type, ObjectNode fields) throws IOException {
    ObjectNode doc = Json.object();
    doc.put("type", type);
    doc.put("seq", seq);
    doc.put("run", runId);
    doc.put("time", clock.get().toString());
    doc.setAll(fields);
    byte[] json;
    try {
      json = Json.MAPPER.writeValueAsBytes(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("document " + type + " cannot be serialised", e);
    }
    writer.append(json);
    seq++;
    for (int i = 0; i < sinks.size(); i++) {
      try {
        sinks.get(i).accept(type, doc, json);
      } catch (Exception e) {
        // A broken subscriber or printer must never end a measurement; the stop document counts it.
        sinkFailures++;
        sinks.remove(i--);
      }
    }
  }

  /** Closes the journal (forcing it to the device), then releases the run's lock. Does not write a stop document. */
  @Override
  public void close() throws IOException {
    try {
      writer.close();
    } finally {
      if (lock != null) lock.close();
    }
  }
}
