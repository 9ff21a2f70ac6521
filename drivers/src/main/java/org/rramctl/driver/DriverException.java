package org.rramctl.driver;

import java.io.IOException;
import java.time.Duration;

/**
 * Every I/O failure a {@link CrossbarDriver} reports, whatever the driver (serial board, remote server,
 * source-measure unit, emulator): exactly one of six kinds, each telling the caller what it may assume
 * about the devices.
 *
 * <table>
 *   <caption>The kinds</caption>
 *   <tr><th>class</th><th>what happened</th><th>the devices</th></tr>
 *   <tr><td>{@link OutcomeUnknownException}</td><td>a device-changing operation was sent and its fate is
 *       not known</td><td>may have changed: re-read them; never re-send blindly</td></tr>
 *   <tr><td>{@link RefusedException}</td><td>the board, server or instrument answered with an error code
 *       </td><td>unchanged unless the code says otherwise (see the driver)</td></tr>
 *   <tr><td>{@link TimeoutNothingRanException}</td><td>no answer in time, and nothing ran</td>
 *       <td>unchanged</td></tr>
 *   <tr><td>{@link LinkLostException}</td><td>the link is lost, closed or could not be opened; no
 *       operation was in flight whose fate matters (that would be outcome unknown)</td><td>unchanged</td></tr>
 *   <tr><td>{@link MalformedMessageException}</td><td>a message could not be decoded</td><td>unchanged,
 *       unless it was the answer to a device-changing operation (then outcome unknown, with this as the
 *       cause)</td></tr>
 *   <tr><td>{@link DriverAbortedException}</td><td>stopped by {@link CrossbarDriver#abort()}</td>
 *       <td>outputs idle; the operation ran partly</td></tr>
 * </table>
 *
 * None of them is an {@link java.io.InterruptedIOException}: a {@code catch (InterruptedIOException)}
 * never swallows one of these. {@link #getMessage()} has one shape for all: {@code SOURCE: KIND: DETAIL},
 * e.g. {@code /dev/ttyACM0: outcome unknown: PULSE (sequence 12) may or may not have executed: ...}.
 * The command line turns each kind into one exit code (README, "exit codes").
 */
public abstract sealed class DriverException extends IOException
    permits OutcomeUnknownException, RefusedException, TimeoutNothingRanException, LinkLostException, MalformedMessageException, DriverAbortedException {

  /** The six kinds, with the words the message uses for each. */
  public enum Kind {
    OUTCOME_UNKNOWN("outcome unknown"),
    REFUSED("refused"),
    TIMED_OUT("timed out, nothing ran"),
    LINK_LOST("link lost"),
    MALFORMED("malformed message"),
    ABORTED("aborted");

    private final String words;

    Kind(String words) {
      this.words = words;
    }

    /** How the message names this kind, e.g. {@code "outcome unknown"}. */
    public String words() {
      return words;
    }
  }

  private final Kind kind;
  private final String source;

  DriverException(Kind kind, String source, String detail, Throwable cause) {
    super((source == null || source.isEmpty() ? "" : source + ": ") + kind.words() + ": " + detail, cause);
    this.kind = kind;
    this.source = source == null ? "" : source;
  }

  /** Which kind this is; a {@code switch} over it is exhaustive. */
  public final Kind kind() {
    return kind;
  }

  /** The port, server endpoint or instrument that reported it, as its driver names it; may be empty. */
  public final String source() {
    return source;
  }

  /** {@code " (sequence N, cell C)"}-style context for messages; empty parts are left out. */
  static String context(long sequence, Cell cell) {
    if (sequence < 0 && cell == null) return "";
    return " (" + (sequence < 0 ? "" : "sequence " + sequence) + (sequence >= 0 && cell != null ? ", " : "") + (cell == null ? "" : "cell " + cell) + ")";
  }

  static String millis(Duration waited) {
    return waited.toMillis() + " ms";
  }
}
