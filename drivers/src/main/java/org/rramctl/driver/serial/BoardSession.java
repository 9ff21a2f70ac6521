package org.rramctl.driver.serial;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.rramctl.driver.Cell;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.RefusedException;
import org.rramctl.driver.TimeoutNothingRanException;
import org.rramctl.driver.transport.Transport;
import org.rramctl.driver.transport.TransportClosedException;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.Envelope;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.ExecutionRecord;
import org.rramctl.protocol.FrameDecoder;
import org.rramctl.protocol.FrameEvent;
import org.rramctl.protocol.MessageCodec;
import org.rramctl.protocol.Opcode;
import org.rramctl.protocol.ProtocolException;
import org.rramctl.protocol.ProtocolVersionException;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.WireFormat;

/**
 * The host side of one connection to a board (PROTOCOL.md section 5): the handshake, sequence numbers,
 * timeouts, retries of idempotent commands, the de-duplication dance for device-changing ones, the
 * heartbeat, and reassembly of streamed answers. It turns a {@link Transport} into
 * {@link #call(Command, Cell)}: command in, every frame of its answer out, or a typed exception.
 *
 * <h2>Threads</h2>
 * The session runs three daemon threads of its own: a <b>reader</b> (transport to frames to the waiting
 * exchange, when no caller is reading the line itself: a caller waiting for its answer reads it directly,
 * leader/follower style, to save a thread wake-up per round trip), a <b>writer</b> (drains a queue of
 * frames, e.g. heartbeats and ABORT, into the transport; a caller writes its own command directly when
 * the line is free), and a <b>keeper</b> (sends HEARTBEAT when the line has been quiet for a quarter of
 * the board's watchdog, and declares the link lost after {@link SessionSettings#attempts()} unanswered
 * heartbeats). Callers: one thread at a time calls {@link #call}; {@link #abort()} and {@link #close()}
 * may be called from any thread at any time.
 *
 * <h2>What an exception means</h2>
 * <ul>
 *   <li>{@link RefusedException}: the board refused or failed the command (ERROR response); its code is
 *       the firmware's {@link ErrorCode} name. Every code but COMPLIANCE, WATCHDOG and HARDWARE_FAULT
 *       means nothing was applied; after those the outputs are idle and the devices must be re-read.</li>
 *   <li>{@link DriverAbortedException}: the command was ended by {@link #abort()}; outputs idle.</li>
 *   <li>{@link TimeoutNothingRanException}: no answer after every retry. Idempotent commands: failed.
 *       Device-changing commands: thrown only when LAST_EXECUTED proved the board never ran it.</li>
 *   <li>{@link OutcomeUnknownException}: a device-changing command may or may not have run (link lost,
 *       board rebooted). Never re-sent automatically.</li>
 *   <li>{@link LinkLostException}: the link went away before an idempotent command was answered, or
 *       before a device-changing one was sent. The session is dead; open a new one.</li>
 * </ul>
 * A device-changing command is never reported done unless the board said so, in its answer or in its
 * execution history.
 *
 * <h2>Ownership</h2>
 * The session owns the transport it was opened on and closes it on {@link #close()} or on a lost link.
 */
public final class BoardSession implements Closeable {
  /** What the reader hands a waiting exchange when the link is gone. */
  private static final Object LOST = new Object();
  /** How many device-changing sequence numbers are kept out of reuse (PROTOCOL.md 5.3). */
  private static final int REMEMBERED_SEQUENCES = 32;
  /** A board sends UPDATE progress at least this often (PROTOCOL.md 5.5). */
  private static final Duration PROGRESS_INTERVAL = Duration.ofMillis(100);
  /** Longest single read, so that the read lock changes hands often. */
  private static final long READ_SLICE_NANOS = 5_000_000L;
  /** How long after a caller's answer the reader thread stays off the line, expecting the next command. */
  private static final long CALLER_GRACE_NANOS = 2_000_000L;

  private final Transport transport;
  private final String port;
  private final SessionSettings settings;
  private final ConcurrentHashMap<Integer, Exchange> waiting = new ConcurrentHashMap<>();
  private final LinkedBlockingDeque<byte[]> outbox = new LinkedBlockingDeque<>();
  /** Held by whoever reads the transport: the reader thread, or a caller waiting for its answer. */
  private final java.util.concurrent.locks.ReentrantLock readLock = new java.util.concurrent.locks.ReentrantLock();
  private final FrameDecoder decoder = FrameDecoder.create(); // guarded by readLock
  private final byte[] readBuffer = new byte[16 * 1024]; // guarded by readLock
  /** Callers inside {@link #collect}; the reader thread leaves the line to them. */
  private final java.util.concurrent.atomic.AtomicInteger callersWaiting = new java.util.concurrent.atomic.AtomicInteger();
  private volatile long lastCallerNanos;
  /** Held by whoever writes: the writer thread, or a caller on the fast path of {@link #send}. */
  private final java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock();
  private final Object sequenceLock = new Object();
  private final ArrayDeque<Integer> recentDeviceSequences = new ArrayDeque<>(); // guarded by sequenceLock
  private int lastSequence; // guarded by sequenceLock
  private final AtomicLong framingErrors = new AtomicLong();
  private final AtomicLong strayFrames = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  private final Thread reader;
  private final Thread writer;
  private Thread keeper;

