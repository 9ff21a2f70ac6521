package org.rramctl.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.transport.ShutdownHold;

/**
 * Ctrl-C (SIGINT) during a command that drives a board: a JVM shutdown hook sends ABORT at once on the
 * driver's own link ({@link CrossbarDriver#abortAndConfirm()}: a serial board gets the ABORT frame while the
 * command in flight still waits for its answer, and stops within a pulse), says on stderr whether the board
 * confirmed its outputs idle, then holds the JVM's exit until the command has reported how it ended (its
 * {@link #close()}), for at most {@link #REPORT_WAIT_SECONDS}. The JVM then exits with 130.
 *
 * <p>While installed it holds a {@link ShutdownHold}, so that the serial library does not release its ports at
 * JVM shutdown before the ABORT is out and answered.
 *
 * <p>Use with try-with-resources around the board work, inside the driver's own try (so the hook is
 * removed before the driver is closed).
 */
public final class InterruptAbort implements AutoCloseable {
  static final long REPORT_WAIT_SECONDS = 5;
  /** How long a stop keeps aborting an operation that passed its check as Ctrl-C came, before it says "unknown". */
  static final long STOP_WAIT_MILLIS = 2000;

  private final Thread hook;
  private final CountDownLatch finished = new CountDownLatch(1);
  /** Keeps serial ports working at JVM shutdown until the abort has been sent and reported. */
  private final ShutdownHold hold = ShutdownHold.take();

  private InterruptAbort(CrossbarDriver driver, PrintWriter err) {
    hook = new Thread(() -> {
      try {
        // Behind an envelope, every later operation is refused too, so a command made of many operations
        // (training, references) sends nothing after the ABORT; the operation in flight is aborted.
        boolean idle = driver instanceof org.rramctl.driver.EnvelopedDriver e ? e.stop("interrupted (Ctrl-C)", STOP_WAIT_MILLIS)
            : driver.abortAndConfirm();
        err.println(idle ? "rramctl: interrupted: ABORT sent; the board confirmed its outputs idle"
            : "rramctl: interrupted: ABORT sent, but the board did not confirm its outputs idle (state unknown; a board's watchdog idles them once the host is silent)");
        err.flush();
        finished.await(REPORT_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        hold.close(); // only now may the serial library let go of the port
      }
    }, "rramctl-interrupt-abort");
  }

  /** Installs the hook for {@code driver}; {@link #close()} removes it. */
  public static InterruptAbort install(CrossbarDriver driver, PrintWriter err) {
    InterruptAbort a = new InterruptAbort(driver, err);
    Runtime.getRuntime().addShutdownHook(a.hook);
    return a;
  }

  /**
   * The command has reported its end: removes the hook, or, when it is running, lets it return. The
   * {@link ShutdownHold} is released here only when the hook will never run; a running hook releases it once
   * its ABORT has been answered (the command's ERROR ABORTED arrives before the board's ACK, so the command
   * can end while the hook still waits for the ACK).
   */
  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
      hold.close();
    } catch (IllegalStateException shuttingDown) {
      // the hook is running (or about to): it releases the hold when it is done
    }
  }
}
