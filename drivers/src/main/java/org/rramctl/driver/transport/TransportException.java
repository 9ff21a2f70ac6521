package org.rramctl.driver.transport;

import java.io.IOException;

/** An I/O failure on a {@link Transport}, naming its endpoint. */
public class TransportException extends IOException {
  private final String endpoint;

  public TransportException(String endpoint, String message) {
    this(endpoint, message, null);
  }

  public TransportException(String endpoint, String message, Throwable cause) {
    super(endpoint + ": " + message, cause);
    this.endpoint = endpoint;
  }

  /** The port or endpoint, as {@link Transport#endpoint()} names it. */
  public String endpoint() {
    return endpoint;
  }
}
