package org.rramctl.driver;

/**
 * A request lies outside the safety envelope. Nothing was executed or sent. The message names the limit,
 * the value asked for and the allowed range.
 */
public class EnvelopeViolationException extends IllegalArgumentException {
  private final String limit;
  private final String requested;
  private final String allowed;

  public EnvelopeViolationException(String limit, String requested, String allowed) {
    super(limit + ": " + requested + " (allowed: " + allowed + ")");
    this.limit = limit;
    this.requested = requested;
    this.allowed = allowed;
  }

  /** Name of the limit, e.g. "pulse amplitude". */
  public String limit() {
    return limit;
  }

  public String requested() {
    return requested;
  }

  public String allowed() {
    return allowed;
  }
}
