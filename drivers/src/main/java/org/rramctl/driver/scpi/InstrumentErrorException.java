package org.rramctl.driver.scpi;

import java.io.IOException;

/** The instrument's error queue reported an error after a command group; the output was shut down. */
public class InstrumentErrorException extends IOException {
  private final int code;
  private final String instrumentMessage;
  private final String commandGroup;

  public InstrumentErrorException(String endpoint, int code, String instrumentMessage, String commandGroup) {
    super(endpoint + ": instrument error " + code + " \"" + instrumentMessage + "\" after: " + commandGroup);
    this.code = code;
    this.instrumentMessage = instrumentMessage;
    this.commandGroup = commandGroup;
  }

  public int code() {
    return code;
  }

  public String instrumentMessage() {
    return instrumentMessage;
  }

  /** The commands after which the error was found. */
  public String commandGroup() {
    return commandGroup;
  }
}
