package org.rramctl.journal;

import java.util.Locale;

/**
 * How a run ended, as written in its stop document ({@code "status"}). {@link #RUNNING} is never written:
 * it is what a reader reports for a journal without a stop document whose writer still holds its lock.
 */
public enum RunStatus {
  /** The procedure finished. */
  SUCCESS,
  /** Stopped at a safe point by Ctrl-C or {@code rramctl abort}; outputs idle. */
  ABORTED,
  /** An error ended the run; the stop document names it. */
  FAILED,
  /** The process died without a stop document (kill -9, power loss); marked so by the next start. */
  INTERRUPTED,
  /** No stop document yet and the writer is alive. */
  RUNNING;

  /** The lower-case form used in documents and on the command line. */
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the lower-case form. */
  public static RunStatus parse(String text) {
    for (RunStatus s : values()) if (s.json().equals(text)) return s;
    throw new IllegalArgumentException("status: '" + text + "' (expected: success, aborted, failed, interrupted or running)");
  }

  /** True when a run in this state may be resumed. */
  public boolean resumable() {
    return this == ABORTED || this == FAILED || this == INTERRUPTED;
  }
}
