package org.rramctl.protocol;

/** Direction of a programming pulse, as one byte. UP (SET) raises the conductance, DOWN (RESET) lowers it. */
public enum WirePolarity {
  UP,
  DOWN;

  /** The wire byte: the ordinal. */
  public int code() {
    return ordinal();
  }
}
