package org.rramctl.driver.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.rramctl.driver.LinkLostException;

/**
 * One end of an in-memory, connected pair of transports, for tests: what one end writes the other
 * reads, in order, unchanged. Each direction is a bounded buffer, so a writer blocks while the reader
 * lags (as a serial line or socket applies backpressure).
 *
 * <p>Closing one end makes the other end's reads throw {@link LinkLostException} once it has read
 * what was already sent, and its writes throw {@link LinkLostException} at once; calls on the closed
 * end throw {@link TransportClosedException}. Each end is closed by whoever uses it. Thread rules are
 * those of {@link Transport}.
 */
public final class PipeTransport implements Transport {

  /** The default capacity of each direction, in bytes. */
  public static final int DEFAULT_CAPACITY = 64 * 1024;

  /** The two ends of a pipe; they are symmetric. */
  public record Pair(PipeTransport a, PipeTransport b) {}

  /** Creates a connected pair with {@link #DEFAULT_CAPACITY} bytes per direction. */
  public static Pair pair() {
    return pair(DEFAULT_CAPACITY);
  }

  /** Creates a connected pair with {@code capacityBytes} of buffer per direction. */
  public static Pair pair(int capacityBytes) {
    if (capacityBytes < 1) throw new IllegalArgumentException("capacityBytes: " + capacityBytes + " (expected: >= 1)");
    Ring aToB = new Ring(capacityBytes);
    Ring bToA = new Ring(capacityBytes);
    PipeTransport a = new PipeTransport("pipe:a", bToA, aToB);
    PipeTransport b = new PipeTransport("pipe:b", aToB, bToA);
    return new Pair(a, b);
  }

  private final String endpoint;
  private final Ring in;
  private final Ring out;
  private volatile boolean closed;

  private PipeTransport(String endpoint, Ring in, Ring out) {
    this.endpoint = endpoint;
    this.in = in;
    this.out = out;
  }

  @Override
  public void write(byte[] bytes, int offset, int len) throws IOException {
    Transport.checkRange(bytes, offset, len);
    out.write(bytes, offset, len, endpoint);
  }

  @Override
  public int read(byte[] buffer, int offset, int len, Duration timeout) throws IOException {
    Transport.checkRange(buffer, offset, len);
    Transport.checkTimeout(timeout);
    return in.read(buffer, offset, len, timeout, endpoint);
  }

  @Override
  public void purgeInput() throws IOException {
    in.purge(endpoint);
  }

  @Override
  public boolean isOpen() {
    return !closed;
  }

  @Override
  public String endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    in.closeReader();
    out.closeWriter();
  }

  @Override
  public String toString() {
    return "PipeTransport[" + endpoint + (closed ? ", closed" : "") + "]";
  }

  /** One direction: a bounded circular buffer with a writer end and a reader end. */
  private static final class Ring {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final byte[] buf;
    private int head; // next byte to read
    private int size;
    private boolean readerClosed;
    private boolean writerClosed;

    Ring(int capacity) {
      buf = new byte[capacity];
    }

    void write(byte[] src, int off, int len, String endpoint) throws IOException {
      lock.lock();
      try {
        while (len > 0) {
          if (writerClosed) throw new TransportClosedException(endpoint);
          if (readerClosed) throw new LinkLostException(endpoint, "peer end closed");
          if (size == buf.length) {
            notFull.awaitUninterruptibly();
            continue;
          }
          int tail = (head + size) % buf.length;
          int n = Math.min(len, Math.min(buf.length - size, buf.length - tail));
          System.arraycopy(src, off, buf, tail, n);
          size += n;
          off += n;
          len -= n;
          notEmpty.signal();
        }
      } finally {
        lock.unlock();
      }
    }

    int read(byte[] dst, int off, int len, Duration timeout, String endpoint) throws IOException {
      lock.lock();
      try {
        long remaining = Timeouts.nanos(timeout);
        while (true) {
          if (readerClosed) throw new TransportClosedException(endpoint);
          if (size > 0) break;
          if (writerClosed) throw new LinkLostException(endpoint, "peer end closed");
          if (len == 0 || remaining <= 0) return 0;
          try {
            remaining = notEmpty.awaitNanos(remaining);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(endpoint + ": read interrupted");
          }
        }
        int n = Math.min(len, size);
        int first = Math.min(n, buf.length - head);
        System.arraycopy(buf, head, dst, off, first);
        System.arraycopy(buf, 0, dst, off + first, n - first);
        head = (head + n) % buf.length;
        size -= n;
        notFull.signal();
        return n;
      } finally {
        lock.unlock();
      }
    }

    void purge(String endpoint) throws IOException {
      lock.lock();
      try {
        if (readerClosed) throw new TransportClosedException(endpoint);
        head = 0;
        size = 0;
        notFull.signal();
      } finally {
        lock.unlock();
      }
    }

    void closeReader() {
      lock.lock();
      try {
        readerClosed = true;
        size = 0;
        notEmpty.signalAll();
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void closeWriter() {
      lock.lock();
      try {
        writerClosed = true;
        notEmpty.signalAll();
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
