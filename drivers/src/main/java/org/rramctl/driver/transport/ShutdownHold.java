package org.rramctl.driver.transport;

import java.time.Duration;

/**
 * Keeps serial ports usable during JVM shutdown while shutdown work still needs them. jSerialComm releases
 * its native library from a shutdown hook of its own, which the JVM runs at the same time as the
 * application's hooks: an ABORT that a Ctrl-C hook writes to a board could find the port already gone (and
 * did: the board kept pulsing until its watchdog fired). While any hold is open, {@link SerialPortTransport}
 * makes that release wait, for at most {@link #MAX_WAIT}, so a hold must be taken for no longer than the
 * work that needs the port at shutdown (an abort and its report).
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class ShutdownHold implements AutoCloseable {
  /** The longest the serial library's release waits for open holds at JVM shutdown. */
  public static final Duration MAX_WAIT = Duration.ofSeconds(10);

  private static final Object LOCK = new Object();
  private static int open; // guarded by LOCK

  private boolean closed; // guarded by LOCK

  private ShutdownHold() {}

  /** Opens a hold; close it once the shutdown work that needs serial ports cannot start any more. */
  public static ShutdownHold take() {
    synchronized (LOCK) {
      open++;
    }
    return new ShutdownHold();
  }

  @Override
  public void close() {
    synchronized (LOCK) {
      if (closed) return;
      closed = true;
      open--;
      LOCK.notifyAll();
    }
  }

  /** Waits until no hold is open, or {@code max} has passed. For the serial library's shutdown hook. */
  static void awaitReleased(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    synchronized (LOCK) {
      for (long left; open > 0 && (left = deadline - System.nanoTime()) > 0;) {
        try {
          LOCK.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
