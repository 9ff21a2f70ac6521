package org.rramctl.protocol;

/** One array of a board (IDENTITY): rows u16, cols u16, flags u8 (bit 0: has a reference array). */
public record ArrayInfo(int rows, int cols, boolean hasReference) {
  public static final int BYTES = 5;

  public ArrayInfo {
    Check.range("rows", rows, 1, 0xFFFF);
    Check.range("cols", cols, 1, 0xFFFF);
  }
}
