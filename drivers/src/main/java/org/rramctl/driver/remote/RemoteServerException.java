package org.rramctl.driver.remote;

import java.io.IOException;

/** The server answered a request with an error other than a bad argument, an envelope refusal or an abort. */
public class RemoteServerException extends IOException {
  private final String endpoint;
  private final Opcode operation;
  private final ErrorCode code;

  public RemoteServerException(String endpoint, Opcode operation, ErrorCode code, String message) {
    super("server " + endpoint + ": " + operation + ": " + code + ": " + message);
    this.endpoint = endpoint;
    this.operation = operation;
    this.code = code;
  }

  public String endpoint() {
    return endpoint;
  }

  public Opcode operation() {
    return operation;
  }

  public ErrorCode code() {
    return code;
  }
}