  private volatile IOException lost;
  private volatile boolean closed;
  private volatile long lastSentNanos = System.nanoTime();
  private volatile long lastReceivedNanos = System.nanoTime();
  private volatile Response.Identity identity;
  private volatile boolean handshakeNeeded = true;
  private volatile boolean rebooted;
  private volatile long lastUptimeMillis = -1;

  /** Unstarted; {@link #open} starts it. Package-private for the sequence-number test. */
  BoardSession(Transport transport, SessionSettings settings) {
    this.transport = transport;
    this.port = transport.endpoint();
    this.settings = settings;
    this.reader = daemon(this::readLoop, "reader");
    this.writer = daemon(this::writeLoop, "writer");
  }

  /**
   * Starts a session on an open transport: purges stale input, sends a lone 0x00 (ending any partial
   * frame noise left in the board's receiver), then HELLO and LAST_EXECUTED (PROTOCOL.md 5.1). The
   * session takes ownership of the transport and closes it if the handshake fails.
   *
   * @throws RefusedException of code {@code VERSION_MISMATCH} when the board's version is outside the
   *     window, naming both (the cause is the codec's {@link ProtocolVersionException})
   * @throws TimeoutNothingRanException when nothing answers the handshake
   */
  public static BoardSession open(Transport transport, SessionSettings settings) throws IOException {
    BoardSession s = new BoardSession(transport, settings);
    try {
      transport.purgeInput();
      s.reader.start();
      s.writer.start();
      s.send(new byte[] {WireFormat.DELIMITER}, false);
      s.handshake();
      s.keeper = s.daemon(s::keepLoop, "keeper");
      s.keeper.start();
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** The board's IDENTITY from the latest handshake. */
  public Response.Identity identity() {
    return identity;
  }

  /**
   * The protocol version this session speaks: the board's, from the latest handshake (it lies in the host's window, or
   * the handshake refused the board); before the first handshake the window's lowest. Every frame the session sends
   * carries it (HELLO the window's highest, PROTOCOL.md 5.1), and every frame it receives must.
   */
  public int protocolVersion() {
    Response.Identity id = identity;
    return id == null ? settings.minVersion() : id.protocolVersion();
  }

  /** The port or endpoint, as the transport names it. */
  public String port() {
    return port;
  }

  /** True once the link was lost or the session closed; a new session is then needed. */
  public boolean isDead() {
    return lost != null || closed;
  }

  /** Why the link was lost, or null while it is up. */
  public IOException lostCause() {
    return lost;
  }

  /** Frames that failed COBS, length or CRC checks on this side, since the session opened. */
  public long framingErrors() {
    return framingErrors.get();
  }

  /** Good frames that answered nothing this session waits for: late replies to abandoned attempts. */
  public long strayFrames() {
    return strayFrames.get();
  }

  /** Bytes handed to the transport since the session opened. */
  public long bytesSent() {
    return bytesSent.get();
  }

  /**
   * Sends a command and returns every frame of its answer: one frame, or all parts of a streamed answer
   * in order. Idempotent commands are retried with new sequence numbers; device-changing ones follow
   * PROTOCOL.md 5.4 (LAST_EXECUTED before any re-send, the same sequence number on a re-send). A
   * device-changing command recovered from the board's history is answered with a synthesised final
   * frame: PULSE_DONE (also for PULSE_THEN_READ, whose read the caller then repeats) or a final
   * UPDATE_PROGRESS.
   *
   * @param cell the device the command addresses, for error context; null for others
   */
  public List<Response> call(Command command, Cell cell) throws IOException {
    checkUsable();
    // A host that was silent for longer than the board's watchdog (a GC pause, a suspended laptop, a stalled
    // line) must assume the board has idled and wants a HELLO (PROTOCOL.md 5.2): do it before anything else.
    if (identity != null && System.nanoTime() - lastSentNanos > identity.watchdogMillis() * 1_000_000L) handshakeNeeded = true;
    if (handshakeNeeded) handshake();
    return command.opcode().changesDevices() ? callChanging(command, cell) : callIdempotent(command, cell);
  }

  /**
   * Sends ABORT at once, ahead of anything queued and interleaved with a command in flight (its frame goes
   * out by the writer thread while the caller still waits for its own answer), and waits up to
   * {@link SessionSettings#abortTimeout()} for the board's ACK, which it sends once every output is idle
   * (after ERROR ABORTED for a running command, PROTOCOL.md 5.6). Any thread; never throws.
   *
   * @return true when the board confirmed (ACK); false on a dead session or when no ACK came in time (the
   *     board's watchdog then idles the outputs once the host falls silent, but nobody has confirmed it)
   */
  public boolean abort() {
    if (isDead()) return false;
    int seq = nextSequence(false);
    Exchange ex = new Exchange(seq, Opcode.ABORT);
    waiting.put(seq, ex);
    try {
      send(MessageCodec.frame(new Command.Abort(), seq, protocolVersion()), true);
      Result r = collect(ex, settings.abortTimeout().toNanos(), settings.abortTimeout().toNanos(), false);
      return r.kind == Kind.DONE && r.last() instanceof Response.Ack;
    } catch (IOException | RuntimeException e) {
      return false;
    } finally {
      waiting.remove(seq);
    }
  }

  /** Closes the transport and stops the threads; idempotent, any thread. Does not idle the board (the driver does). */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    fail(new TransportClosedException(port));
  }

  // ---------------------------------------------------------------------------------------------
  // handshake

  private void handshake() throws IOException {
    Command.Hello hello = new Command.Hello(settings.minVersion(), settings.maxVersion());
    Response.Identity id = (Response.Identity) callIdempotent(hello, null).get(0);
    try {
      hello.requireAccepts(id);
    } catch (ProtocolVersionException e) {
      throw new RefusedException(port, Opcode.HELLO.name(), -1, ErrorCode.VERSION_MISMATCH.name(), "the host refuses the board: " + e.getMessage(), null, e);
    }
    boolean first = identity == null;
    identity = id;
    handshakeNeeded = false;
    Response.Executed executed = (Response.Executed) callIdempotent(new Command.LastExecuted(), null).get(0);
    synchronized (sequenceLock) {
      for (ExecutionRecord r : executed.records()) remember(r.sequence());
      // Start after the newest remembered command, so that a new command cannot look like an old one.
      if (first && !executed.records().isEmpty()) lastSequence = executed.records().get(0).sequence();
    }
    Response.HeartbeatAck ack = (Response.HeartbeatAck) callIdempotent(new Command.Heartbeat(), null).get(0);
    lastUptimeMillis = ack.uptimeMillis();
    rebooted = false;
  }

  // ---------------------------------------------------------------------------------------------
  // the two kinds of command

  private List<Response> callIdempotent(Command c, Cell cell) throws IOException {
    Opcode op = c.opcode();
    long started = System.nanoTime();
    int seq = -1;
    String why = "no answer";
    int busyWaits = 0;
    for (int attempt = 1; attempt <= settings.attempts(); attempt++) {
      seq = nextSequence(false);
      Exchange ex = new Exchange(seq, op);
      waiting.put(seq, ex);
      try {
        byte[] frame = frame(c, seq);
        send(frame, op == Opcode.ABORT);
        Result r = collect(ex, firstTimeout(c, frame.length), gapTimeout(), false);
        switch (r.kind) {
          case DONE -> {
            if (r.last() instanceof Response.Error e) {
              if (e.code() == ErrorCode.MALFORMED && attempt < settings.attempts()) {
                why = "MALFORMED: " + e.detail();
                continue; // the frame was damaged in a way the CRC missed, or a real bug: one more try tells
              }
              if (e.code() == ErrorCode.BUSY && busyWaits < settings.attempts()) {
                // Still running: an earlier attempt of ours that timed out (a stalled host or a slow line; the
                // board runs it and its answer is discarded), or a command an earlier call gave up on. Wait
                // until the board is idle (it serves STATUS while busy, 5.5), then send again: the command is
                // repeatable, and the BUSY does not count as an attempt.
                busyWaits++;
                waiting.remove(seq);
                awaitIdle(op, seq, started);
                attempt--;
                continue;
              }
              if (e.code() == ErrorCode.WATCHDOG && op != Opcode.HELLO && op != Opcode.LAST_EXECUTED && attempt < settings.attempts()) {
                // The board idled while we were quiet and wants a HELLO (PROTOCOL.md 5.2); the command is repeatable.
                why = "WATCHDOG: " + e.detail();
                waiting.remove(seq);
                handshake();
                continue;
              }
              throw error(e, op, seq, cell);
            }
            return r.frames;
          }
          case LOST -> throw lostException();
          case TIMEOUT -> why = "no answer";
          case GAP -> why = "a streamed part went missing";
        }
      } finally {
        waiting.remove(seq);
      }
    }
    TimeoutNothingRanException timeout = new TimeoutNothingRanException(port, op.name(), seq, Duration.ofNanos(System.nanoTime() - started), why + " after " + settings.attempts() + " attempts", null);
    // Silence through every attempt of a repeatable command: the link is unusable. Declaring it lost lets
    // the driver reconnect at its next call instead of timing out command after command.
    if (why.equals("no answer")) fail(new LinkLostException(port, "no answer to " + settings.attempts() + " attempts of " + op, timeout));
    throw timeout;
  }

  /**
   * Polls STATUS until the board says it is not busy, for at most the time a command may take to start
   * answering ({@link #gapTimeout()}) times the attempts.
   */
  private void awaitIdle(Opcode op, int seq, long started) throws IOException {
    long deadline = System.nanoTime() + gapTimeout() * settings.attempts();
    while (true) {
      Response.Status st = (Response.Status) callIdempotent(new Command.GetStatus(), null).get(0);
      if (!st.busy()) return;
      if (System.nanoTime() > deadline) {
        throw new TimeoutNothingRanException(port, op.name(), seq, Duration.ofNanos(System.nanoTime() - started),
            "the board stayed BUSY with another command for " + Duration.ofNanos(gapTimeout() * settings.attempts()).toMillis() + " ms", null);
      }
      try {
        Thread.sleep(1); // STATUS is cheap; a running command ends between two polls
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while the board was busy with an earlier command");
      }
    }
  }

  private List<Response> callChanging(Command c, Cell cell) throws IOException {
    Opcode op = c.opcode();
    long started = System.nanoTime();
    int seq = nextSequence(true);
    byte[] frame = frame(c, seq);
    Exchange ex = new Exchange(seq, op);
    waiting.put(seq, ex);
    try {
      checkUsable(); // a link already lost: nothing is sent, so nothing runs (a plain failure)
      try {
        send(frame, false);
      } catch (IOException e) {
        throw unknown(op, seq, started, "the link failed while the command was being sent", e);
      }
      int sends = 1;
      long first = firstTimeout(c, frame.length);
      // The parts of a streamed answer (SWEEP_POINTS) that arrived across waits: a slow part is not a lost one.
      List<Response> got = new ArrayList<>();
      while (true) {
        Result r;
        try {
          r = collect(ex, first, gapTimeout(), true);
        } catch (InterruptedIOException e) {
          // Sent, and the caller's thread was interrupted before the board answered: not a timeout in which
          // nothing ran (the interrupt flag stays set).
          throw unknown(op, seq, started, "the waiting thread was interrupted before the board answered", e);
        }
        if (r.kind == Kind.LOST) throw unknown(op, seq, started, "the link was lost before the board answered", lost);
        for (Response f : r.frames) if (!(f instanceof Response.Error)) got.add(f);
        if (r.kind == Kind.DONE) {
          if (!(r.last() instanceof Response.Error e)) return got;
          if (e.code() == ErrorCode.WATCHDOG) {
            // The board's watchdog expired while we were quiet: it either refused this command before running
            // it, or stopped it part-way. Re-handshake (the history survives HELLO), then the history tells
            // which: listed, it ran and its record is reported below; not listed, it never ran and is re-sent.
            try {
              handshake();
            } catch (IOException h) {
              throw unknown(op, seq, started, "the board's watchdog expired and the re-handshake failed: " + h.getMessage(), h);
            }
          } else if (e.code() != ErrorCode.DUPLICATE) {
            // DUPLICATE answers a re-send whose first copy did arrive: the history has its outcome.
            throw error(e, op, seq, cell);
          }
        }
        ExecutionRecord record;
        try {
          record = lastExecuted(seq, op);
        } catch (IOException e) {
          throw unknown(op, seq, started, "no answer, and LAST_EXECUTED failed: " + e.getMessage(), e);
        }
        if (record == null) {
          if (rebooted) throw unknown(op, seq, started, "the board rebooted and does not remember it", null);
          if (sends >= settings.attempts()) {
            throw new TimeoutNothingRanException(port, op.name(), seq, Duration.ofNanos(System.nanoTime() - started),
                "the board never received it in " + sends + " sends (LAST_EXECUTED does not list it); not executed", null);
          }
          // Byte-identical, same sequence: if the first copy was only slow, the board answers DUPLICATE.
          try {
            send(frame, false);
          } catch (IOException e) {
            throw unknown(op, seq, started, "the link failed while re-sending", e);
          }
          sends++;
          continue;
        }
        switch (record.outcome()) {
          case COMPLETED -> {
            if (c instanceof Command.Source || c instanceof Command.Sweep) {
              // The board records COMPLETED just before its final frame leaves, so the answer is late (a loaded host or
              // board) or lost: wait for it once more. Lost, what it measured went with it, and it cannot be repeated
              // (it changes devices).
              Result late = collect(ex, gapTimeout(), gapTimeout(), true);
              for (Response f : late.frames) if (!(f instanceof Response.Error)) got.add(f);
              if (late.kind == Kind.DONE && !(late.last() instanceof Response.Error)) return got;
              throw unknown(op, seq, started, "it ran (LAST_EXECUTED: COMPLETED, " + record.pulsesApplied() + " levels applied) but the measured "
                  + "current was lost on the line; not repeated", null);
            }
            return List.of(completed(c, record));
          }
          case IN_PROGRESS -> first = gapTimeout(); // still running: wait for its answer, the keeper feeds the watchdog
          case ABORTED -> {
            if (record.error() == ErrorCode.WATCHDOG) {
              handshakeNeeded = true;
              throw refused(op, seq, ErrorCode.WATCHDOG, "stopped by the board's watchdog after " + record.pulsesApplied() + " pulses", cell);
            }
            throw new DriverAbortedException(port, op + " (sequence " + seq + ") after " + record.pulsesApplied() + " pulses; outputs idle");
          }
          case FAILED -> throw refused(op, seq, record.error(), "failed after " + record.pulsesApplied() + " pulses (from LAST_EXECUTED)", cell);
        }
      }
    } finally {
      waiting.remove(seq);
    }
  }

  /** The board's record of a command, or null when it does not list it. */
  private ExecutionRecord lastExecuted(int seq, Opcode op) throws IOException {
    Response.Executed executed;
    try {
      executed = (Response.Executed) callIdempotent(new Command.LastExecuted(), null).get(0);
    } catch (RefusedException e) {
      // HANDSHAKE_REQUIRED here means the board reset since our HELLO: its history is gone.
      if (e.hasCode(ErrorCode.HANDSHAKE_REQUIRED)) rebooted = true;
      throw e;
    }
    for (ExecutionRecord r : executed.records()) {
      if (r.sequence() == seq && r.opcode() == op) return r;
    }
    return null;
  }

  private static Response completed(Command c, ExecutionRecord record) {
    if (c instanceof Command.Update u) return new Response.UpdateProgress(0, false, u.bitLength(), record.pulsesApplied());
    return new Response.PulseDone(record.pulsesApplied());
  }

  private IOException error(Response.Error e, Opcode op, int seq, Cell cell) {
    if (e.code() == ErrorCode.ABORTED) {
      return new DriverAbortedException(port, op + " (sequence " + seq + "); outputs idle" + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")"));
    }
    // The board wants a HELLO before it will touch a device again: do it before the next command.
    if (e.code() == ErrorCode.WATCHDOG || e.code() == ErrorCode.HANDSHAKE_REQUIRED) handshakeNeeded = true;
    return refused(op, seq, e.code(), e.detail(), cell);
  }

