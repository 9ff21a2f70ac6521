package org.rramctl.dashboard;

import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The lines of a server-sent event stream, read on a daemon thread, so that a test waiting for a line that never
 * comes fails after {@link #WAIT_SECONDS} naming what it waited for, instead of blocking in a read no timeout can
 * interrupt.
 */
final class SseLines implements AutoCloseable {
  static final long WAIT_SECONDS = 30;
  private static final String END = new String("end of stream");

  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Stream<String> stream;

  SseLines(HttpResponse<Stream<String>> response) {
    stream = response.body();
    Thread reader = new Thread(() -> {
      try {
        stream.forEach(lines::add);
      } catch (RuntimeException e) {
        // closed by the test or the server
      } finally {
        lines.add(END);
      }
    }, "sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** The next line; fails when none comes within the wait or the stream ended. */
  String next(String waitingFor) throws InterruptedException {
    return next(waitingFor, System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS));
  }

  /** The next line before {@code deadline} (System.nanoTime), keep-alive comments included. */
  private String next(String waitingFor, long deadline) throws InterruptedException {
    String l = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    if (l == null) throw new AssertionError("no line from the stream for " + WAIT_SECONDS + " s while waiting for " + waitingFor);
    if (l == END) throw new AssertionError("the stream ended while waiting for " + waitingFor);
    return l;
  }

  /** The next {@code n} documents (the {@code data:} lines), all within the wait. */
  java.util.List<String> data(int n) throws InterruptedException {
    java.util.List<String> out = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (out.size() < n) {
      String l = next(n + " documents (" + out.size() + " so far)", deadline);
      if (l.startsWith("data: ")) out.add(l.substring(6));
    }
    return out;
  }

  /** The documents until the {@code end} event, within the wait. */
  java.util.List<String> untilEnd() throws InterruptedException {
    java.util.List<String> out = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (true) {
      String l = next("the end event (" + out.size() + " documents so far)", deadline);
      if (l.equals("event: end")) return out;
      if (l.startsWith("data: ")) out.add(l.substring(6));
    }
  }

  @Override
  public void close() {
    stream.close();
  }
}
