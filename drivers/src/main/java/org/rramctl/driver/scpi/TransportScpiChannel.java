package org.rramctl.driver.scpi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.rramctl.driver.MalformedMessageException;
import org.rramctl.driver.TimeoutNothingRanException;
import org.rramctl.driver.transport.Transport;

/**
 * SCPI/TSP lines over a {@link Transport}: each line is sent with a line-feed terminator; a reply is
 * read up to the next line feed (a carriage return before it is dropped). Writes are serialised under one
 * lock, so an abort's shutdown lines from another thread never interleave with a command; a query holds
 * a second lock across its write and its read so replies pair with their queries. Owns the transport.
 */
public final class TransportScpiChannel implements ScpiChannel {
  private final Transport transport;
  private final Duration replyTimeout;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ReentrantLock queryLock = new ReentrantLock();
  private final byte[] buffer = new byte[4096];
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private int bufferStart;
  private int bufferEnd;

  /**
   * @param transport the link; closed by {@link #close()}
   * @param replyTimeout the longest wait for a complete reply line
   */
  public TransportScpiChannel(Transport transport, Duration replyTimeout) {
    this.transport = transport;
    this.replyTimeout = replyTimeout;
  }

  @Override
  public void send(String text) throws IOException {
    byte[] bytes = (text + "\n").getBytes(StandardCharsets.US_ASCII);
    writeLock.lock();
    try {
      transport.write(bytes);
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public String query(String text) throws IOException {
    queryLock.lock();
    try {
      send(text);
      return readLine(text);
    } finally {
      queryLock.unlock();
    }
  }

  /** Discards bytes already received (stale replies after an abort). */
  public void purge() throws IOException {
    queryLock.lock();
    try {
      bufferStart = bufferEnd = 0;
      line.reset();
      transport.purgeInput();
    } finally {
      queryLock.unlock();
    }
  }

  private String readLine(String query) throws IOException {
    long deadline = System.nanoTime() + replyTimeout.toNanos();
    line.reset();
    while (true) {
      while (bufferStart < bufferEnd) {
        byte b = buffer[bufferStart++];
        if (b == '\n') {
          String s = line.toString(StandardCharsets.US_ASCII);
          return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }
        line.write(b);
        if (line.size() > 1 << 20) throw new MalformedMessageException(transport.endpoint(), "reply to '" + query + "': longer than 1 MiB without a line feed (expected: a line)", -1, -1, null);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutNothingRanException(transport.endpoint(), "'" + query + "'", -1, replyTimeout, line.size() == 0 ? "" : line.size() + " bytes of a line arrived", null);
      }
      int n = transport.read(buffer, 0, buffer.length, Duration.ofNanos(Math.min(left, 50_000_000L)));
      bufferStart = 0;
      bufferEnd = n;
    }
  }

  @Override
  public String endpoint() {
    return transport.endpoint();
  }

  @Override
  public void close() {
    transport.close();
  }
}
