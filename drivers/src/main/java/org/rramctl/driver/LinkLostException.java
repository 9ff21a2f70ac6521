package org.rramctl.driver;

/**
 * The link to the board, server or instrument is lost, was closed, or could not be opened: device
 * unplugged, peer process gone, connection reset, a port that does not open, a server that cannot be
 * reached. Nothing whose fate matters was in flight (a device-changing operation in flight is reported
 * as {@link OutcomeUnknownException} with this as its cause). Close the driver or let it reconnect.
 *
 * <p>Not sealed: the byte layer refines it ({@code TransportClosedException}, {@code SerialPortException}).
 */
public non-sealed class LinkLostException extends DriverException {
  private final String reason;

  public LinkLostException(String source, String reason) {
    this(source, reason, null);
  }

  /**
   * @param source port or endpoint, as the transport or driver names it
   * @param reason what was observed, e.g. {@code "read returned -1"} or {@code "connection reset"}
   */
  public LinkLostException(String source, String reason, Throwable cause) {
    super(Kind.LINK_LOST, source, reason, cause);
    this.reason = reason;
  }

  /** What was observed, e.g. {@code "read returned -1"} or {@code "connection reset"}. */
  public String reason() {
    return reason;
  }
}
