package org.rramctl.sim.board;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Cell;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.Limits;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.driver.transport.TcpTransport;
import org.rramctl.driver.transport.Transport;
import org.rramctl.protocol.ArrayInfo;
import org.rramctl.protocol.CellAddress;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.Envelope;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.ExecutionRecord;
import org.rramctl.protocol.FrameDecoder;
import org.rramctl.protocol.FrameEncoder;
import org.rramctl.protocol.FrameEvent;
import org.rramctl.protocol.HardwareLimits;
import org.rramctl.protocol.MessageCodec;
import org.rramctl.protocol.Opcode;
import org.rramctl.protocol.Outcome;
import org.rramctl.protocol.ProtocolException;
import org.rramctl.protocol.PulseShape;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.TileAddress;
import org.rramctl.protocol.WireFormat;
import org.rramctl.protocol.WirePlane;
import org.rramctl.protocol.WirePolarity;
import org.rramctl.protocol.WireReadMode;
import org.rramctl.sim.EmulatorDriver;

/**
 * The board side of the firmware protocol (PROTOCOL.md), backed by an {@link EmulatorDriver}: what a
 * firmware would do, in Java, so that the serial driver can be tested end to end over a pipe, a real
 * pseudo-terminal or TCP, and so that a user can point rramctl at {@code serial:/tmp/board} with no
 * hardware.
 *
 * <p>As strict as firmware must be (PROTOCOL.md section 9): frames failing COBS, length or CRC are
 * dropped and counted; a frame that decodes badly is answered MALFORMED / UNKNOWN_OPCODE /
 * VERSION_MISMATCH; geometry and hardware limits are checked before anything is applied
 * (OUT_OF_RANGE, LIMIT_EXCEEDED), whatever the host checked. Device-changing commands are recorded
 * (IN_PROGRESS before the first pulse) in a 32-entry history and de-duplicated by (sequence, opcode).
 * The watchdog idles the outputs and requires a HELLO when the host is silent for longer than
 * {@link Config#watchdogMillis()}. Reads stream in parts of at most {@link Config#maxValuesPerPart()};
 * updates report progress at least every 100 ms.
 *
 * <p>Faults: serve on a {@link org.rramctl.driver.transport.FaultyTransport} for dropped bytes, bit
 * flips, stalls and a disconnect; {@link Config#throttleBaud()} paces what the board sends to a line
 * rate; {@link #reset()} is a reboot. The {@link #executionLog()} lists every device-changing command
 * the board started, so tests can prove that nothing ran twice.
 *
 * <p>Threads: each connection ({@link #serve}) has a reader thread, which answers ABORT, STATUS,
 * HEARTBEAT, LAST_EXECUTED and HELLO at once, and an executor thread for device commands. The board's
 * state (devices, history, log) outlives connections, like a board whose cable is re-plugged; one
 * connection is served at a time and a new one ends the previous. Public methods are thread-safe.
 */
public final class VirtualBoard implements Closeable {

  /**
   * What the board says about itself and how it behaves.
   *
   * @param boardId IDENTITY's board id (serial number)
   * @param firmwareVersion IDENTITY's firmware version text
   * @param protocolVersion the version the board speaks; anything but {@value WireFormat#VERSION} makes it
   *     a board the host must refuse
   * @param watchdogMillis heartbeat timeout, ms
   * @param maxPayloadBytes the largest payload it accepts, 64..8192
   * @param maxValuesPerPart most codes or currents per streamed part (small values force many parts)
   * @param throttleBaud pace outgoing bytes to this line rate, 10 bits per byte; 0 for no pacing
   * @param realTimePulses take wall time as hardware would: a pulse train count x period, applied one pulse at
   *     a time; an UPDATE one pulse period (the longer of its two shapes) per slot, slot by slot. ABORT, the
   *     watchdog or a lost link stop it before the next pulse (or slot).
   */
  public record Config(String boardId, String firmwareVersion, int protocolVersion, int watchdogMillis, int maxPayloadBytes, int maxValuesPerPart,
                       int throttleBaud, boolean realTimePulses) {
    public Config {
      if (boardId == null || boardId.isBlank()) throw new IllegalArgumentException("boardId: '" + boardId + "' (expected: non-blank)");
      if (protocolVersion < 1 || protocolVersion > 255) throw new IllegalArgumentException("protocolVersion: " + protocolVersion + " (expected: 1..255)");
      if (watchdogMillis < 1 || watchdogMillis > 0xFFFF) throw new IllegalArgumentException("watchdogMillis: " + watchdogMillis + " (expected: 1..65535)");
      if (maxPayloadBytes < Response.Identity.MIN_ACCEPTED_PAYLOAD || maxPayloadBytes > WireFormat.MAX_PAYLOAD_BYTES) {
        throw new IllegalArgumentException("maxPayloadBytes: " + maxPayloadBytes + " (expected: 64..8192)");
      }
      if (maxValuesPerPart < 1 || maxValuesPerPart > Response.Currents.MAX_VALUES) {
        throw new IllegalArgumentException("maxValuesPerPart: " + maxValuesPerPart + " (expected: 1.." + Response.Currents.MAX_VALUES + ")");
      }
      if (throttleBaud < 0) throw new IllegalArgumentException("throttleBaud: " + throttleBaud + " (expected: >= 0)");
    }

    /** Board VB-0001, firmware 1.0.0, this protocol version, a 1 s watchdog, full-size frames, no pacing. */
    public static Config defaults() {
      return new Config("VB-0001", "1.0.0", WireFormat.VERSION, 1000, WireFormat.MAX_PAYLOAD_BYTES, Response.Currents.MAX_VALUES, 0, false);
    }

    public Config withBoardId(String id) {
      return new Config(id, firmwareVersion, protocolVersion, watchdogMillis, maxPayloadBytes, maxValuesPerPart, throttleBaud, realTimePulses);
    }

    public Config withFirmware(String fw, int protocol) {
      return new Config(boardId, fw, protocol, watchdogMillis, maxPayloadBytes, maxValuesPerPart, throttleBaud, realTimePulses);
    }

    public Config withWatchdogMillis(int ms) {
      return new Config(boardId, firmwareVersion, protocolVersion, ms, maxPayloadBytes, maxValuesPerPart, throttleBaud, realTimePulses);
    }

    public Config withMaxPayloadBytes(int n) {
      return new Config(boardId, firmwareVersion, protocolVersion, watchdogMillis, n, maxValuesPerPart, throttleBaud, realTimePulses);
    }

    public Config withMaxValuesPerPart(int n) {
      return new Config(boardId, firmwareVersion, protocolVersion, watchdogMillis, maxPayloadBytes, n, throttleBaud, realTimePulses);
    }

    public Config withThrottleBaud(int baud) {
      return new Config(boardId, firmwareVersion, protocolVersion, watchdogMillis, maxPayloadBytes, maxValuesPerPart, baud, realTimePulses);
    }

    public Config withRealTimePulses(boolean on) {
      return new Config(boardId, firmwareVersion, protocolVersion, watchdogMillis, maxPayloadBytes, maxValuesPerPart, throttleBaud, on);
    }
  }

