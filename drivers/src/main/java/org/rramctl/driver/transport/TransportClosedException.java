package org.rramctl.driver.transport;

/**
 * This end of the transport was closed, possibly by another thread while the failing call was
 * blocked. Not a link failure: the owner asked for it.
 */
public class TransportClosedException extends TransportException {
  public TransportClosedException(String endpoint) {
    super(endpoint, "transport closed");
  }
}
