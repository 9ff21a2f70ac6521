package org.rramctl.driver;

/**
 * The address of one device: array index, plane (active or reference), row and column, all zero-based.
 * Whether the address exists on a board is checked against {@link BoardInfo#checkCell(Cell)}.
 */
public record Cell(int array, Plane plane, int row, int col) {
  public Cell {
    if (array < 0) throw new IllegalArgumentException("array: " + array + " (expected: >= 0)");
    if (plane == null) throw new IllegalArgumentException("plane: null (expected: ACTIVE or REFERENCE)");
    if (row < 0) throw new IllegalArgumentException("row: " + row + " (expected: >= 0)");
    if (col < 0) throw new IllegalArgumentException("col: " + col + " (expected: >= 0)");
  }

  /** A device of the active array. */
  public static Cell active(int array, int row, int col) {
    return new Cell(array, Plane.ACTIVE, row, col);
  }

  /** A device of the reference array. */
  public static Cell reference(int array, int row, int col) {
    return new Cell(array, Plane.REFERENCE, row, col);
  }

  public Cell withPlane(Plane newPlane) {
    return new Cell(array, newPlane, row, col);
  }

  /**
   * Parses "R,C" (array 0) or "A:R,C", the form the CLI accepts.
   *
   * @throws IllegalArgumentException naming the text and the expected form
   */
  public static Cell parse(String text, Plane plane) {
    String t = text == null ? "" : text.trim();
    int array = 0;
    int colon = t.indexOf(':');
    try {
      // Integer.parseInt takes any Unicode digit ('\u0663' is 3): only ASCII is an address.
      if (!t.chars().allMatch(ch -> ch < 128)) throw new NumberFormatException();
      if (colon >= 0) {
        array = Integer.parseInt(t.substring(0, colon).trim());
        t = t.substring(colon + 1);
      }
      String[] parts = t.split(",");
      if (parts.length != 2) throw new NumberFormatException();
      return new Cell(array, plane, Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("cell: '" + text + "' (expected: ROW,COL or ARRAY:ROW,COL, zero-based integers)");
    }
  }

  @Override
  public String toString() {
    return array + ":" + row + "," + col + (plane == Plane.REFERENCE ? " (reference)" : "");
  }
}
