package org.rramctl.driver.serial;

import java.time.Duration;
import org.rramctl.protocol.WireFormat;

/**
 * How a {@link BoardSession} times and retries its exchanges.
 *
 * @param responseTimeout how long to wait for the first frame of an answer (and between the frames of a
 *     streamed one), over and above the command's own run time and the line time of a full frame; null (the
 *     default) derives it from the board's announced watchdog: a quarter of it ({@link BoardSession#responseTimeout()})
 * @param attempts sends of an idempotent command in all (PROTOCOL.md 5.4 says 3); also how often an
 *     unanswered device-changing command is re-sent after LAST_EXECUTED showed it never arrived
 * @param minVersion lowest protocol version this host accepts
 * @param maxVersion highest protocol version this host accepts, at most {@link WireFormat#MAX_VERSION}: the session then
 *     speaks the board's version (PROTOCOL.md 5.1)
 * @param baudRate the line rate, bits per second, for the line time of a frame (10 bits per byte)
 * @param abortTimeout how long {@link BoardSession#abort()} waits for the board's ACK before returning
 */
public record SessionSettings(Duration responseTimeout, int attempts, int minVersion, int maxVersion, int baudRate, Duration abortTimeout) {
  /** The response timeout of the handshake when none is set: the board has not yet said what its watchdog is. */
  public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);

  public SessionSettings {
    if (responseTimeout != null && responseTimeout.toMillis() < 1) {
      String given = responseTimeout.isNegative() ? "-" + org.rramctl.driver.Durations.format(responseTimeout.negated().toNanos())
          : org.rramctl.driver.Durations.format(responseTimeout.toNanos());
      throw new IllegalArgumentException("responseTimeout: " + given + " (expected: at least 1ms)");
    }
    if (attempts < 1 || attempts > 10) throw new IllegalArgumentException("attempts: " + attempts + " (expected: 1..10)");
    if (minVersion < WireFormat.MIN_VERSION || maxVersion < minVersion || maxVersion > WireFormat.MAX_VERSION) {
      throw new IllegalArgumentException("version window: " + minVersion + ".." + maxVersion + " (expected: " + WireFormat.MIN_VERSION
          + " <= min <= max <= " + WireFormat.MAX_VERSION + ", the versions this host speaks)");
    }
    if (baudRate < 1) throw new IllegalArgumentException("baudRate: " + baudRate + " (expected: >= 1)");
    if (abortTimeout == null || abortTimeout.isNegative()) throw new IllegalArgumentException("abortTimeout: " + abortTimeout + " (expected: >= 0)");
  }

  /**
   * Response timeout from the board's watchdog, 3 attempts, protocol versions {@value WireFormat#MIN_VERSION}..{@value
   * WireFormat#MAX_VERSION} (an older board is served in its own version, without the newer commands), 115200 baud, 1 s abort wait.
   */
  public static SessionSettings defaults() {
    return new SessionSettings(null, 3, WireFormat.MIN_VERSION, WireFormat.MAX_VERSION, 115_200, Duration.ofSeconds(1));
  }

  public SessionSettings withResponseTimeout(Duration d) {
    return new SessionSettings(d, attempts, minVersion, maxVersion, baudRate, abortTimeout);
  }

  public SessionSettings withAttempts(int n) {
    return new SessionSettings(responseTimeout, n, minVersion, maxVersion, baudRate, abortTimeout);
  }

  public SessionSettings withVersionWindow(int min, int max) {
    return new SessionSettings(responseTimeout, attempts, min, max, baudRate, abortTimeout);
  }

  public SessionSettings withBaudRate(int baud) {
    return new SessionSettings(responseTimeout, attempts, minVersion, maxVersion, baud, abortTimeout);
  }

  /** Line time of {@code bytes} at {@link #baudRate()} with 8N1 framing (10 bits per byte). */
  Duration lineTime(long bytes) {
    return Duration.ofNanos(bytes * 10L * 1_000_000_000L / baudRate);
  }
}
