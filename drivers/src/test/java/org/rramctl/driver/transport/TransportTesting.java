package org.rramctl.driver.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.SplittableRandom;

/** Helpers for transport tests; published in the drivers test-jar for the pty tests in simulator. */
public final class TransportTesting {
  private TransportTesting() {}

  /** Every byte value 0x00..0xFF once, in order. */
  public static byte[] allByteValues() {
    byte[] b = new byte[256];
    for (int i = 0; i < 256; i++) b[i] = (byte) i;
    return b;
  }

  /** {@code n} bytes from a seeded generator. */
  public static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i += 8) {
      long v = r.nextLong();
      for (int k = 0; k < 8 && i + k < n; k++) b[i + k] = (byte) (v >>> (8 * k));
    }
    return b;
  }

  /** Reads exactly {@code n} bytes or fails once {@code within} has passed without them. */
  public static byte[] readFully(Transport t, int n, Duration within) throws IOException {
    byte[] out = new byte[n];
    long deadline = System.nanoTime() + within.toNanos();
    int got = 0;
    while (got < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0) throw new InterruptedIOException(t.endpoint() + ": got " + got + " of " + n + " bytes within " + within);
      got += t.read(out, got, n - got, Duration.ofNanos(Math.min(left, 200_000_000L)));
    }
    return out;
  }

  /**
   * Serves an echo on {@code t} in a daemon thread until {@code t} is closed or its link is lost;
   * the thread ends then. Returns the thread so a test can join it.
   */
  public static Thread startEcho(Transport t, String name) {
    Thread thread = new Thread(() -> {
      byte[] buf = new byte[16384];
      try {
        while (true) {
          int n = t.read(buf, 0, buf.length, Duration.ofMillis(200));
          if (n > 0) t.write(buf, 0, n);
        }
      } catch (IOException endOfService) {
        // Closed or lost: the echo's job is over.
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
