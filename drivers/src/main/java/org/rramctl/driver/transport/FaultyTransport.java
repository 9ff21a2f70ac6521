package org.rramctl.driver.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.rramctl.driver.LinkLostException;

/**
 * A decorator that injects line faults into any {@link Transport}, for testing the layers above:
 * dropped bytes, flipped bits, stalls and a disconnect. Faults are switched on and off at run time
 * from any thread (e.g. the test thread while a session runs); each direction draws from its own
 * {@link SplittableRandom} seeded from the constructor's seed, so a run is reproducible for a given
 * sequence of reads and writes.
 *
 * <ul>
 *   <li>{@link #dropBytes}: each byte passing in a chosen direction is discarded with the given
 *       probability.</li>
 *   <li>{@link #flipBits}: each byte passing in a chosen direction has one uniformly chosen bit
 *       inverted with the given probability (a per-byte, not per-bit, rate: easier to reason about
 *       against a CRC).</li>
 *   <li>{@link #stall()} .. {@link #resume()}: the line goes quiet. Reads return 0 after their timeout
 *       and leave incoming bytes queued in the wrapped transport; writes wait until {@link #resume()}
 *       (or {@link #close()}, or {@link #disconnect()}).</li>
 *   <li>{@link #reorderAndDuplicateFrames}: inbound whole frames (bytes up to a 0x00 delimiter, the
 *       framing of PROTOCOL.md) are, each with the given probability, held back and delivered after one
 *       to three later frames (reordered), or delivered and delivered once more after one to three later
 *       frames (a late duplicate), as a line with retransmitting equipment in it could do.</li>
 *   <li>{@link #disconnect()}: closes the wrapped transport (its peer then sees a lost link) and
 *       makes every later or blocked call on this end throw {@link LinkLostException}, as an
 *       unplugged cable would.</li>
 * </ul>
 * Thread rules are those of {@link Transport}. Closing this closes the wrapped transport.
 */
public final class FaultyTransport implements Transport {

  /** Which bytes a drop or bit-flip fault applies to. */
  public enum Direction {
    /** Bytes read from the wrapped transport. */
    INBOUND,
    /** Bytes written to the wrapped transport. */
    OUTBOUND,
    /** Both. */
    BOTH;

    boolean inbound() {
      return this != OUTBOUND;
    }

    boolean outbound() {
      return this != INBOUND;
    }
  }

  private final Transport inner;
  private final SplittableRandom inboundRandom; // reader thread only
  private final SplittableRandom outboundRandom; // writer thread only
  private final AtomicLong bytesDropped = new AtomicLong();
  private final AtomicLong bitsFlipped = new AtomicLong();
  private final ReentrantLock stallLock = new ReentrantLock();
  private final Condition unstalled = stallLock.newCondition();

  private volatile double dropRate;
  private volatile Direction dropDirection = Direction.BOTH;
  private volatile double flipRate;
  private volatile Direction flipDirection = Direction.BOTH;
  private volatile double frameFaultRate;
  private final java.io.ByteArrayOutputStream partialFrame = new java.io.ByteArrayOutputStream(); // reader thread only
  private final java.util.List<Held> held = new java.util.ArrayList<>(); // reader thread only
  private byte[] ready = new byte[0]; // reader thread only: bytes released, not yet read
  private int readyAt; // reader thread only
  private final AtomicLong framesDelayed = new AtomicLong();
  private final AtomicLong framesDuplicated = new AtomicLong();
  private volatile boolean stalled;
  private volatile boolean disconnected;
  private volatile boolean closed;

  /** Wraps {@code inner}, with no fault active. This transport now owns {@code inner}. */
  public FaultyTransport(Transport inner, long seed) {
    if (inner == null) throw new NullPointerException("inner");
    this.inner = inner;
    SplittableRandom root = new SplittableRandom(seed);
    this.inboundRandom = root.split();
    this.outboundRandom = root.split();
  }

  /** Drops each byte passing in {@code direction} with probability {@code rate} (0 turns it off). */
  public FaultyTransport dropBytes(double rate, Direction direction) {
    dropRate = checkRate("dropRate", rate);
    dropDirection = checkDirection(direction);
    return this;
  }

  /** Flips one bit in each byte passing in {@code direction} with probability {@code rate} (0 turns it off). */
  public FaultyTransport flipBits(double rate, Direction direction) {
    flipRate = checkRate("flipRate", rate);
    flipDirection = checkDirection(direction);
    return this;
  }

