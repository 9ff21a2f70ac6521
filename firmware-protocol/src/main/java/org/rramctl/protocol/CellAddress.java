package org.rramctl.protocol;

/** One device on the wire: array u8, plane u8, row u16, col u16 (6 bytes), all zero-based. */
public record CellAddress(int array, WirePlane plane, int row, int col) {
  public static final int BYTES = 6;

  public CellAddress {
    Check.range("array", array, 0, 0xFF);
    Check.notNull("plane", plane);
    Check.range("row", row, 0, 0xFFFF);
    Check.range("col", col, 0, 0xFFFF);
  }
}
