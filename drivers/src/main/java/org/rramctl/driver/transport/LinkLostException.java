package org.rramctl.driver.transport;

/**
 * The other side of the transport went away: device unplugged, peer process gone, connection reset
 * or closed by the peer. The transport is unusable; close it and open a new one to reconnect.
 */
public class LinkLostException extends TransportException {
  private final String reason;

  public LinkLostException(String endpoint, String reason) {
    this(endpoint, reason, null);
  }

  public LinkLostException(String endpoint, String reason, Throwable cause) {
    super(endpoint, "link lost: " + reason, cause);
    this.reason = reason;
  }

  /** What was observed, e.g. {@code "read returned -1"} or {@code "connection reset"}. */
  public String reason() {
    return reason;
  }
}
