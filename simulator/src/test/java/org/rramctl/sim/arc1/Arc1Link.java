package org.rramctl.sim.arc1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.transport.Transport;
import org.rramctl.driver.transport.TransportClosedException;

/**
 * An in-memory link from a host to a responder (a {@link VirtualArc1}, or a scripted fault): each write is
 * answered at once, and everything the host wrote is recorded. A read with nothing to read waits out its
 * timeout, as a silent board would make it. One thread, as the driver uses it.
 */
final class Arc1Link implements Transport {
  private final UnaryOperator<byte[]> responder;
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private byte[] pending = new byte[0];
  private int pendingAt;
  private boolean open = true;
  private int writesLeftBeforeLoss = Integer.MAX_VALUE;
  private IOException failure;

  Arc1Link(UnaryOperator<byte[]> responder) {
    this.responder = responder;
  }

  static Arc1Link to(VirtualArc1 board) {
    return new Arc1Link(b -> board.feed(b, 0, b.length));
  }

  /** The link is lost at the n-th write from now (that write fails, nothing of it arrives). */
  void loseLinkAtWrite(int n) {
    writesLeftBeforeLoss = n;
  }

  /** From now on every read and write throws {@code e} (an I/O error of the port itself, not of the driver's family). */
  void failWith(IOException e) {
    failure = e;
  }

  /** The bytes written since the last call. */
  byte[] takeWritten() {
    byte[] b = written.toByteArray();
    written.reset();
    return b;
  }

  @Override
  public void write(byte[] bytes, int offset, int len) throws IOException {
    if (!open) throw new TransportClosedException(endpoint());
    if (failure != null) throw failure;
    if (--writesLeftBeforeLoss <= 0) throw new LinkLostException(endpoint(), "unplugged");
    byte[] b = java.util.Arrays.copyOfRange(bytes, offset, offset + len);
    written.writeBytes(b);
    byte[] answer = responder.apply(b);
    byte[] rest = java.util.Arrays.copyOfRange(pending, pendingAt, pending.length);
    pending = new byte[rest.length + answer.length];
    System.arraycopy(rest, 0, pending, 0, rest.length);
    System.arraycopy(answer, 0, pending, rest.length, answer.length);
    pendingAt = 0;
  }

  @Override
  public int read(byte[] buffer, int offset, int len, Duration timeout) throws IOException {
    if (!open) throw new TransportClosedException(endpoint());
    if (failure != null) throw failure;
    int n = Math.min(len, pending.length - pendingAt);
    if (n == 0) {
      LockSupport.parkNanos(timeout.toNanos()); // nothing will come: a silent board makes the reader wait this long
      return 0;
    }
    System.arraycopy(pending, pendingAt, buffer, offset, n);
    pendingAt += n;
    return n;
  }

  @Override
  public void purgeInput() {
    pendingAt = pending.length;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public String endpoint() {
    return "arc1-link";
  }

  @Override
  public void close() {
    open = false;
  }
}