  private RefusedException refused(Opcode op, int seq, ErrorCode code, String detail, Cell cell) {
    return new RefusedException(port, op.name(), seq, code.name(), detail, cell, null);
  }

  private OutcomeUnknownException unknown(Opcode op, int seq, long startedNanos, String reason, Throwable cause) {
    return new OutcomeUnknownException(port, op.name(), seq, Duration.ofNanos(System.nanoTime() - startedNanos), reason, cause);
  }

  /**
   * How long the host waits for a board's first answer frame beyond line and run time: {@code ?timeout=} when
   * given ({@link SessionSettings#responseTimeout()}), otherwise a quarter of the board's watchdog (the
   * heartbeat interval of PROTOCOL.md 5.2; a board answers or sends progress well within it), or
   * {@link SessionSettings#HANDSHAKE_TIMEOUT} for the handshake, before the board has said what its watchdog is.
   */
  public Duration responseTimeout() {
    if (settings.responseTimeout() != null) return settings.responseTimeout();
    Response.Identity id = identity;
    return id == null ? SessionSettings.HANDSHAKE_TIMEOUT : Duration.ofNanos(heartbeatIntervalNanos(id));
  }

  /**
   * How long one HEARTBEAT waits for its answer before it counts as missed: a quarter of the board's watchdog
   * (PROTOCOL.md 5.2), plus the line time of one largest frame at the session's baud rate (the answer may queue
   * behind a streamed part). {@link SessionSettings#attempts()} misses in a row make the link lost.
   */
  public Duration heartbeatPatience() {
    return Duration.ofNanos(heartbeatIntervalNanos(identity) + settings.lineTime(WireFormat.MAX_ENCODED_BYTES + 1).toNanos());
  }

