package org.rramctl.driver.remote;

import java.io.IOException;

/**
 * No connection to the server could be used within the connect timeout, so the request was never sent and
 * did not execute. With CURVE this is also what a refused key or a wrong server key looks like (the
 * handshake never completes); the server's log says which.
 */
public class ServerUnreachableException extends IOException {
  private final String endpoint;
  private final long waitedMillis;

  public ServerUnreachableException(String endpoint, long waitedMillis, String hint) {
    super("server " + endpoint + ": no usable connection within " + waitedMillis + " ms; no operation was executed" + (hint.isEmpty() ? "" : " (" + hint + ")"));
    this.endpoint = endpoint;
    this.waitedMillis = waitedMillis;
  }

  public String endpoint() {
    return endpoint;
  }

  public long waitedMillis() {
    return waitedMillis;
  }
}
