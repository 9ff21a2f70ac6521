package org.rramctl.driver;

/**
 * What a vector read of a tile measures. DIFFERENTIAL subtracts the reference array's current from
 * the active array's, device by device (the weight is read as G - G_ref, DESIGN.md section 1).
 */
public enum ReadMode {
  ACTIVE,
  REFERENCE,
  DIFFERENTIAL
}
