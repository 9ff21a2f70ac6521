package org.rramctl.protocol;

/**
 * A rectangle of one array on the wire: array u8, row0 u16, col0 u16, rows u16, cols u16 (9 bytes).
 * Rows carry the inputs of a forward read, columns its outputs.
 */
public record TileAddress(int array, int row0, int col0, int rows, int cols) {
  public static final int BYTES = 9;

  public TileAddress {
    Check.range("array", array, 0, 0xFF);
    Check.range("row0", row0, 0, 0xFFFF);
    Check.range("col0", col0, 0, 0xFFFF);
    Check.range("rows", rows, 1, 0x10000 - row0);
    Check.range("cols", cols, 1, 0x10000 - col0);
  }
}