  /**
   * One device-changing command the board started: its sequence number, the connection it came on
   * (1, 2, ...), the command, the pulses it applied (final once it ended), and, when something stopped it,
   * why ({@code stopReason}: ABORTED, WATCHDOG, HARDWARE_FAULT for a reset; NONE otherwise) and how many
   * pulses it had applied at the moment the stop was asked for ({@code pulsesAtStop}, -1 when not stopped):
   * {@code pulsesApplied - pulsesAtStop} is what ran after the stop, at most the pulse (or UPDATE slot) in
   * progress.
   */
  public record LogEntry(int sequence, int connection, Command command, long pulsesApplied, Outcome outcome, ErrorCode stopReason, long pulsesAtStop) {
    LogEntry(int sequence, int connection, Command command, long pulsesApplied, Outcome outcome) {
      this(sequence, connection, command, pulsesApplied, outcome, ErrorCode.NONE, -1);
    }
  }

  private static final int HISTORY = Response.Executed.MAX_RECORDS;
  private static final long PROGRESS_NANOS = 100_000_000L;
  /** Slots the board fires between checks for ABORT and the watchdog. */
  private static final int SLOTS_PER_STEP = 8;

  private final EmulatorDriver emulator;
  private final BoardInfo emulated;
  private final Config config;
  private final Response.Identity identity;
  private final float conductanceLsb;
  private final AtomicLong framesDropped = new AtomicLong();

  // Board state, guarded by this.
  private final ArrayDeque<long[]> history = new ArrayDeque<>(); // {seq, opcode, outcome, error, pulses}, newest first
  private final List<LogEntry> log = new ArrayList<>();
  private long bootNanos = System.nanoTime();
  private boolean handshaken;
  private boolean watchdogExpired; // needs a HELLO before device commands
  private boolean watchdogTripped; // reported once in STATUS_REPORT
  private boolean lastAborted;
  private ErrorCode lastError = ErrorCode.NONE;
  private long lastGoodFrameNanos = System.nanoTime();
  private Job running;
  private Connection current;
  private int connections;
  private ServerSocket server;
  private boolean closed;

  /** A board around {@code emulator}, which it now owns and closes. */
  public VirtualBoard(EmulatorDriver emulator, Config config) {
    this.emulator = emulator;
    this.emulated = emulator.info();
    this.config = config;
    int adcBits = emulated.adcBits();
    // The emulator's ADC: full scale 1.25 G_max; a wire code per ADC step when it fits 16 bits.
    this.conductanceLsb = (float) (1.25 * emulated.gMaxSiemens() / ((1L << Math.min(adcBits, 16)) - 1));
    List<ArrayInfo> arrays = new ArrayList<>();
    for (ArrayGeometry g : emulated.arrays()) arrays.add(new ArrayInfo(g.rows(), g.cols(), g.hasReference()));
    this.identity = new Response.Identity(config.protocolVersion(), config.watchdogMillis(), config.maxPayloadBytes(), config.boardId(),
        "rramctl virtual board (" + emulator.preset().name() + ")", config.firmwareVersion(), arrays, hardwareLimits(emulated.hardwareLimits()),
        Math.min(adcBits, 16), (float) emulated.gMinSiemens(), (float) emulated.gMaxSiemens(), conductanceLsb,
        EnumSet.range(Opcode.READ, Opcode.UPDATE));
  }

  static HardwareLimits hardwareLimits(Limits l) {
    return new HardwareLimits((int) Math.round(l.maxPulseVolts() * 1000), (int) Math.round(l.maxReadVolts() * 10_000), l.minPulseWidthNanos(),
        l.maxPulseWidthNanos(), l.maxPulsesPerCommand(), (long) Math.floor(l.maxPulseRateHz()), Math.round(l.complianceAmps() * 1e9));
  }

  public Config config() {
    return config;
  }

  /** What the board answers HELLO with. */
  public Response.Identity identity() {
    return identity;
  }

  /** The emulated devices; for ground truth in tests. Not to be driven while the board serves. */
  public EmulatorDriver emulator() {
    return emulator;
  }

  /** Frames discarded for bad COBS, length or CRC, since power-up (STATUS_REPORT's framesDropped). */
  public long framesDropped() {
    return framesDropped.get();
  }

  /** Every device-changing command the board started, oldest first (a copy). */
  public synchronized List<LogEntry> executionLog() {
    return List.copyOf(log);
  }

  /** Connections served so far. */
  public synchronized int connections() {
    return connections;
  }

