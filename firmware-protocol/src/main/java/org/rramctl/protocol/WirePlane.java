package org.rramctl.protocol;

/** Which array of a pair a command addresses, as one byte: the active devices or their references. */
public enum WirePlane {
  ACTIVE,
  REFERENCE;

  /** The wire byte: the ordinal. */
  public int code() {
    return ordinal();
  }
}
