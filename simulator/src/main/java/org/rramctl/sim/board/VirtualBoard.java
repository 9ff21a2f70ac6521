package org.rramctl.sim.board;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Limits;
import org.rramctl.driver.transport.TcpTransport;
import org.rramctl.driver.transport.Transport;
import org.rramctl.protocol.ArrayInfo;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.ExecutionRecord;
import org.rramctl.protocol.HardwareLimits;
import org.rramctl.protocol.Opcode;
import org.rramctl.protocol.Outcome;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.WireFormat;
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
 * <p>Parts: a {@link BoardConnection} per host connection (I/O, pacing, the threads), a {@link CommandValidator}
 * (geometry and hardware limits), the {@link ExecutionHistory} (records and the execution log) and a
 * {@link CommandExecutor} (running a command on the emulator). This class holds the board's state and decides
 * what may run (admission, PROTOCOL.md 6.1); the state (devices, history, log) outlives connections, like a board
 * whose cable is re-plugged; one connection is served at a time and a new one ends the previous. Public methods
 * are thread-safe.
 */
public final class VirtualBoard implements Closeable {

  /**
   * What the board says about itself and how it behaves.
   *
   * @param boardId IDENTITY's board id (serial number)
   * @param firmwareVersion IDENTITY's firmware version text
   * @param protocolVersion the version the board speaks: 2 (the default) sources and sweeps (SOURCE and SWEEP native,
   *     PROTOCOL.md section 10), 1 is an older board without them (it answers their opcodes UNKNOWN_OPCODE); a version
   *     outside the host's window makes it a board the host must refuse
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

    /** Board VB-0001, firmware 2.0.0, protocol version 2 (the newest), a 1 s watchdog, full-size frames, no pacing. */
    public static Config defaults() {
      return new Config("VB-0001", "2.0.0", WireFormat.MAX_VERSION, 1000, WireFormat.MAX_PAYLOAD_BYTES, Response.Currents.MAX_VALUES, 0, false);
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

  private final EmulatorDriver emulator;
  private final BoardInfo emulated;
  private final Config config;
  private final Response.Identity identity;
  private final float conductanceLsb;
  private final CommandValidator validator;
  private final AtomicLong framesDropped = new AtomicLong();

  // Board state, guarded by this.
  private final ExecutionHistory history = new ExecutionHistory();
  private long bootNanos = System.nanoTime();
  private boolean handshaken;
  private boolean watchdogExpired; // needs a HELLO before device commands
  private boolean watchdogTripped; // reported once in STATUS_REPORT
  private boolean lastAborted;
  private ErrorCode lastError = ErrorCode.NONE;
  private long lastGoodFrameNanos = System.nanoTime();
  private Job running;
  private BoardConnection current;
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
        Math.min(adcBits, 16), (float) emulated.gMinSiemens(), (float) emulated.gMaxSiemens(), conductanceLsb, nativeOps(config.protocolVersion()));
    this.validator = new CommandValidator(emulated, identity.limits());
  }

  /** Every device command of the board's version: the emulator runs them all, SOURCE and SWEEP included (version 2). */
  private static EnumSet<Opcode> nativeOps(int protocolVersion) {
    EnumSet<Opcode> ops = EnumSet.noneOf(Opcode.class);
    for (Opcode op : Opcode.values()) if (op.isDeviceOperation() && op.inVersion(protocolVersion)) ops.add(op);
    return ops;
  }

  /** The version the board's codec uses: its own, or the newest this codec knows for a board only a HELLO reaches. */
  int codecVersion() {
    return Math.min(config.protocolVersion(), WireFormat.MAX_VERSION);
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
    return history.log();
  }

  /** Connections served so far. */
  public synchronized int connections() {
    return connections;
  }

  /**
   * Serves the protocol on {@code transport} until it fails or is closed, ending any previous
   * connection first. Returns at once; the board closes the transport when the connection ends.
   */
  public BoardConnection serve(Transport transport) {
    BoardConnection c;
    BoardConnection previous;
    synchronized (this) {
      if (closed) throw new IllegalStateException("virtual board " + config.boardId() + " is closed");
      previous = current;
      c = new BoardConnection(this, transport, ++connections);
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
    synchronized (this) {
      j = running;
      if (j != null) j.silent = true;
      running = null; // nothing runs on a board that just started (the stopped job's thread ends within a check)
      if (current != null) current.dropQueued();
      history.forgetRecords();
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
      j = expireWatchdog();
    }
    if (j != null) j.stop(ErrorCode.WATCHDOG);
  }

  /** Ends the connection and the listener; idempotent. */
  @Override
  public void close() {
    BoardConnection c;
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
  // What a connection asks of the board.

  /** An executor of device commands whose intermediate frames go to {@code link}. */
  CommandExecutor executor(CommandExecutor.Link link) {
    return new CommandExecutor(emulator, config, conductanceLsb, link);
  }

  /** A frame failed COBS, length or CRC. */
  void frameDropped() {
    framesDropped.incrementAndGet();
  }

  /** A frame with a good CRC arrived: it feeds the watchdog, whatever it holds. */
  synchronized void frameReceived() {
    lastGoodFrameNanos = System.nanoTime();
  }

  /** HELLO: a window including the board's version completes the handshake (and clears an expired watchdog). */
  synchronized Response.Identity hello(Command.Hello h) {
    boolean accepted = h.minVersion() <= config.protocolVersion() && config.protocolVersion() <= h.maxVersion();
    handshaken = accepted;
    if (accepted) watchdogExpired = false;
    return identity;
  }

  synchronized boolean handshaken() {
    return handshaken;
  }

  /** The command running now, or null. */
  synchronized Job running() {
    return running;
  }

  /**
   * Decides whether a device command may start (PROTOCOL.md 6.1): WATCHDOG, then DUPLICATE before BUSY, so that a
   * re-send of the running command is named a duplicate (IN_PROGRESS) and its host waits for the answer instead of
   * giving up on BUSY; then the validator's OUT_OF_RANGE and LIMIT_EXCEEDED. An admitted device-changing command is
   * recorded IN_PROGRESS before its first pulse.
   */
  synchronized Admission admit(int seq, Command c, int connection) {
    Opcode op = c.opcode();
    // Not recorded in the history: the host re-handshakes and may send the same frame again (PROTOCOL.md 5.2).
    if (watchdogExpired) return new Admission.Refused(ErrorResponses.of(ErrorCode.WATCHDOG, op.code(), "watchdog: expired (expected: HELLO before device commands)"));
    if (op.changesDevices()) {
      Optional<ExecutionRecord> earlier = history.find(seq, op);
      if (earlier.isPresent()) {
        ExecutionRecord r = earlier.get();
        return new Admission.Refused(ErrorResponses.of(ErrorCode.DUPLICATE, op.code(),
            "sequence: " + seq + " (expected: a new one; already " + r.outcome() + ", " + r.pulsesApplied() + " pulses)"));
      }
    }
    if (running != null) {
      return refuse(seq, op, ErrorResponses.of(ErrorCode.BUSY, op.code(), "busy: " + running.command.opcode() + " (sequence " + running.sequence + ") is running"));
    }
    Optional<Response.Error> invalid = validator.refusal(c);
    if (invalid.isPresent()) {
      lastError = invalid.get().code();
      return refuse(seq, op, invalid.get());
    }
    ExecutionHistory.Started started = op.changesDevices() ? history.start(seq, connection, c) : null;
    running = new Job(seq, c, started, emulator);
    return new Admission.Admitted(running);
  }

  /**
   * A device-changing command refused BUSY, UNSUPPORTED, OUT_OF_RANGE or LIMIT_EXCEEDED is recorded FAILED with
   * the refusal and no pulses (PROTOCOL.md 5.4), so that a late copy of its frame is answered DUPLICATE and never
   * runs after its host was told it did not.
   */
  private Admission refuse(int seq, Opcode op, Response.Error refusal) {
    if (op.changesDevices()) history.refused(seq, op, refusal.code());
    return new Admission.Refused(refusal);
  }

  /** A job ended: recorded, and the board idle, before its final frame leaves. */
  synchronized void finished(Job job, CommandExecutor.Result result) {
    if (result.failure() != ErrorCode.NONE) lastError = result.failure();
    if (job.started != null) {
      history.finish(job.started, result.outcome(), result.failure(), result.pulsesApplied(), job.stopReasonOrNone(), job.appliedAtStop);
      lastAborted = result.outcome() == Outcome.ABORTED;
    }
    if (running == job) running = null;
  }

  /** Called by a connection's reader every few ms: trips the watchdog once the handshaken host has gone quiet. */
  void checkWatchdog() {
    Job j;
    synchronized (this) {
      if (!handshaken || watchdogExpired) return;
      if (System.nanoTime() - lastGoodFrameNanos <= config.watchdogMillis() * 1_000_000L) return;
      // The host went quiet: idle everything and insist on a new HELLO (PROTOCOL.md 5.2).
      j = expireWatchdog();
    }
    if (j != null) j.stop(ErrorCode.WATCHDOG);
  }

  /** Under the monitor: marks the watchdog expired; returns the job to stop. */
  private Job expireWatchdog() {
    watchdogExpired = true;
    watchdogTripped = true;
    lastError = ErrorCode.WATCHDOG;
    return running;
  }

  /** The link of a connection was lost or closed: like a host that went away, so what runs stops. */
  void linkLost() {
    Job j = running();
    if (j != null) j.stop(ErrorCode.ABORTED);
  }

  synchronized Response.Status status() {
    boolean tripped = watchdogTripped;
    watchdogTripped = false;
    return new Response.Status(running == null, running != null, lastAborted, tripped, emulator.status().pulsesApplied(), lastError,
        Math.min(framesDropped.get(), 0xFFFF_FFFFL));
  }

  synchronized Response.Executed executed() {
    return new Response.Executed(history.recent());
  }

  synchronized long uptimeMillis() {
    return ((System.nanoTime() - bootNanos) / 1_000_000L) & 0xFFFF_FFFFL;
  }
}
