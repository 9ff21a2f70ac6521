package org.rramctl.driver.serial;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.rramctl.driver.transport.PipeTransport;
import org.rramctl.protocol.ArrayInfo;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.Envelope;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.ExecutionRecord;
import org.rramctl.protocol.FrameDecoder;
import org.rramctl.protocol.FrameEvent;
import org.rramctl.protocol.HardwareLimits;
import org.rramctl.protocol.MessageCodec;
import org.rramctl.protocol.Opcode;
import org.rramctl.protocol.ProtocolException;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.WireFormat;

/**
 * A board whose every answer the test decides, on the far end of an in-memory pipe: it decodes what the
 * host sends, records each command (sequence, command, the exact frame bytes) and answers from a script.
 * Without a script an opcode gets a well-behaved board's answer (IDENTITY, an empty or given history,
 * HEARTBEAT_ACK with a rising uptime, an idle STATUS, ACK, a conductance code of 100, PULSE_DONE with the
 * count, one final UPDATE_PROGRESS). A script answering nothing makes the board silent for that command.
 * For the session's own tests ({@link BoardSessionTest}): what the session sends and when it gives up are
 * the observable events, not how long anything took.
 */
final class ScriptedBoard implements AutoCloseable {
  /** One command as the board received it. */
  record Received(int sequence, Command command, byte[] frame) {
    Opcode opcode() {
      return command.opcode();
    }
  }

  /** The frames to answer one command with; an empty list leaves it unanswered. */
  interface Script {
    List<Response> answer(Received r);
  }

  static final HardwareLimits LIMITS = new HardwareLimits(5000, 20000, 10, 1_000_000_000L, 1_000_000, 10_000_000, 1_000_000);

  private final PipeTransport.Pair pipe = PipeTransport.pair();
  private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final List<Received> log = new ArrayList<>();
  private final Map<Opcode, Deque<Script>> once = new EnumMap<>(Opcode.class);
  private final Map<Opcode, Script> always = new EnumMap<>(Opcode.class);
  private final Thread thread;
  private final int watchdogMillis;
  private final int protocolVersion;
  private volatile List<ExecutionRecord> history = List.of();
  private volatile long uptimeMillis = 1_000;
  private volatile boolean uptimeFrozen;
  private volatile boolean closed;
  private final java.io.ByteArrayOutputStream prefix = new java.io.ByteArrayOutputStream();

  ScriptedBoard(int watchdogMillis) {
    this(watchdogMillis, WireFormat.MIN_VERSION);
  }

  ScriptedBoard(int watchdogMillis, int protocolVersion) {
    this.watchdogMillis = watchdogMillis;
    this.protocolVersion = protocolVersion;
    thread = new Thread(this::serve, "scripted-board");
    thread.setDaemon(true);
    thread.start();
  }

  /** The version its frames are in: its own, or the newest the codec knows for a board only a HELLO reaches. */
  private int codecVersion() {
    return Math.min(protocolVersion, WireFormat.MAX_VERSION);
  }

  /** The host's end of the line. */
  PipeTransport hostEnd() {
    return pipe.a();
  }

  Response.Identity identity() {
    return new Response.Identity(protocolVersion, watchdogMillis, 8192, "SB-1", "scripted", "0.0.1", List.of(new ArrayInfo(4, 4, true)), LIMITS, 12,
        1e-6f, 1e-4f, 2.5e-8f, EnumSet.noneOf(Opcode.class));
  }

  /** The records LAST_EXECUTED answers with from now on, newest first. */
  void history(ExecutionRecord... records) {
    history = List.of(records);
  }

  /** The uptime the next HEARTBEAT_ACKs report (each then adds 1 ms). */
  void uptime(long millis) {
    uptimeMillis = millis;
  }

  /** From now on every HEARTBEAT_ACK reports the same uptime (a board whose clock did not advance). */
  void freezeUptime(long millis) {
    uptimeMillis = millis;
    uptimeFrozen = true;
  }

  /** Answers the next {@code op} with {@code script}, once; scripts queue in order. */
  synchronized void once(Opcode op, Script script) {
    once.computeIfAbsent(op, k -> new ArrayDeque<>()).addLast(script);
  }

  /** Answers every {@code op} not scripted with {@link #once} by {@code script}. */
  synchronized void always(Opcode op, Script script) {
    always.put(op, script);
  }

  /** Sends a frame of the test's own, e.g. a late answer or one with another sequence number. */
  void send(int sequence, Response r) throws IOException {
    pipe.b().write(MessageCodec.frame(r, sequence, codecVersion()));
  }