  /**
   * Serves the protocol on {@code transport} until it fails or is closed, ending any previous
   * connection first. Returns at once; the board closes the transport when the connection ends.
   */
  public Connection serve(Transport transport) {
    Connection c;
    Connection previous;
    synchronized (this) {
      if (closed) throw new IllegalStateException("virtual board " + config.boardId() + " is closed");
      previous = current;
      c = new Connection(transport, ++connections);
      current = c;
    }
    if (previous != null) previous.close();
    c.start();
    return c;
  }

  /**
   * Listens on {@code address} (port 0 for any free port) and serves each accepted connection in turn.
   *
   * @return the bound port
   */
  public int listen(InetSocketAddress address) throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(address);
    synchronized (this) {
      server = s;
    }
    Thread t = new Thread(() -> {
      while (!s.isClosed()) {
        try {
          Socket socket = s.accept();
          serve(TcpTransport.wrap(socket));
        } catch (IOException | IllegalStateException e) {
          return; // server closed
        }
      }
    }, "virtual-board-accept " + config.boardId());
    t.setDaemon(true);
    t.start();
    return s.getLocalPort();
  }

  /**
   * A reboot (power cycle, brown-out, firmware crash): stops what runs and sends nothing more about it, drops the
   * commands queued behind it, forgets the history and the handshake, restarts the uptime. Devices keep their state
   * (RRAM is non-volatile). The host is left to find out from a heartbeat's uptime or a HANDSHAKE_REQUIRED.
   */
  public void reset() {
    Job j;
    Connection c;
    synchronized (this) {
      j = running;
      c = current;
      if (j != null) j.silent = true;
      running = null; // nothing runs on a board that just started (the stopped job's thread ends within a check)
      if (c != null) c.jobs.clear();
      history.clear();
      handshaken = false;
      watchdogExpired = false;
      lastAborted = false;
      lastError = ErrorCode.NONE;
      bootNanos = System.nanoTime();
    }
    if (j != null) j.stop(ErrorCode.HARDWARE_FAULT);
  }

  /**
   * What the board does when its host has been silent for longer than {@link Config#watchdogMillis()}, without
   * waiting for it (fault injection, like {@link #reset()}): stops what runs (ABORTED, error WATCHDOG), idles,
   * and answers device commands with WATCHDOG until the next HELLO (PROTOCOL.md 5.2).
   */
  public void tripWatchdog() {
    Job j;
    synchronized (this) {
      watchdogExpired = true;
      watchdogTripped = true;
      lastError = ErrorCode.WATCHDOG;
      j = running;
    }
    if (j != null) j.stop(ErrorCode.WATCHDOG);
  }

  /** Ends the connection and the listener; idempotent. */
  @Override
  public void close() {
    Connection c;
    ServerSocket s;
    synchronized (this) {
      closed = true;
      c = current;
      s = server;
    }
    if (c != null) c.close();
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // being discarded
      }
    }
    emulator.close();
  }

  // ---------------------------------------------------------------------------------------------

  /** A device or read command running on a connection's executor. */
  private static final class Job {
    final int sequence;
    final Command command;
    final long[] record; // null for reads
    final CountDownLatch done = new CountDownLatch(1);
    volatile ErrorCode stopReason; // ABORTED, WATCHDOG, HARDWARE_FAULT (reset); null while allowed to run
    /** Set by a reboot: the board that started this job is gone, so no answer about it leaves. */
    volatile boolean silent;
    /** Pulses applied so far, kept by the executor after each pulse (or slot). */
    volatile long applied;
    /** {@link #applied} when the first stop request arrived; -1 until then. */
    volatile long appliedAtStop = -1;
    private final EmulatorDriver emulator;

    Job(int sequence, Command command, long[] record, EmulatorDriver emulator) {
      this.sequence = sequence;
      this.command = command;
      this.record = record;
      this.emulator = emulator;
    }

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

    /** The thread executing this job, unparked by {@link #stop}. */
    volatile Thread runner;
  }

  /** One host connection: a reader thread and an executor thread on one transport. */
  public final class Connection implements Closeable {
    private final Transport transport;
    private final int number;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final java.util.concurrent.LinkedBlockingQueue<Job> jobs = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread reader;
    private final Thread executor;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean stopping;
    private long lineFreeNanos; // guarded by writeLock

    Connection(Transport transport, int number) {
      this.transport = transport;
      this.number = number;
      this.reader = new Thread(this::readLoop, "virtual-board-reader " + transport.endpoint());
      this.executor = new Thread(this::executeLoop, "virtual-board-executor " + transport.endpoint());
      reader.setDaemon(true);
      executor.setDaemon(true);
    }

    void start() {
      executor.start();
      reader.start();
    }

    /** Waits until the connection has ended (link lost or closed). */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
      return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Ends the connection: stops what runs (outputs idle) and closes the transport. */
    @Override
    public void close() {
      stopping = true;
      transport.close();
      executor.interrupt();
    }

    private void readLoop() {
      FrameDecoder decoder = FrameDecoder.create();
      byte[] buffer = new byte[16 * 1024];
      try {
        while (!stopping) {
          int n = transport.read(buffer, 0, buffer.length, Duration.ofMillis(5));
          if (n > 0) decoder.feed(buffer, 0, n, this::onFrameEvent);
          checkWatchdog();
        }
      } catch (IOException | RuntimeException e) {
        // Link lost or closed: like a host that went away; the running command is stopped below.
      } finally {
        stopping = true;
        Job j;
        synchronized (VirtualBoard.this) {
          j = running;
        }
        if (j != null) j.stop(ErrorCode.ABORTED);
        transport.close();
        executor.interrupt();
        ended.countDown();
      }
    }

    private void onFrameEvent(FrameEvent event) {
      if (event instanceof FrameEvent.FramingError) {
        // Its sequence number cannot be trusted, so there is nobody to answer (PROTOCOL.md 5.6).
        framesDropped.incrementAndGet();
        return;
      }
      byte[] packet = ((FrameEvent.Frame) event).packet();
      int seq = (packet[2] & 0xFF) | (packet[3] & 0xFF) << 8;
      int opByte = packet[1] & 0xFF;
      synchronized (VirtualBoard.this) {
        lastGoodFrameNanos = System.nanoTime(); // every frame with a good CRC feeds the watchdog
      }
      Opcode op;
      try {
        op = Opcode.of(opByte);
      } catch (ProtocolException e) {
        op = null;
      }
      if (op == null || !op.isCommand()) {
        reply(seq, error(ErrorCode.UNKNOWN_OPCODE, opByte, String.format("opcode: 0x%02x (expected: a command 0x01..0x7f of protocol version %d)", opByte, config.protocolVersion())));
        return;
      }
      int version = packet[0] & 0xFF;
      if (op != Opcode.HELLO && version != config.protocolVersion()) {
        reply(seq, error(ErrorCode.VERSION_MISMATCH, opByte, "version: " + version + " (expected: " + config.protocolVersion() + ")"));
        return;
      }
      Envelope envelope;
      try {
        envelope = MessageCodec.decode(packet);
      } catch (ProtocolException e) {
        reply(seq, error(ErrorCode.MALFORMED, opByte, e.getMessage()));
        return;
      }
      if (packet.length > config.maxPayloadBytes() - WireFormat.CRC_BYTES) {
        reply(seq, error(ErrorCode.MALFORMED, opByte, "payload: " + (packet.length + WireFormat.CRC_BYTES) + " bytes (expected: <= " + config.maxPayloadBytes() + ")"));
        return;
      }
      handle(seq, (Command) envelope.message());
    }

    private void handle(int seq, Command c) {
      Opcode op = c.opcode();
      if (c instanceof Command.Hello h) {
        boolean accepted = h.minVersion() <= config.protocolVersion() && config.protocolVersion() <= h.maxVersion();
        synchronized (VirtualBoard.this) {
          handshaken = accepted;
          if (accepted) watchdogExpired = false;
        }
        reply(seq, identity);
        return;
      }
      if (c instanceof Command.Abort) {
        // Served in every state, before the handshake too: idling the outputs is always allowed (PROTOCOL.md 5.6).
        abort(seq);
        return;
      }
      boolean ready;
      synchronized (VirtualBoard.this) {
        ready = handshaken;
      }
      if (!ready) {
        reply(seq, error(ErrorCode.HANDSHAKE_REQUIRED, op.code(), "handshake: none (expected: HELLO with a window including version " + config.protocolVersion() + ")"));
      } else if (c instanceof Command.GetLimits) {
        reply(seq, new Response.Limits(identity.limits()));
      } else if (c instanceof Command.GetStatus) {
        reply(seq, status());
      } else if (c instanceof Command.Heartbeat) {
        reply(seq, new Response.HeartbeatAck(uptimeMillis()));
      } else if (c instanceof Command.LastExecuted) {
        reply(seq, executed());
      } else {
        submit(seq, c);
      }
    }

    private void abort(int seq) {
      Job j;
      synchronized (VirtualBoard.this) {
        j = running;
      }
      if (j != null) {
        j.stop(ErrorCode.ABORTED);
        try {
          // The executor sends ERROR ABORTED for the running command before we ACK (PROTOCOL.md 5.6).
          j.done.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      reply(seq, new Response.Ack());
    }

    private void submit(int seq, Command c) {
      Response.Error refusal = admit(seq, c);
      if (refusal != null) reply(seq, refusal);
    }

    /** Decides, under the board's monitor, whether a device command may start; starts it or says why not. */
    private Response.Error admit(int seq, Command c) {
      Opcode op = c.opcode();
      Job job;
      synchronized (VirtualBoard.this) {
        // PROTOCOL.md 6.1: WATCHDOG, then DUPLICATE before BUSY, so that a re-send of the running command is
        // named a duplicate (IN_PROGRESS) and its host waits for the answer instead of giving up on BUSY.
        // Not recorded in the history: the host re-handshakes and may send the same frame again (PROTOCOL.md 5.2).
        if (watchdogExpired) return error(ErrorCode.WATCHDOG, op.code(), "watchdog: expired (expected: HELLO before device commands)");
        if (op.changesDevices()) {
          for (long[] r : history) {
            if (r[0] == seq && r[1] == op.code()) {
              return error(ErrorCode.DUPLICATE, op.code(), "sequence: " + seq + " (expected: a new one; already " + Outcome.values()[(int) r[2]] + ", " + r[4] + " pulses)");
            }
          }
        }
        if (running != null) {
          return refuse(seq, op, error(ErrorCode.BUSY, op.code(), "busy: " + running.command.opcode() + " (sequence " + running.sequence + ") is running"));
        }
        Response.Error refusal = validate(c);
        if (refusal != null) {
          lastError = refusal.code();
          return refuse(seq, op, refusal);
        }
        long[] record = null;
        if (op.changesDevices()) {
          // Recorded before the first pulse, so that LAST_EXECUTED never misses a command that started.
          record = new long[] {seq, op.code(), Outcome.IN_PROGRESS.ordinal(), ErrorCode.NONE.code(), 0};
          history.addFirst(record);
          while (history.size() > HISTORY) history.removeLast();
          log.add(new LogEntry(seq, number, c, 0, Outcome.IN_PROGRESS));
        }
        job = new Job(seq, c, record, emulator);
        running = job;
      }
      if (runsInline(c)) {
        // Single-device commands take microseconds: run them here, as firmware would in its main loop,
        // and save the hand-off to the executor on the latency that single-device work is made of.
        runJob(job);
      } else {
        jobs.add(job);
      }
      return null;
    }

    /**
     * A device-changing command refused BUSY, UNSUPPORTED, OUT_OF_RANGE or LIMIT_EXCEEDED is recorded FAILED with
     * the refusal and no pulses (PROTOCOL.md 5.4), so
     * that a late copy of its frame is answered DUPLICATE and never runs after its host was told it did not.
     * Called under the board's monitor.
     */
    private Response.Error refuse(int seq, Opcode op, Response.Error refusal) {
      if (op.changesDevices()) {
        history.addFirst(new long[] {seq, op.code(), Outcome.FAILED.ordinal(), refusal.code().code(), 0});
        while (history.size() > HISTORY) history.removeLast();
      }
      return refusal;
    }

    private boolean runsInline(Command c) {
      return c instanceof Command.Read || (!config.realTimePulses() && (c instanceof Command.Pulse || c instanceof Command.PulseThenRead));
    }

    private void executeLoop() {
      while (!stopping) {
        Job job;
        try {
          job = jobs.take();
        } catch (InterruptedException e) {
          return;
        }
        runJob(job);
      }
    }

    private void runJob(Job job) {
      job.runner = Thread.currentThread();
      Response last = execute(job);
      // Idle and recorded before the final frame leaves, so that the host's next command never meets
      // BUSY and a LAST_EXECUTED right after the answer already reads COMPLETED.
      synchronized (VirtualBoard.this) {
        if (running == job) running = null;
      }
      if (!job.silent) reply(job.sequence, last);
      job.done.countDown();
    }

    /** Runs a job, sending all but its final frame; returns the final frame (an answer or an ERROR). */
    private Response execute(Job job) {
      Command c = job.command;
      long[] pulses = {0};
      Outcome outcome = Outcome.COMPLETED;
      ErrorCode failure = ErrorCode.NONE;
      Response last;
      try {
        if (c instanceof Command.Read r) {
          last = new Response.Conductance(code(emulator.read(cell(r.cell()), volts(r.readTenthMillivolts()))));
        } else if (c instanceof Command.Pulse p) {
          applyPulses(job, cell(p.cell()), pulse(p.polarity(), p.shape()), p.count(), pulses);
          last = new Response.PulseDone(pulses[0]);
        } else if (c instanceof Command.PulseThenRead p) {
          applyPulses(job, cell(p.cell()), pulse(p.polarity(), p.shape()), p.count(), pulses);
          last = new Response.Conductance(code(emulator.read(cell(p.cell()), volts(p.readTenthMillivolts()))));
        } else if (c instanceof Command.ReadRow r) {
          last = streamCodes(job, emulator.readRow(r.array(), plane(r.plane()), r.row(), volts(r.readTenthMillivolts())));
        } else if (c instanceof Command.ReadColumn r) {
          last = streamCodes(job, emulator.readColumn(r.array(), plane(r.plane()), r.col(), volts(r.readTenthMillivolts())));
        } else if (c instanceof Command.ReadArray r) {
          last = streamCodes(job, emulator.readArray(r.array(), plane(r.plane()), volts(r.readTenthMillivolts())).siemens());
        } else if (c instanceof Command.ForwardRead f) {
          last = streamCurrents(job, emulator.forwardRead(tile(f.tile()), mode(f.mode()), volts(f.rowTenthMillivolts())));
        } else if (c instanceof Command.TransposeRead t) {
          last = streamCurrents(job, emulator.transposeRead(tile(t.tile()), mode(t.mode()), volts(t.colTenthMillivolts())));
        } else if (c instanceof Command.Update u) {
          last = runUpdate(job, u, pulses);
        } else {
          throw new IllegalStateException("not a device command: " + c);
        }
      } catch (DriverAbortedException | Stopped e) {
        ErrorCode reason = job.stopReason == null ? ErrorCode.ABORTED : job.stopReason;
        outcome = Outcome.ABORTED;
        failure = reason;
        last = error(reason, c.opcode().code(), "stopped after " + pulses[0] + " pulses; outputs idle");
      } catch (RuntimeException e) {
        // The emulator refused what validate() let through: a board bug, reported as such.
        outcome = Outcome.FAILED;
        failure = ErrorCode.HARDWARE_FAULT;
        last = error(ErrorCode.HARDWARE_FAULT, c.opcode().code(), String.valueOf(e.getMessage()));
      }
      synchronized (VirtualBoard.this) {
        if (failure != ErrorCode.NONE) lastError = failure;
        if (job.record != null) {
          job.record[2] = outcome.ordinal();
          job.record[3] = failure.code();
          job.record[4] = pulses[0];
          lastAborted = outcome == Outcome.ABORTED;
          for (int i = log.size() - 1; i >= 0; i--) {
            LogEntry e = log.get(i);
            if (e.command() == c && e.connection() == number) {
              ErrorCode why = job.stopReason == null ? ErrorCode.NONE : job.stopReason;
              log.set(i, new LogEntry(e.sequence(), e.connection(), c, pulses[0], outcome, why, job.appliedAtStop));
              break;
            }
          }
        }
      }
      return last;
    }

    /** Applies a train; with real-time pulses it takes count x period, checking for a stop every 1 % of it. */
    private void applyPulses(Job job, Cell cell, Pulse pulse, long count, long[] applied) throws Stopped {
      if (!config.realTimePulses()) {
        checkStop(job);
        emulator.pulse(cell, pulse, (int) count);
        applied[0] = count;
        return;
      }
      // One pulse at a time, each at its own start time (pulse k at k x period), checking for a stop before
      // each: a stop request costs at most the pulse in progress (PROTOCOL.md 5.6).
      long start = System.nanoTime();
      while (applied[0] < count) {
        awaitNanos(job, start + applied[0] * pulse.periodNanos());
        checkStop(job);
        emulator.pulse(cell, pulse, 1);
        applied[0]++;
        job.applied = applied[0];
      }
      awaitNanos(job, start + count * pulse.periodNanos()); // the last period ends the train
      checkStop(job);
    }

    /** Parks until {@code deadline} (System.nanoTime) or until the job is stopped. */
    private void awaitNanos(Job job, long deadline) {
      for (long left; job.stopReason == null && !stopping && (left = deadline - System.nanoTime()) > 0;) LockSupport.parkNanos(left);
    }

    private Response runUpdate(Job job, Command.Update u, long[] applied) throws Stopped, DriverAbortedException {
      TileAddress t = u.tile();
      int rows = t.rows();
      int cols = t.cols();
      long[] rb = new long[rows];
      byte[] rs = new byte[rows];
      long[] cb = new long[cols];
      byte[] cs = new byte[cols];
      Pulse up = pulse(WirePolarity.UP, u.up());
      Pulse down = pulse(WirePolarity.DOWN, u.down());
      Tile tile = tile(t);
      Plane plane = plane(u.plane());
      int part = 0;
      long lastProgress = System.nanoTime();
      // In runs of up to SLOTS_PER_STEP slots: device (j, i) gets popcount(|r_j| & |c_i|) pulses over any
      // run of slots, so runs give exactly the per-slot result; a stop takes effect between runs, at a
      // fraction of the cost of one emulator call per slot.
      // Real time: one slot per step, each taking one pulse period of the slower shape, as hardware pulsing
      // the coincident devices of a slot in parallel would.
      int step = config.realTimePulses() ? 1 : SLOTS_PER_STEP;
      long slotNanos = Math.max(u.up().periodNanos(), u.down().periodNanos());
      long start = System.nanoTime();
      for (int slot = 0; slot < u.bitLength(); slot += step) {
        if (config.realTimePulses()) awaitNanos(job, start + slot * slotNanos);
        checkStop(job);
        int k = Math.min(step, u.bitLength() - slot);
        long mask = (1L << k) - 1;
        int[] rowsPerSlot = new int[k];
        int[] colsPerSlot = new int[k];
        boolean anyRow = false;
        for (int j = 0; j < rows; j++) {
          long s = u.rowStreams()[j];
          rb[j] = (Math.abs(s) >>> slot) & mask;
          rs[j] = (byte) (rb[j] == 0 ? 0 : s < 0 ? -1 : 1);
          for (long b = rb[j]; b != 0; b &= b - 1) rowsPerSlot[Long.numberOfTrailingZeros(b)]++;
          anyRow |= rb[j] != 0;
        }
        boolean anyCol = false;
        for (int i = 0; i < cols; i++) {
          long s = u.colStreams()[i];
          cb[i] = (Math.abs(s) >>> slot) & mask;
          cs[i] = (byte) (cb[i] == 0 ? 0 : s < 0 ? -1 : 1);
          for (long b = cb[i]; b != 0; b &= b - 1) colsPerSlot[Long.numberOfTrailingZeros(b)]++;
          anyCol |= cb[i] != 0;
        }
        if (anyRow && anyCol) {
          emulator.parallelUpdate(tile, plane, new StochasticUpdate(k, rb, rs, cb, cs, up, down));
          for (int q = 0; q < k; q++) applied[0] += (long) rowsPerSlot[q] * colsPerSlot[q];
          job.applied = applied[0];
        }
        long now = System.nanoTime();
        if (now - lastProgress >= PROGRESS_NANOS && slot + k < u.bitLength()) {
          reply(job.sequence, new Response.UpdateProgress(part++, true, slot + k, Math.min(applied[0], 0xFFFF_FFFFL)));
          lastProgress = now;
        }
      }
      return new Response.UpdateProgress(part, false, u.bitLength(), Math.min(applied[0], 0xFFFF_FFFFL));
    }

    private Response streamCodes(Job job, double[] siemens) throws Stopped {
      int per = Math.min(config.maxValuesPerPart(), Response.Conductances.MAX_CODES);
      int part = 0;
      for (int first = 0; ; first += per) {
        checkStop(job);
        int n = Math.min(per, siemens.length - first);
        short[] codes = new short[n];
        for (int k = 0; k < n; k++) codes[k] = (short) code(siemens[first + k]);
        boolean more = first + n < siemens.length;
        Response r = new Response.Conductances(part++, more, first, codes);
        if (!more) return r;
        reply(job.sequence, r);
      }
    }

    private Response streamCurrents(Job job, double[] amps) throws Stopped {
      int per = Math.min(config.maxValuesPerPart(), Response.Currents.MAX_VALUES);
      int part = 0;
      for (int first = 0; ; first += per) {
        checkStop(job);
        int n = Math.min(per, amps.length - first);
        float[] f = new float[n];
        for (int k = 0; k < n; k++) f[k] = (float) amps[first + k];
        boolean more = first + n < amps.length;
        Response r = new Response.Currents(part++, more, first, f);
        if (!more) return r;
        reply(job.sequence, r);
      }
    }

    private void checkStop(Job job) throws Stopped {
      if (job.stopReason != null || stopping) throw new Stopped();
    }

    private void checkWatchdog() {
      Job j;
      synchronized (VirtualBoard.this) {
        if (!handshaken || watchdogExpired) return;
        if (System.nanoTime() - lastGoodFrameNanos <= config.watchdogMillis() * 1_000_000L) return;
        // The host went quiet: idle everything and insist on a new HELLO (PROTOCOL.md 5.2).
        watchdogExpired = true;
        watchdogTripped = true;
        lastError = ErrorCode.WATCHDOG;
        j = running;
      }
      if (j != null) j.stop(ErrorCode.WATCHDOG);
    }

    private void reply(int seq, Response r) {
      byte[] frame;
      if (r instanceof Response.Identity && config.protocolVersion() != WireFormat.VERSION) {
        // IDENTITY goes out under the board's own version byte; its layout is the same in every version.
        byte[] packet = MessageCodec.encode(r, seq);
        packet[0] = (byte) config.protocolVersion();
        frame = FrameEncoder.frame(packet);
      } else {
        frame = MessageCodec.frame(r, seq);
      }
      writeLock.lock();
      try {
        pace(frame.length);
        transport.write(frame);
      } catch (IOException e) {
        stopping = true; // the reader notices too and ends the connection
        transport.close();
      } finally {
        writeLock.unlock();
      }
    }

    /**
     * Holds a frame until its last byte would have left a line of {@link Config#throttleBaud()} (10 bits per byte),
     * counting from when the line is free: the host then receives it no sooner than it would from a real board.
     * (Pacing after the write, as this did before, let a one-frame answer arrive at once.)
     */
    private void pace(int bytes) {
      if (config.throttleBaud() == 0) return;
      long now = System.nanoTime();
      lineFreeNanos = Math.max(lineFreeNanos, now) + bytes * 10L * 1_000_000_000L / config.throttleBaud();
      while (System.nanoTime() < lineFreeNanos) LockSupport.parkNanos(lineFreeNanos - System.nanoTime());
    }
  }

  /** A stop request (ABORT, watchdog, reset, lost link) seen between pulses, slots or parts. */
  private static final class Stopped extends Exception {
    Stopped() {
      super(null, null, false, false);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // validation: everything a firmware checks before touching an output

  private Response.Error validate(Command c) {
    HardwareLimits h = identity.limits();
    String problem;
    ErrorCode code;
    if (c instanceof Command.Read r) {
      problem = checkCell(r.cell());
      code = ErrorCode.OUT_OF_RANGE;
      if (problem == null) {
        problem = checkRead("readVoltage", r.readTenthMillivolts(), h);
        code = ErrorCode.LIMIT_EXCEEDED;
      }
    } else if (c instanceof Command.Pulse p) {
      problem = checkCell(p.cell());
      code = ErrorCode.OUT_OF_RANGE;
      if (problem == null) {
        problem = checkShape("shape", p.shape(), h);
        if (problem == null) problem = checkCount(p.count(), h);
        code = ErrorCode.LIMIT_EXCEEDED;
      }
    } else if (c instanceof Command.PulseThenRead p) {
      problem = checkCell(p.cell());
      code = ErrorCode.OUT_OF_RANGE;
      if (problem == null) {
        problem = checkShape("shape", p.shape(), h);
        if (problem == null) problem = checkCount(p.count(), h);
        if (problem == null) problem = checkRead("readVoltage", p.readTenthMillivolts(), h);
        code = ErrorCode.LIMIT_EXCEEDED;
      }
    } else if (c instanceof Command.ReadRow r) {
      problem = checkPlane(r.array(), r.plane());
      if (problem == null && r.row() >= emulated.array(r.array()).rows()) problem = "row: " + r.row() + " (expected: 0.." + (emulated.array(r.array()).rows() - 1) + ")";
      code = ErrorCode.OUT_OF_RANGE;
      if (problem == null) {
        problem = checkRead("readVoltage", r.readTenthMillivolts(), h);
        code = ErrorCode.LIMIT_EXCEEDED;
      }
    } else if (c instanceof Command.ReadColumn r) {
      problem = checkPlane(r.array(), r.plane());
      if (problem == null && r.col() >= emulated.array(r.array()).cols()) problem = "col: " + r.col() + " (expected: 0.." + (emulated.array(r.array()).cols() - 1) + ")";
      code = ErrorCode.OUT_OF_RANGE;
      if (problem == null) {
        problem = checkRead("readVoltage", r.readTenthMillivolts(), h);
        code = ErrorCode.LIMIT_EXCEEDED;
      }
    } else if (c instanceof Command.ReadArray r) {
      problem = checkPlane(r.array(), r.plane());
      code = ErrorCode.OUT_OF_RANGE;
      if (problem == null) {
        problem = checkRead("readVoltage", r.readTenthMillivolts(), h);
        code = ErrorCode.LIMIT_EXCEEDED;
      }
    } else if (c instanceof Command.ForwardRead f) {
      problem = checkTile(f.tile(), f.mode() == WireReadMode.ACTIVE ? WirePlane.ACTIVE : WirePlane.REFERENCE);
      code = ErrorCode.OUT_OF_RANGE;
      if (problem == null) {
        problem = checkVector("v", f.rowTenthMillivolts(), h);
        code = ErrorCode.LIMIT_EXCEEDED;
      }
    } else if (c instanceof Command.TransposeRead t) {
      problem = checkTile(t.tile(), t.mode() == WireReadMode.ACTIVE ? WirePlane.ACTIVE : WirePlane.REFERENCE);
      code = ErrorCode.OUT_OF_RANGE;
      if (problem == null) {
        problem = checkVector("v", t.colTenthMillivolts(), h);
        code = ErrorCode.LIMIT_EXCEEDED;
      }
    } else if (c instanceof Command.Update u) {
      problem = checkTile(u.tile(), u.plane());
      code = ErrorCode.OUT_OF_RANGE;
      if (problem == null) {
        problem = checkShape("up", u.up(), h);
        if (problem == null) problem = checkShape("down", u.down(), h);
        if (problem == null && u.bitLength() > h.maxPulsesPerCommand()) problem = "bitLength: " + u.bitLength() + " (expected: <= " + h.maxPulsesPerCommand() + ")";
        code = ErrorCode.LIMIT_EXCEEDED;
      }
    } else {
      return null;
    }
    return problem == null ? null : error(code, c.opcode().code(), problem);
  }

  private String checkPlane(int array, WirePlane plane) {
    if (array >= emulated.arrays().size()) return "array: " + array + " (expected: 0.." + (emulated.arrays().size() - 1) + ")";
    if (plane == WirePlane.REFERENCE && !emulated.array(array).hasReference()) return "plane: REFERENCE (expected: ACTIVE; array " + array + " has no reference)";
    return null;
  }

  private String checkCell(CellAddress c) {
    String p = checkPlane(c.array(), c.plane());
    if (p != null) return p;
    ArrayGeometry g = emulated.array(c.array());
    if (c.row() >= g.rows()) return "row: " + c.row() + " (expected: 0.." + (g.rows() - 1) + ")";
    if (c.col() >= g.cols()) return "col: " + c.col() + " (expected: 0.." + (g.cols() - 1) + ")";
    return null;
  }

  private String checkTile(TileAddress t, WirePlane plane) {
    String p = checkPlane(t.array(), plane);
    if (p != null) return p;
    ArrayGeometry g = emulated.array(t.array());
    if (t.row0() + t.rows() > g.rows()) return "tile rows: " + t.row0() + "+" + t.rows() + " (expected: <= " + g.rows() + ")";
    if (t.col0() + t.cols() > g.cols()) return "tile cols: " + t.col0() + "+" + t.cols() + " (expected: <= " + g.cols() + ")";
    return null;
  }

  private static String checkRead(String name, int tenthMillivolts, HardwareLimits h) {
    if (tenthMillivolts > h.maxReadTenthMillivolts()) return name + ": " + tenthMillivolts + " x 100 uV (expected: 1.." + h.maxReadTenthMillivolts() + ")";
    return null;
  }

  private static String checkVector(String name, short[] v, HardwareLimits h) {
    for (int k = 0; k < v.length; k++) {
      if (Math.abs(v[k]) > h.maxReadTenthMillivolts()) return name + "[" + k + "]: " + v[k] + " x 100 uV (expected: |v| <= " + h.maxReadTenthMillivolts() + ")";
    }
    return null;
  }

  private static String checkShape(String name, PulseShape s, HardwareLimits h) {
    if (s.amplitudeMillivolts() > h.maxPulseMillivolts()) return name + " amplitude: " + s.amplitudeMillivolts() + " mV (expected: <= " + h.maxPulseMillivolts() + ")";
    if (s.widthNanos() < h.minPulseWidthNanos() || s.widthNanos() > h.maxPulseWidthNanos()) {
      return name + " width: " + s.widthNanos() + " ns (expected: " + h.minPulseWidthNanos() + ".." + h.maxPulseWidthNanos() + ")";
    }
    // rate = 1e9 / period <= maxRate, without floating point
    if (s.periodNanos() * h.maxPulseRateHz() < 1_000_000_000L) {
      return name + " period: " + s.periodNanos() + " ns (expected: >= " + ((1_000_000_000L + h.maxPulseRateHz() - 1) / h.maxPulseRateHz()) + ", the " + h.maxPulseRateHz() + " Hz rate limit)";
    }
    return null;
  }

  private static String checkCount(long count, HardwareLimits h) {
    if (count > h.maxPulsesPerCommand()) return "count: " + count + " (expected: 1.." + h.maxPulsesPerCommand() + ")";
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // state reports and unit conversions

  private synchronized Response.Status status() {
    boolean tripped = watchdogTripped;
    watchdogTripped = false;
    return new Response.Status(running == null, running != null, lastAborted, tripped, emulator.status().pulsesApplied(), lastError,
        Math.min(framesDropped.get(), 0xFFFF_FFFFL));
  }

  private synchronized Response.Executed executed() {
    List<ExecutionRecord> records = new ArrayList<>();
    for (long[] r : history) {
      records.add(new ExecutionRecord((int) r[0], opcodeOf((int) r[1]), Outcome.values()[(int) r[2]], errorOf((int) r[3]), r[4]));
    }
    return new Response.Executed(records);
  }

  private static Opcode opcodeOf(int code) {
    try {
      return Opcode.of(code);
    } catch (ProtocolException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ErrorCode errorOf(int code) {
    for (ErrorCode e : ErrorCode.values()) if (e.code() == code) return e;
    return ErrorCode.HARDWARE_FAULT;
  }

  private synchronized long uptimeMillis() {
    return ((System.nanoTime() - bootNanos) / 1_000_000L) & 0xFFFF_FFFFL;
  }

  private static Response.Error error(ErrorCode code, int opcode, String detail) {
    byte[] utf8 = detail.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > 255) detail = new String(utf8, 0, 255, StandardCharsets.UTF_8).replace("\uFFFD", "");
    while (detail.getBytes(StandardCharsets.UTF_8).length > 255) detail = detail.substring(0, detail.length() - 1);
    return new Response.Error(code, opcode, detail);
  }

  private int code(double siemens) {
    long c = Math.round(siemens / conductanceLsb);
    return (int) Math.max(0, Math.min(0xFFFF, c));
  }

  private static double volts(int tenthMillivolts) {
    return tenthMillivolts / 10_000.0;
  }

  private static double[] volts(short[] codes) {
    double[] v = new double[codes.length];
    for (int k = 0; k < codes.length; k++) v[k] = codes[k] / 10_000.0;
    return v;
  }

  private static Plane plane(WirePlane p) {
    return p == WirePlane.ACTIVE ? Plane.ACTIVE : Plane.REFERENCE;
  }

  private static Cell cell(CellAddress a) {
    return new Cell(a.array(), plane(a.plane()), a.row(), a.col());
  }

  private static Tile tile(TileAddress t) {
    return new Tile(t.array(), t.row0(), t.col0(), t.rows(), t.cols());
  }

  private static ReadMode mode(WireReadMode m) {
    return switch (m) {
      case ACTIVE -> ReadMode.ACTIVE;
      case REFERENCE -> ReadMode.REFERENCE;
      case DIFFERENTIAL -> ReadMode.DIFFERENTIAL;
    };
  }

  private static Pulse pulse(WirePolarity polarity, PulseShape s) {
    return new Pulse(polarity == WirePolarity.UP ? Polarity.UP : Polarity.DOWN, s.amplitudeMillivolts() / 1000.0, s.widthNanos(), s.periodNanos());
  }
}
