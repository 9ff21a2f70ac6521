package org.rramctl.driver.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * A transport that hands every call to another one: extend it and override what a wrapper changes (counting
 * bytes, holding a direction, injecting faults), instead of restating the five methods that pass through.
 */
public abstract class ForwardingTransport implements Transport {
  protected final Transport inner;

  protected ForwardingTransport(Transport inner) {
    this.inner = Objects.requireNonNull(inner, "inner");
  }

  @Override
  public void write(byte[] bytes, int offset, int len) throws IOException {
    inner.write(bytes, offset, len);
  }

  @Override
  public int read(byte[] buffer, int offset, int len, Duration timeout) throws IOException {
    return inner.read(buffer, offset, len, timeout);
  }

  @Override
  public void purgeInput() throws IOException {
    inner.purgeInput();
  }

  @Override
  public boolean isOpen() {
    return inner.isOpen();
  }

  @Override
  public String endpoint() {
    return inner.endpoint();
  }

  @Override
  public void close() {
    inner.close();
  }
}
