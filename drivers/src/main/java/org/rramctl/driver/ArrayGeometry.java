package org.rramctl.driver;

/** One cross-point array of a board: its index, its size, and whether it has a reference array of the same size. */
public record ArrayGeometry(int index, int rows, int cols, boolean hasReference) {
  public ArrayGeometry {
    if (index < 0) throw new IllegalArgumentException("index: " + index + " (expected: >= 0)");
    if (rows < 1) throw new IllegalArgumentException("rows: " + rows + " (expected: >= 1)");
    if (cols < 1) throw new IllegalArgumentException("cols: " + cols + " (expected: >= 1)");
  }

  public int devices() {
    return rows * cols;
  }
}