  /**
   * Holds back each inbound frame with probability {@code rate} and delivers it after one to three later
   * frames; delivers each other frame with probability {@code rate} once more after one to three later
   * frames (0 turns new faults off; frames already held are still delivered when later frames come).
   */
  public FaultyTransport reorderAndDuplicateFrames(double rate) {
    frameFaultRate = checkRate("frameFaultRate", rate);
    return this;
  }

  /** Inbound frames held back and delivered late so far by {@link #reorderAndDuplicateFrames}. */
  public long framesDelayed() {
    return framesDelayed.get();
  }

  /** Inbound frames delivered a second time, late, so far by {@link #reorderAndDuplicateFrames}. */
  public long framesDuplicated() {
    return framesDuplicated.get();
  }

  /** Makes the line go quiet until {@link #resume()}. */
  public FaultyTransport stall() {
    stalled = true;
    return this;
  }

  /** Ends a {@link #stall()}; held writes proceed. */
  public FaultyTransport resume() {
    stallLock.lock();
    try {
      stalled = false;
      unstalled.signalAll();
    } finally {
      stallLock.unlock();
    }
    return this;
  }

  /** Simulates an unplugged cable: closes the wrapped transport; this end then reports a lost link. */
  public void disconnect() {
    disconnected = true;
    inner.close();
    wakeStalledWriters();
  }

  /** Bytes discarded so far by {@link #dropBytes}, both directions. */
  public long bytesDropped() {
    return bytesDropped.get();
  }

  /** Bits inverted so far by {@link #flipBits}, both directions. */
  public long bitsFlipped() {
    return bitsFlipped.get();
  }

  /** The wrapped transport. */
  public Transport inner() {
    return inner;
  }

  @Override
  public void write(byte[] bytes, int offset, int len) throws IOException {
    Transport.checkRange(bytes, offset, len);
    awaitUnstalled();
    checkUsable();
    double drop = dropDirection.outbound() ? dropRate : 0;
    double flip = flipDirection.outbound() ? flipRate : 0;
    if (drop == 0 && flip == 0) {
      delegateWrite(bytes, offset, len);
      return;
    }
    // Copy so the caller's buffer is never modified.
    byte[] copy = new byte[len];
    int n = mutate(bytes, offset, len, copy, 0, drop, flip, outboundRandom);
    delegateWrite(copy, 0, n);
  }

  @Override
  public int read(byte[] buffer, int offset, int len, Duration timeout) throws IOException {
    Transport.checkRange(buffer, offset, len);
    Transport.checkTimeout(timeout);
    checkUsable();
    if (readyAt < ready.length) return takeReady(buffer, offset, len);
    long deadline = System.nanoTime() + Timeouts.nanos(timeout);
    while (true) {
      long remaining = deadline - System.nanoTime();
      if (stalled) {
        awaitStallEnd(remaining);
        checkUsable();
        if (stalled) return 0;
        remaining = deadline - System.nanoTime();
      }
      int n;
      try {
        n = inner.read(buffer, offset, len, Duration.ofNanos(Math.max(0, remaining)));
      } catch (TransportClosedException e) {
        throw translateClosed(e);
      }
      double drop = dropDirection.inbound() ? dropRate : 0;
      double flip = flipDirection.inbound() ? flipRate : 0;
      if (n > 0 && (drop > 0 || flip > 0)) {
        n = mutate(buffer, offset, n, buffer, offset, drop, flip, inboundRandom);
      }
      if (n > 0 && (frameFaultRate > 0 || !held.isEmpty() || partialFrame.size() > 0)) {
        reframe(buffer, offset, n);
        n = takeReady(buffer, offset, len);
      }
      // Everything read may have been dropped: keep waiting out the caller's timeout.
      if (n > 0 || deadline - System.nanoTime() <= 0) return n;
    }
  }

  @Override
  public void purgeInput() throws IOException {
    checkUsable();
    ready = new byte[0];
    readyAt = 0;
    partialFrame.reset();
    held.clear();
    try {
      inner.purgeInput();
    } catch (TransportClosedException e) {
      throw translateClosed(e);
    }
  }

  @Override
  public boolean isOpen() {
    return !closed;
  }

  @Override
  public String endpoint() {
    return inner.endpoint();
  }

  @Override
  public void close() {
    closed = true;
    inner.close();
    wakeStalledWriters();
  }