  private static long heartbeatIntervalNanos(Response.Identity id) {
    return Math.max(1, id.watchdogMillis()) * 1_000_000L / 4;
  }

  long firstTimeout(Command c, int frameBytes) {
    long nanos = responseTimeout().toNanos() + settings.lineTime(frameBytes + WireFormat.MAX_ENCODED_BYTES / 8).toNanos();
    if (c instanceof Command.Pulse p) nanos += runNanos(p.count(), p.shape().periodNanos());
    if (c instanceof Command.PulseThenRead p) nanos += runNanos(p.count(), p.shape().periodNanos());
    if (c instanceof Command.Update) nanos += PROGRESS_INTERVAL.toNanos();
    if (c instanceof Command.Source so) nanos += so.durationNanos();
    // A sweep streams its points at least every progress interval while it runs (PROTOCOL.md 10.2).
    if (c instanceof Command.Sweep sw) nanos += Math.min(PROGRESS_INTERVAL.toNanos(), runNanos(sw.levelsMillivolts().length, sw.stepNanos() + sw.offNanos()));
    return nanos;
  }

  private static long runNanos(long count, long periodNanos) {
    return count > Long.MAX_VALUE / 4 / periodNanos ? Long.MAX_VALUE / 4 : count * periodNanos;
  }

