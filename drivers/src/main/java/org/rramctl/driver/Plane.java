package org.rramctl.driver;

/** Which of a tile's two arrays an operation addresses: the active devices or their references. */
public enum Plane {
  /** The devices that hold the weights. */
  ACTIVE,
  /** The reference devices; with zero-shifting each holds its active device's symmetry point. */
  REFERENCE
}
