package org.rramctl.driver.transport;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import org.rramctl.driver.LinkLostException;

/**
 * A bidirectional byte link to a board or instrument: a serial port, a pseudo-terminal, a TCP
 * socket or an in-memory pipe. It moves bytes only; framing, codecs and sessions live above it.
 *
 * <h2>Threads</h2>
 * A transport serves at most <b>one reader thread</b> (calling {@link #read} and {@link #purgeInput})
 * and <b>one writer thread</b> (calling {@link #write}) at a time; the two may run concurrently.
 * {@link #close()}, {@link #isOpen()} and {@link #endpoint()} may be called from any thread.
 * {@code Thread.interrupt()} is not guaranteed to unblock a read (it does not for jSerialComm);
 * {@link #close()} is: a read or write blocked in another thread ends promptly with
 * {@link TransportClosedException}.
 *
 * <h2>Errors</h2>
 * <ul>
 *   <li>{@link TransportClosedException}: this end was closed (by {@link #close()}, possibly from
 *       another thread while the call was blocked).</li>
 *   <li>{@link LinkLostException}: the other side went away (device unplugged, peer process died,
 *       socket reset or closed by the peer). The transport cannot recover; close it and open a new one.</li>
 *   <li>Other {@link IOException}s: operation failures with the endpoint and cause in the message.</li>
 * </ul>
 * A lost link is always reported as an exception, never as a {@code -1} return, so that callers have
 * one path for it. Some links cannot see the peer go away (a pty whose peer merely closes, a serial
 * cable pulled on a board that stays powered): sessions must still run a heartbeat.
 *
 * <h2>Ownership</h2>
 * Whoever opens a transport closes it. Decorators ({@link FaultyTransport}) close what they wrap.
 */
public interface Transport extends Closeable {

  /**
   * Writes all {@code len} bytes from {@code bytes[offset..]}, blocking while the link applies
   * backpressure. Writer thread only. Returning means the bytes were handed to the OS or peer, not
   * that they arrived.
   *
   * @throws TransportClosedException if this end is or becomes closed
   * @throws LinkLostException if the peer is gone
   */
  void write(byte[] bytes, int offset, int len) throws IOException;

  /** Writes all of {@code bytes}; see {@link #write(byte[], int, int)}. */
  default void write(byte[] bytes) throws IOException {
    write(bytes, 0, bytes.length);
  }

  /**
   * Reads what is available, waiting up to {@code timeout} for the first byte. Reader thread only.
   *
   * @param timeout the longest wait for at least one byte; {@link Duration#ZERO} polls (returns at
   *     once). Resolution is implementation-specific (milliseconds for serial ports); never negative.
   * @return the number of bytes read, between 1 and {@code len}, or 0 if the timeout passed with
   *     nothing to read (or {@code len} is 0)
   * @throws TransportClosedException if this end is or becomes closed, including from another thread
   *     while this call is blocked
   * @throws LinkLostException if the peer is gone (after any bytes it sent have been read)
   */
  int read(byte[] buffer, int offset, int len, Duration timeout) throws IOException;

  /**
   * Discards bytes received but not yet read, e.g. boot noise before a handshake. Reader thread only.
   * Bytes still in flight may arrive afterwards; a session resynchronises on frames, not on this.
   */
  void purgeInput() throws IOException;

  /** Whether {@link #close()} has not been called. Says nothing about the peer. Any thread. */
  boolean isOpen();

  /** The port or endpoint this transport talks to, e.g. {@code /dev/ttyACM0} or {@code tcp://host:5000}. Any thread. */
  String endpoint();

  /**
   * Closes this end and releases its resources; idempotent, any thread. Blocked reads and writes in
   * other threads end with {@link TransportClosedException}. Never throws: a failure to release is
   * logged nowhere and swallowed, because there is nothing a caller could do with it.
   */
  @Override
  void close();

  /** Validates the standard {@code (buffer, offset, len)} triple; for implementations. */
  static void checkRange(byte[] bytes, int offset, int len) {
    if (bytes == null) throw new NullPointerException("bytes");
    if (offset < 0 || len < 0 || len > bytes.length - offset) {
      throw new IndexOutOfBoundsException("offset: " + offset + ", len: " + len + " (expected: within an array of " + bytes.length + ")");
    }
  }

  /** Validates a read timeout; for implementations. */
  static void checkTimeout(Duration timeout) {
    if (timeout == null || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: zero or positive)");
    }
  }
}