  /** The frame of a command in this session's version; HELLO carries the host's highest version (PROTOCOL.md 5.1). */
  private byte[] frame(Command c, int seq) {
    return MessageCodec.frame(c, seq, c instanceof Command.Hello ? settings.maxVersion() : protocolVersion());
  }

  /** Between the parts of a stream: a full part's line time, the progress interval, and the response timeout. */
  long gapTimeout() {
    return responseTimeout().toNanos() + settings.lineTime(WireFormat.MAX_ENCODED_BYTES + 1).toNanos() + PROGRESS_INTERVAL.toNanos();
  }

  // ---------------------------------------------------------------------------------------------
  // exchanges

  private enum Kind { DONE, TIMEOUT, GAP, LOST }

  private record Result(Kind kind, List<Response> frames) {
    Response last() {
      return frames.get(frames.size() - 1);
    }
  }

  /** One command waiting for its answer: the reader drops its frames into the inbox. */
  private static final class Exchange {
    final int sequence;
    final Opcode opcode;
    final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();

    Exchange(int sequence, Opcode opcode) {
      this.sequence = sequence;
      this.opcode = opcode;
    }
  }

  /**
   * Waits for the frames of one answer.
   *
   * @param tolerateGaps true for UPDATE progress, whose parts only report liveness
   */
  private Result collect(Exchange ex, long firstNanos, long gapNanos, boolean tolerateGaps) throws InterruptedIOException {
    callersWaiting.incrementAndGet();
    try {
      List<Response> frames = new ArrayList<>();
      int nextPart = 0;
      long deadline = System.nanoTime() + firstNanos;
      while (true) {
        Object o = awaitFrame(ex, deadline);
        if (o == null) return new Result(Kind.TIMEOUT, frames);
        if (o == LOST) return new Result(Kind.LOST, frames);
        Response r = (Response) o;
        frames.add(r);
        if (!(r instanceof Response.Part p)) return new Result(Kind.DONE, frames);
        if (p.part() != nextPart && !tolerateGaps) return new Result(Kind.GAP, frames);
        nextPart = p.part() + 1;
        if (!p.more()) return new Result(Kind.DONE, frames);
        deadline = System.nanoTime() + gapNanos;
      }
    } finally {
      lastCallerNanos = System.nanoTime();
      callersWaiting.decrementAndGet();
    }
  }

