package org.rramctl.sim.board;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.rramctl.driver.transport.Transport;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.Envelope;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.FrameDecoder;
import org.rramctl.protocol.FrameEvent;
import org.rramctl.protocol.MessageCodec;
import org.rramctl.protocol.Opcode;
import org.rramctl.protocol.ProtocolException;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.WireFormat;

/**
 * One host connection of a {@link VirtualBoard}: a reader thread that decodes frames, answers ABORT, STATUS,
 * HEARTBEAT, LAST_EXECUTED, GET_LIMITS and HELLO at once and feeds the board's watchdog; and an executor thread that
 * runs the device commands the board admitted (single-device commands run inline on the reader, as firmware would
 * in its main loop). Replies leave paced to {@link VirtualBoard.Config#throttleBaud()}. The connection closes its
 * transport when it ends.
 */
public final class BoardConnection implements Closeable {
  private final VirtualBoard board;
  private final Transport transport;
  private final int number;
  private final CommandExecutor commands;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
  private final Thread reader;
  private final Thread executor;
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile boolean stopping;
  private long lineFreeNanos; // guarded by writeLock

  BoardConnection(VirtualBoard board, Transport transport, int number) {
    this.board = board;
    this.transport = transport;
    this.number = number;
    this.commands = board.executor(new CommandExecutor.Link() {
      @Override
      public void reply(int sequence, Response r) {
        BoardConnection.this.reply(sequence, r);
      }

      @Override
      public boolean stopping() {
        return stopping;
      }
    });
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

  /** Drops the commands waiting for the executor (a reboot). */
  void dropQueued() {
    jobs.clear();
  }

  private void readLoop() {
    FrameDecoder decoder = FrameDecoder.create();
    byte[] buffer = new byte[16 * 1024];
    try {
      while (!stopping) {
        int n = transport.read(buffer, 0, buffer.length, Duration.ofMillis(5));
        if (n > 0) decoder.feed(buffer, 0, n, this::onFrameEvent);
        board.checkWatchdog();
      }
    } catch (IOException | RuntimeException e) {
      // Link lost or closed: like a host that went away; the running command is stopped below.
    } finally {
      stopping = true;
      board.linkLost();
      transport.close();
      executor.interrupt();
      ended.countDown();
    }
  }

  private void onFrameEvent(FrameEvent event) {
    if (event instanceof FrameEvent.FramingError) {
      // Its sequence number cannot be trusted, so there is nobody to answer (PROTOCOL.md 5.6).
      board.frameDropped();
      return;
    }
    byte[] packet = ((FrameEvent.Frame) event).packet();
    int seq = (packet[2] & 0xFF) | (packet[3] & 0xFF) << 8;
    int opByte = packet[1] & 0xFF;
    board.frameReceived();
    int protocolVersion = board.config().protocolVersion();
    Opcode op;
    try {
      op = Opcode.of(opByte);
    } catch (ProtocolException e) {
      op = null;
    }
    // A command of a later version than the board's is one it does not know (PROTOCOL.md 6.1, check 1).
    if (op == null || !op.isCommand() || !op.inVersion(protocolVersion)) {
      reply(seq, ErrorResponses.of(ErrorCode.UNKNOWN_OPCODE, opByte, String.format("opcode: 0x%02x (expected: a command 0x01..0x7f of protocol version %d)", opByte, protocolVersion)));
      return;
    }
    int version = packet[0] & 0xFF;
    if (op != Opcode.HELLO && version != protocolVersion) {
      reply(seq, ErrorResponses.of(ErrorCode.VERSION_MISMATCH, opByte, "version: " + version + " (expected: " + protocolVersion + ")"));
      return;
    }
    Envelope envelope;
    try {
      envelope = MessageCodec.decode(packet, board.codecVersion());
    } catch (ProtocolException e) {
      reply(seq, ErrorResponses.of(ErrorCode.MALFORMED, opByte, e.getMessage()));
      return;
    }
    int maxPayloadBytes = board.config().maxPayloadBytes();
    if (packet.length > maxPayloadBytes - WireFormat.CRC_BYTES) {
      reply(seq, ErrorResponses.of(ErrorCode.MALFORMED, opByte, "payload: " + (packet.length + WireFormat.CRC_BYTES) + " bytes (expected: <= " + maxPayloadBytes + ")"));
      return;
    }
    handle(seq, (Command) envelope.message());
  }

  private void handle(int seq, Command c) {
    if (c instanceof Command.Hello h) {
      reply(seq, board.hello(h));
    } else if (c instanceof Command.Abort) {
      // Served in every state, before the handshake too: idling the outputs is always allowed (PROTOCOL.md 5.6).
      abort(seq);
    } else if (!board.handshaken()) {
      reply(seq, ErrorResponses.of(ErrorCode.HANDSHAKE_REQUIRED, c.opcode().code(),
          "handshake: none (expected: HELLO with a window including version " + board.config().protocolVersion() + ")"));
    } else if (c instanceof Command.GetLimits) {
      reply(seq, new Response.Limits(board.identity().limits()));
    } else if (c instanceof Command.GetStatus) {
      reply(seq, board.status());
    } else if (c instanceof Command.Heartbeat) {
      reply(seq, new Response.HeartbeatAck(board.uptimeMillis()));
    } else if (c instanceof Command.LastExecuted) {
      reply(seq, board.executed());
    } else {
      submit(seq, c);
    }
  }

  private void abort(int seq) {
    Job j = board.running();
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
    Admission a = board.admit(seq, c, number);
    if (a instanceof Admission.Refused r) {
      reply(seq, r.error());
    } else if (runsInline(c)) {
      // Single-device commands take microseconds: run them here, as firmware would in its main loop,
      // and save the hand-off to the executor on the latency that single-device work is made of.
      runJob(((Admission.Admitted) a).job());
    } else {
      jobs.add(((Admission.Admitted) a).job());
    }
  }

  private boolean runsInline(Command c) {
    return c instanceof Command.Read
        || (!board.config().realTimePulses() && (c instanceof Command.Pulse || c instanceof Command.PulseThenRead || c instanceof Command.Source));
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
    CommandExecutor.Result result = commands.execute(job);
    // Idle and recorded before the final frame leaves, so that the host's next command never meets
    // BUSY and a LAST_EXECUTED right after the answer already reads COMPLETED.
    board.finished(job, result);
    if (!job.silent) reply(job.sequence, result.last());
    job.done.countDown();
  }

  private void reply(int seq, Response r) {
    // Under the board's own version; IDENTITY always carries it (its layout is the same in every version).
    byte[] frame = MessageCodec.frame(r, seq, board.codecVersion());
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
   * Holds a frame until its last byte would have left a line of {@link VirtualBoard.Config#throttleBaud()} (10 bits
   * per byte), counting from when the line is free: the host then receives it no sooner than it would from a real
   * board. (Pacing after the write, as this did before, let a one-frame answer arrive at once.)
   */
  private void pace(int bytes) {
    int baud = board.config().throttleBaud();
    if (baud == 0) return;
    long now = System.nanoTime();
    lineFreeNanos = Math.max(lineFreeNanos, now) + bytes * 10L * 1_000_000_000L / baud;
    while (System.nanoTime() < lineFreeNanos) LockSupport.parkNanos(lineFreeNanos - System.nanoTime());
  }
}