  void sendBytes(byte[] bytes) throws IOException {
    pipe.b().write(bytes);
  }

  /** Closes the board's end: the host sees the link go. */
  void unplug() {
    closed = true;
    pipe.b().close();
  }

  /** {@link #unplug()} from another thread after {@code millis}: the host is waiting by then. */
  void unplugLater(long millis) {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        return;
      }
      unplug();
    }, "scripted-board-unplug");
    t.setDaemon(true);
    t.start();
  }

  /** Sends {@code r} with {@code sequence} from another thread after {@code millis}: a slow board's answer. */
  void sendLater(long millis, int sequence, Response r) {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(millis);
        send(sequence, r);
      } catch (InterruptedException | IOException e) {
        // the test is over
      }
    }, "scripted-board-late");
    t.setDaemon(true);
    t.start();
  }

  /** The next command of {@code op} received (others are skipped), waiting up to {@code within}. */
  Received next(Opcode op, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Received r = left > 0 ? received.poll(left, TimeUnit.NANOSECONDS) : null;
      if (r == null) fail("the board received no " + op + " within " + within + "; all it received: " + summary());
      if (r.opcode() == op) return r;
    }
  }

  /** The first bytes the host sent (up to 64). */
  byte[] rawPrefix() {
    synchronized (prefix) {
      return prefix.toByteArray();
    }
  }

  /** Every command received so far, in order. */
  synchronized List<Received> log() {
    return List.copyOf(log);
  }

  /** The commands received so far other than HEARTBEAT, in order. */
  List<Opcode> opcodesWithoutHeartbeats() {
    return log().stream().map(Received::opcode).filter(o -> o != Opcode.HEARTBEAT).toList();
  }

  List<Received> all(Opcode op) {
    return log().stream().filter(r -> r.opcode() == op).toList();
  }

  String summary() {
    return log().stream().map(r -> r.opcode() + "#" + r.sequence()).toList().toString();
  }

  @Override
  public void close() {
    unplug();
    thread.interrupt();
  }

  private void serve() {
    FrameDecoder decoder = FrameDecoder.create();
    byte[] buf = new byte[4096];
    while (!closed) {
      int n;
      try {
        n = pipe.b().read(buf, 0, buf.length, Duration.ofMillis(20));
      } catch (IOException e) {
        return;
      }
      if (n > 0) {
        synchronized (prefix) {
          if (prefix.size() < 64) prefix.write(buf, 0, Math.min(n, 64));
        }
        decoder.feed(buf, 0, n, this::onFrame);
      }
    }
  }

  private void onFrame(FrameEvent e) {
    if (!(e instanceof FrameEvent.Frame f)) return;
    Envelope env;
    try {
      env = MessageCodec.decode(f.packet(), codecVersion());
    } catch (ProtocolException ex) {
      return;
    }
    if (!(env.message() instanceof Command c)) return;
    byte[] frame = MessageCodec.frame(c, env.sequence(), codecVersion());
    Received r = new Received(env.sequence(), c, frame);
    Script s;
    synchronized (this) {
      log.add(r);
      Deque<Script> q = once.get(c.opcode());
      s = q != null && !q.isEmpty() ? q.pollFirst() : always.get(c.opcode());
    }
    List<Response> answer = s != null ? s.answer(r) : standard(r);
    try {
      for (Response a : answer) pipe.b().write(MessageCodec.frame(a, r.sequence(), codecVersion()));
    } catch (IOException ex) {
      closed = true;
    }
    received.add(r);
  }

  /** What a well-behaved board answers. */
  List<Response> standard(Received r) {
    Command c = r.command();
    return switch (r.opcode()) {
      case HELLO -> List.of(identity());
      case LAST_EXECUTED -> List.of(new Response.Executed(history));
      case HEARTBEAT -> List.of(new Response.HeartbeatAck(uptimeFrozen ? uptimeMillis : uptimeMillis++));
      case STATUS -> List.of(new Response.Status(true, false, false, false, 0, ErrorCode.NONE, 0));
      case ABORT -> List.of(new Response.Ack());
      case READ -> List.of(new Response.Conductance(100));
      case PULSE_THEN_READ -> List.of(new Response.Conductance(101));
      case PULSE -> List.of(new Response.PulseDone(((Command.Pulse) c).count()));
      case UPDATE -> List.of(new Response.UpdateProgress(0, false, ((Command.Update) c).bitLength(), 6));
      default -> List.of(new Response.Error(ErrorCode.UNSUPPORTED, r.opcode().code(), "not scripted"));
    };
  }
}
