package org.rramctl.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C for a command that serves until stopped ({@code serve}, {@code dashboard}): a shutdown hook that ends the
 * command's wait ({@code stop}) and then gives the command up to 5 s to stop serving, set the board idle and close it
 * before the JVM halts. Open it before the board (so that it closes after the board), {@link #install()} it once
 * serving; closing it removes the hook.
 */
final class CtrlCHook implements AutoCloseable {
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook;

  CtrlCHook(CountDownLatch stop, String name) {
    hook = new Thread(() -> {
      stop.countDown();
      try {
        finished.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, name);
  }

  void install() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // Already shutting down (Ctrl-C), or the hook was never added.
    }
  }
}
