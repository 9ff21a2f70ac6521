package org.rramctl.driver.transport;

import org.rramctl.driver.LinkLostException;

/**
 * This end of the transport was closed, possibly by another thread while the failing call was
 * blocked: the link is unusable because its owner asked for it, not because the peer went away.
 */
public class TransportClosedException extends LinkLostException {
  public TransportClosedException(String endpoint) {
    super(endpoint, "this end was closed");
  }
}
