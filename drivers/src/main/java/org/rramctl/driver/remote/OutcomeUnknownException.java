package org.rramctl.driver.remote;

import java.io.InterruptedIOException;

/**
 * A request was sent but no reply came: the server went silent (no reply and no "still working" heartbeat
 * for the silence timeout) or the request timeout passed. The operation is <em>not known to have
 * executed</em>: it may have run completely, partly or not at all. Re-read the devices it touched before
 * relying on their state.
 */
public class OutcomeUnknownException extends InterruptedIOException {
  private final String endpoint;
  private final Opcode operation;
  private final long requestId;
  private final long waitedMillis;

  public OutcomeUnknownException(String endpoint, Opcode operation, long requestId, long waitedMillis, String why) {
    super("server " + endpoint + ": " + operation + " #" + requestId + " " + why + " after " + waitedMillis
        + " ms; the operation is not known to have executed");
    this.endpoint = endpoint;
    this.operation = operation;
    this.requestId = requestId;
    this.waitedMillis = waitedMillis;
  }

  public String endpoint() {
    return endpoint;
  }

  public Opcode operation() {
    return operation;
  }

  public long requestId() {
    return requestId;
  }

  public long waitedMillis() {
    return waitedMillis;
  }
}
