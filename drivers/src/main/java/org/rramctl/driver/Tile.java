package org.rramctl.driver;

/**
 * A rectangle of one array together with the same rectangle of its reference array: the unit a
 * network layer (or part of one) is mapped onto. Rows carry the inputs (forward read drives the rows),
 * columns carry the outputs.
 */
public record Tile(int array, int row0, int col0, int rows, int cols) {
  public Tile {
    if (array < 0) throw new IllegalArgumentException("array: " + array + " (expected: >= 0)");
    if (row0 < 0) throw new IllegalArgumentException("row0: " + row0 + " (expected: >= 0)");
    if (col0 < 0) throw new IllegalArgumentException("col0: " + col0 + " (expected: >= 0)");
    if (rows < 1) throw new IllegalArgumentException("rows: " + rows + " (expected: >= 1)");
    if (cols < 1) throw new IllegalArgumentException("cols: " + cols + " (expected: >= 1)");
  }

  /** The whole of array {@code g}. */
  public static Tile whole(ArrayGeometry g) {
    return new Tile(g.index(), 0, 0, g.rows(), g.cols());
  }

  public int devices() {
    return rows * cols;
  }

  @Override
  public String toString() {
    return "array " + array + " rows " + row0 + ".." + (row0 + rows - 1) + " cols " + col0 + ".." + (col0 + cols - 1);
  }
}