  @Override
  public String toString() {
    return "FaultyTransport[" + inner + "]";
  }

  /** A frame held back by {@link #reorderAndDuplicateFrames}, due after {@code framesLeft} more frames. */
  private static final class Held {
    final byte[] frame;
    int framesLeft;

    Held(byte[] frame, int framesLeft) {
      this.frame = frame;
      this.framesLeft = framesLeft;
    }
  }

  /** Cuts inbound bytes into frames and decides each one's fate; what is due goes to {@link #ready}. */
  private void reframe(byte[] bytes, int offset, int n) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(ready, readyAt, ready.length - readyAt);
    double rate = frameFaultRate;
    for (int i = 0; i < n; i++) {
      byte b = bytes[offset + i];
      partialFrame.write(b);
      if (b != 0) continue;
      byte[] frame = partialFrame.toByteArray();
      partialFrame.reset();
      java.util.List<byte[]> due = new java.util.ArrayList<>();
      for (java.util.Iterator<Held> it = held.iterator(); it.hasNext(); ) {
        Held h = it.next();
        if (--h.framesLeft <= 0) {
          due.add(h.frame);
          it.remove();
        }
      }
      double u = rate > 0 ? inboundRandom.nextDouble() : 1;
      if (u < rate) {
        held.add(new Held(frame, 1 + inboundRandom.nextInt(3)));
        framesDelayed.incrementAndGet();
      } else {
        out.writeBytes(frame);
        if (u < 2 * rate) {
          held.add(new Held(frame, 1 + inboundRandom.nextInt(3)));
          framesDuplicated.incrementAndGet();
        }
      }
      for (byte[] f : due) out.writeBytes(f);
    }
    ready = out.toByteArray();
    readyAt = 0;
  }

  private int takeReady(byte[] buffer, int offset, int len) {
    int k = Math.min(len, ready.length - readyAt);
    System.arraycopy(ready, readyAt, buffer, offset, k);
    readyAt += k;
    return k;
  }

  private int mutate(byte[] src, int srcOff, int len, byte[] dst, int dstOff, double drop, double flip, SplittableRandom random) {
    int w = dstOff;
    int dropped = 0;
    int flipped = 0;
    for (int i = 0; i < len; i++) {
      byte b = src[srcOff + i];
      if (drop > 0 && random.nextDouble() < drop) {
        dropped++;
        continue;
      }
      if (flip > 0 && random.nextDouble() < flip) {
        b ^= (byte) (1 << random.nextInt(8));
        flipped++;
      }
      dst[w++] = b;
    }
    bytesDropped.addAndGet(dropped);
    bitsFlipped.addAndGet(flipped);
    return w - dstOff;
  }

  private void delegateWrite(byte[] bytes, int offset, int len) throws IOException {
    try {
      inner.write(bytes, offset, len);
    } catch (TransportClosedException e) {
      throw translateClosed(e);
    }
  }

  /** The inner transport reports "closed" both when we closed and when we disconnected it. */
  private IOException translateClosed(TransportClosedException e) {
    if (!closed && disconnected) return new LinkLostException(endpoint(), "disconnected by fault injection", e);
    return e;
  }

  private void checkUsable() throws IOException {
    if (closed) throw new TransportClosedException(endpoint());
    if (disconnected) throw new LinkLostException(endpoint(), "disconnected by fault injection");
  }

  private void awaitUnstalled() throws IOException {
    stallLock.lock();
    try {
      while (stalled && !closed && !disconnected) unstalled.awaitUninterruptibly();
    } finally {
      stallLock.unlock();
    }
  }

  private void awaitStallEnd(long nanos) {
    stallLock.lock();
    try {
      while (stalled && !closed && !disconnected && nanos > 0) {
        try {
          nanos = unstalled.awaitNanos(nanos);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    } finally {
      stallLock.unlock();
    }
  }

  private void wakeStalledWriters() {
    stallLock.lock();
    try {
      unstalled.signalAll();
    } finally {
      stallLock.unlock();
    }
  }

  private static double checkRate(String name, double rate) {
    if (!(rate >= 0 && rate <= 1)) throw new IllegalArgumentException(name + ": " + rate + " (expected: 0..1)");
    return rate;
  }

  private static Direction checkDirection(Direction direction) {
    if (direction == null) throw new NullPointerException("direction");
    return direction;
  }
}