  /**
   * The next frame for {@code ex}, or {@link #LOST}, or null at the deadline. Reads the line itself when
   * no other thread is (leader/follower); otherwise waits for the one that is to hand the frame over.
   */
  private Object awaitFrame(Exchange ex, long deadline) throws InterruptedIOException {
    while (true) {
      Object o = ex.inbox.poll();
      if (o != null) return o;
      long left = deadline - System.nanoTime();
      if (left <= 0) return null;
      if (lost == null && readLock.tryLock()) {
        try {
          readOnce(Math.min(left, READ_SLICE_NANOS));
        } catch (InterruptedIOException e) {
          // This caller's thread was interrupted in the read (a transport that honours interrupts): its wait ends,
          // the line is fine and the session stays usable (an abort that follows must still reach the board).
          throw e;
        } catch (IOException e) {
          fail(e); // puts LOST in every inbox, ours included
        } finally {
          readLock.unlock();
        }
        continue;
      }
      try {
        o = ex.inbox.poll(Math.min(left, CALLER_GRACE_NANOS / 2), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException(port + ": interrupted waiting for " + ex.opcode + " (sequence " + ex.sequence + ")");
      }
      if (o != null) return o;
    }
  }

  /** True when {@code r} may answer {@code command}: ERROR always, otherwise the catalogue's response. */
  private static boolean answers(Opcode command, Response r) {
    Opcode got = r.opcode();
    if (got == Opcode.ERROR) return true;
    return switch (command) {
      case HELLO -> got == Opcode.IDENTITY;
      case GET_LIMITS -> got == Opcode.LIMITS;
      case STATUS -> got == Opcode.STATUS_REPORT;
      case HEARTBEAT -> got == Opcode.HEARTBEAT_ACK;
      case LAST_EXECUTED -> got == Opcode.EXECUTED;
      case ABORT -> got == Opcode.ACK;
      case READ -> got == Opcode.CONDUCTANCE;
      case PULSE -> got == Opcode.PULSE_DONE;
      case PULSE_THEN_READ -> got == Opcode.CONDUCTANCE;
      case READ_ROW, READ_COLUMN, READ_ARRAY -> got == Opcode.CONDUCTANCES;
      case FORWARD_READ, TRANSPOSE_READ -> got == Opcode.CURRENTS;
      case UPDATE -> got == Opcode.UPDATE_PROGRESS;
      case SOURCE -> got == Opcode.MEASURED;
      case SWEEP -> got == Opcode.SWEEP_POINTS;
      default -> false;
    };
  }

  int nextSequence(boolean changesDevices) {
    synchronized (sequenceLock) {
      do {
        lastSequence = (lastSequence + 1) & 0xFFFF;
      } while (recentDeviceSequences.contains(lastSequence) || waiting.containsKey(lastSequence));
      if (changesDevices) remember(lastSequence);
      return lastSequence;
    }
  }

  private void remember(int seq) {
    recentDeviceSequences.remove(seq);
    recentDeviceSequences.addLast(seq);
    while (recentDeviceSequences.size() > REMEMBERED_SEQUENCES) recentDeviceSequences.removeFirst();
  }

  // ---------------------------------------------------------------------------------------------
  // threads

  private Thread daemon(Runnable r, String role) {
    Thread t = new Thread(r, "rramctl-session-" + role + " " + port);
    t.setDaemon(true);
    return t;
  }

  private void send(byte[] frame, boolean urgent) throws IOException {
    checkUsable();
    // Nothing queued and the line free: the caller writes itself, saving a thread hand-off per command
    // (single-device work is made of such round trips). A stalled line can then hold the caller in the
    // write, but only until the keeper declares the link lost and closes the transport, which ends it.
    if (!urgent && outbox.isEmpty() && writeLock.tryLock()) {
      try {
        transport.write(frame);
        bytesSent.addAndGet(frame.length);
        lastSentNanos = System.nanoTime();
      } catch (IOException e) {
        fail(e);
        throw lostException();
      } finally {
        writeLock.unlock();
      }
      return;
    }
    if (urgent) outbox.offerFirst(frame);
    else outbox.offerLast(frame);
  }

  private void checkUsable() throws IOException {
    if (closed) throw new TransportClosedException(port);
    if (lost != null) throw lostException();
  }

  private IOException lostException() {
    IOException cause = lost;
    if (closed && !(cause instanceof LinkLostException)) return new TransportClosedException(port);
    if (cause instanceof LinkLostException l) return new LinkLostException(port, l.reason(), l);
    return new LinkLostException(port, String.valueOf(cause == null ? "unknown" : cause.getMessage()), cause);
  }

  /** Marks the link dead, closes the transport and wakes every waiting exchange. Idempotent. */
  private void fail(IOException cause) {
    synchronized (this) {
      if (lost != null) return;
      lost = cause;
    }
    transport.close();
    writer.interrupt();
    if (keeper != null) LockSupport.unpark(keeper);
    for (Exchange ex : waiting.values()) ex.inbox.offer(LOST);
  }

  /**
   * Keeps the line drained when no caller is: heartbeat answers, late replies. While a caller waits for
   * an answer (or has just had one, the gap between back-to-back commands) it reads the line itself in
   * {@link #collect}, which saves the wake-up of one thread by another on every round trip.
   */
  private void readLoop() {
    while (lost == null) {
      if (callersWaiting.get() > 0 || System.nanoTime() - lastCallerNanos < CALLER_GRACE_NANOS) {
        LockSupport.parkNanos(this, CALLER_GRACE_NANOS / 2);
        continue;
      }
      readLock.lock();
      try {
        readOnce(READ_SLICE_NANOS);
      } catch (IOException e) {
        fail(e);
        return;
      } finally {
        readLock.unlock();
      }
    }
  }

  /** One read of up to {@code nanos} and the frames it completes; the caller holds {@link #readLock}. */
  private void readOnce(long nanos) throws IOException {
    int n = transport.read(readBuffer, 0, readBuffer.length, Duration.ofNanos(nanos));
    if (n > 0) decoder.feed(readBuffer, 0, n, this::onFrameEvent);
  }

  private void onFrameEvent(FrameEvent event) {
    if (event instanceof FrameEvent.FramingError) {
      framingErrors.incrementAndGet();
      return;
    }
    Envelope envelope;
    try {
      envelope = MessageCodec.decode(((FrameEvent.Frame) event).packet(), protocolVersion());
    } catch (ProtocolException e) {
      framingErrors.incrementAndGet();
      return;
    }
    if (!(envelope.message() instanceof Response r)) {
      strayFrames.incrementAndGet();
      return;
    }
    lastReceivedNanos = System.nanoTime();
    Exchange ex = waiting.get(envelope.sequence());
    if (ex == null || !answers(ex.opcode, r)) {
      strayFrames.incrementAndGet();
      return;
    }
    ex.inbox.offer(r);
  }

  private void writeLoop() {
    try {
      while (lost == null) {
        byte[] frame = outbox.take();
        writeLock.lock();
        try {
          transport.write(frame);
        } finally {
          writeLock.unlock();
        }
        bytesSent.addAndGet(frame.length);
        lastSentNanos = System.nanoTime();
      }
    } catch (InterruptedException e) {
      // fail() interrupts us after closing the transport: nothing left to write to.
    } catch (IOException e) {
      fail(e);
    }
  }

  /**
   * Feeds the board's watchdog when the host is quiet, and notices a dead link when the board is: a
   * HEARTBEAT goes out whenever nothing was sent, or nothing received, for a quarter of the watchdog
   * time. Each may take that long, plus a full frame's line time (an ACK can queue behind a streamed
   * part on a slow line), to be answered: {@link #heartbeatPatience()}.
   */
  private void keepLoop() {
    long interval = heartbeatIntervalNanos(identity);
    long patience = heartbeatPatience().toNanos();
    // Heartbeats in flight, oldest first, with their deadlines. Sending does not wait for answers:
    // the board's watchdog is fed by what the host sends, whatever the answers are doing.
    ArrayDeque<Exchange> inFlight = new ArrayDeque<>();
    ArrayDeque<Long> deadlines = new ArrayDeque<>();
    int misses = 0;
    while (lost == null) {
      LockSupport.parkNanos(this, interval / 4);
      long now = System.nanoTime();
      while (!inFlight.isEmpty()) {
        Exchange hb = inFlight.peekFirst();
        Object o = hb.inbox.poll();
        if (o == LOST) return;
        if (o instanceof Response r) {
          misses = 0;
          if (r instanceof Response.HeartbeatAck ack) noteUptime(ack.uptimeMillis());
          if (r instanceof Response.Error e && e.code() == ErrorCode.HANDSHAKE_REQUIRED) {
            rebooted = true; // a board only forgets our HELLO by resetting
            handshakeNeeded = true;
          }
        } else if (now - deadlines.peekFirst() > 0) {
          if (++misses >= settings.attempts()) {
            fail(new LinkLostException(port, "no answer to " + misses + " heartbeats in " + (misses * patience / 1_000_000) + " ms"));
            return;
          }
        } else {
          break; // the oldest is still within its time; so are the younger ones
        }
        waiting.remove(hb.sequence);
        inFlight.removeFirst();
        deadlines.removeFirst();
      }
      boolean quiet = now - lastSentNanos >= interval || (inFlight.isEmpty() && now - lastReceivedNanos >= interval);
      if (quiet) {
        int seq = nextSequence(false);
        Exchange hb = new Exchange(seq, Opcode.HEARTBEAT);
        waiting.put(seq, hb);
        inFlight.addLast(hb);
        deadlines.addLast(now + patience);
        try {
          send(MessageCodec.frame(new Command.Heartbeat(), seq, protocolVersion()), true);
        } catch (IOException e) {
          return; // dead already
        }
      }
    }
  }

  private void noteUptime(long uptimeMillis) {
    long previous = lastUptimeMillis;
    // A u32 millisecond counter wraps after 49.7 days; a drop within 10 minutes of the wrap is not a reboot.
    boolean nearWrap = previous > 0xFFFF_FFFFL - 600_000L;
    if (previous >= 0 && uptimeMillis < previous && !nearWrap) {
      rebooted = true;
      handshakeNeeded = true;
    }
    lastUptimeMillis = uptimeMillis;
  }
}
