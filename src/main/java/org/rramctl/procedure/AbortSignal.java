package org.rramctl.procedure;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a run has been asked to stop: by {@link #request} (a shutdown hook on Ctrl-C, a test) or by an
 * abort marker file that {@code rramctl abort} creates from another process. The marker is looked at no
 * more often than every {@link #POLL_NANOS}, so polling at every safe point costs almost nothing.
 *
 * <p>Thread-safe: {@link #request} from any thread, {@link #requested} from the run's thread.
 */
public final class AbortSignal {
  /** How often the marker file is checked, ns (bounds the abort latency from another terminal). */
  public static final long POLL_NANOS = 20_000_000L;

  private final Path marker;
  private volatile String reason;
  private long nextPoll;

  /** @param marker the abort marker file to watch, or null for none */
  public AbortSignal(Path marker) {
    this.marker = marker;
  }

  public static AbortSignal none() {
    return new AbortSignal(null);
  }

  /** Asks the run to stop at its next safe point. The first reason wins. */
  public void request(String why) {
    if (reason == null) reason = why;
  }

  /** True once a stop was asked for; checks the marker file when its poll interval has passed. */
  public boolean requested() {
    if (reason != null) return true;
    if (marker == null) return false;
    long now = System.nanoTime();
    if (now - nextPoll >= 0) {
      nextPoll = now + POLL_NANOS;
      if (Files.exists(marker)) request("abort requested by 'rramctl abort'");
    }
    return reason != null;
  }

  public String reason() {
    return reason;
  }
}
