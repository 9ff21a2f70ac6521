package org.rramctl.dashboard;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A growing file of one JSON document per line (a run's journal, a training run's {@code metrics.jsonl}) sent as
 * server-sent events while it grows: each complete line is one event, its 0-based line number the event's id (a
 * browser's EventSource reconnects with the last id it got, and the stream goes on after it). A line still being
 * written (no newline yet) waits until it is complete. A file that does not exist yet is waited for. Quiet streams
 * get a comment every {@link RunsView#KEEPALIVE_NANOS}, so that a client that went away is noticed.
 */
final class LineTail {
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.UTF_8);

  /** Whether a stream has ended, asked after a poll that found nothing new. */
  @FunctionalInterface
  interface End {
    boolean reached(LineTail tail) throws IOException;
  }

  private final long fromLine;
  private long offset;
  private long line;
  private byte[] pending = new byte[0];
  private byte[] lastLine = new byte[0];
  private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);

  private LineTail(long fromLine) {
    this.fromLine = fromLine;
  }

  /**
   * Answers {@code ex} with the stream of {@code file}'s lines ({@link #stream}) when fewer than
   * {@link RunsView#MAX_STREAMS} of {@code open} are open (each holds a thread), else 503 saying {@code toFree}.
   */
  static void serve(HttpExchange ex, AtomicInteger open, String toFree, Path file, long fromLine, BooleanSupplier closing, End ended) throws IOException {
    if (open.incrementAndGet() > RunsView.MAX_STREAMS) {
      open.decrementAndGet();
      throw new HttpError(503, "streams: " + RunsView.MAX_STREAMS + " open (expected: fewer; " + toFree + ")");
    }
    try {
      ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      ex.getResponseHeaders().set("Cache-Control", "no-cache");
      ex.sendResponseHeaders(200, 0);
      stream(ex.getResponseBody(), file, fromLine, closing, ended);
    } finally {
      open.decrementAndGet();
    }
  }

  /**
   * Streams the lines of {@code file} from line {@code fromLine} until {@code closing} says so or {@code ended} is true
   * of the tail after a poll that found nothing new; then sends an {@code end} event.
   */
  static void stream(OutputStream out, Path file, long fromLine, BooleanSupplier closing, End ended) throws IOException {
    LineTail t = new LineTail(fromLine);
    long lastWrite = System.nanoTime();
    FileChannel ch = null;
    try {
      while (!closing.getAsBoolean()) {
        if (ch == null) ch = open(file);
        boolean wrote = ch != null && t.poll(ch, out);
        if (wrote) {
          out.flush();
          lastWrite = System.nanoTime();
        } else if (ch != null && ended.reached(t)) {
          out.write("event: end\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
          return;
        }
        if (System.nanoTime() - lastWrite > RunsView.KEEPALIVE_NANOS) {
          out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
          lastWrite = System.nanoTime();
        }
        LockSupport.parkNanos(RunsView.POLL_NANOS);
      }
    } finally {
      if (ch != null) ch.close();
    }
  }

  private static FileChannel open(Path file) throws IOException {
    if (!Files.exists(file)) return null;
    try {
      return FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return null; // removed between the two looks: wait for it again
    }
  }

  /** Sends the lines completed since the last poll; whether it sent any. */
  private boolean poll(FileChannel ch, OutputStream out) throws IOException {
    boolean wrote = false;
    int n;
    while ((n = ch.read(buf.clear(), offset)) > 0) {
      offset += n;
      byte[] chunk = new byte[pending.length + n];
      System.arraycopy(pending, 0, chunk, 0, pending.length);
      System.arraycopy(buf.array(), 0, chunk, pending.length, n);
      int lineStart = 0;
      int lastStart = -1;
      for (int i = 0; i < chunk.length; i++) {
        if (chunk[i] != '\n') continue;
        if (line >= fromLine) {
          out.write(("id: " + line + "\n").getBytes(StandardCharsets.UTF_8));
          out.write(DATA);
          out.write(chunk, lineStart, i - lineStart);
          out.write(END);
          wrote = true;
        }
        lastStart = lineStart;
        line++;
        lineStart = i + 1;
      }
      // Only the chunk's last complete line is kept (for lastLineStartsWith), not a copy of every line.
      if (lastStart >= 0) lastLine = Arrays.copyOfRange(chunk, lastStart, lineStart - 1);
      pending = Arrays.copyOfRange(chunk, lineStart, chunk.length);
    }
    return wrote;
  }

  /** Whether the last complete line starts with {@code prefix} and nothing follows it yet. */
  boolean lastLineStartsWith(byte[] prefix) {
    if (pending.length != 0 || lastLine.length < prefix.length) return false;
    for (int k = 0; k < prefix.length; k++) if (lastLine[k] != prefix[k]) return false;
    return true;
  }
}
