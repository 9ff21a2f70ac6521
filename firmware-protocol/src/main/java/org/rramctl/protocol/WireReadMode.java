package org.rramctl.protocol;

/** What a vector read senses, as one byte: active, reference, or active minus reference (differential). */
public enum WireReadMode {
  ACTIVE,
  REFERENCE,
  DIFFERENTIAL;

  /** The wire byte: the ordinal. */
  public int code() {
    return ordinal();
  }
}
