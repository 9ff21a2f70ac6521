package org.rramctl.procedure;

import java.util.ArrayList;
import java.util.List;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Cell;

/**
 * The devices a procedure works on: one cell, a rectangle, or a whole array of the active plane.
 *
 * <p>Text forms: {@code R,C} (one device of array 0), {@code R0-R1,C0-C1} (inclusive ranges), {@code all}
 * (the whole of array 0), each optionally prefixed by {@code A:} for array A, e.g. {@code 1:0-7,0-3}.
 * {@code all} takes its size from the board, so it is resolved by {@link #parse(String, BoardInfo)}.
 */
public record Target(int array, int row0, int col0, int rows, int cols) {
  public Target {
    if (array < 0) throw new IllegalArgumentException("array: " + array + " (expected: >= 0)");
    if (row0 < 0 || col0 < 0) throw new IllegalArgumentException("first cell: " + row0 + "," + col0 + " (expected: >= 0)");
    if (rows < 1 || cols < 1) throw new IllegalArgumentException("size: " + rows + " x " + cols + " (expected: at least 1 x 1)");
  }

  /**
   * Parses the text form and checks it against the board.
   *
   * @throws IllegalArgumentException naming the text and the accepted forms, or the board's bounds
   */
  public static Target parse(String text, BoardInfo info) {
    String t = text == null ? "" : text.trim();
    int array = 0;
    try {
      if (!t.chars().allMatch(ch -> ch < 128)) throw new NumberFormatException(); // parseInt takes any Unicode digit
      int colon = t.indexOf(':');
      if (colon >= 0) {
        array = Integer.parseInt(t.substring(0, colon).trim());
        t = t.substring(colon + 1).trim();
      }
      Target target;
      if (t.equals("all")) {
        var g = info.array(array);
        target = new Target(array, 0, 0, g.rows(), g.cols());
      } else {
        String[] rc = t.split(",");
        if (rc.length != 2) throw new NumberFormatException();
        int[] r = range(rc[0]);
        int[] c = range(rc[1]);
        target = new Target(array, r[0], c[0], r[1] - r[0] + 1, c[1] - c[0] + 1);
      }
      target.check(info);
      return target;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("cells: '" + text + "' (expected: R,C or R0-R1,C0-C1 or all, optionally prefixed A: for array A)");
    }
  }

  private static int[] range(String s) {
    String[] p = s.trim().split("-");
    if (p.length == 1) {
      int v = Integer.parseInt(p[0].trim());
      return new int[] {v, v};
    }
    if (p.length != 2) throw new NumberFormatException();
    int a = Integer.parseInt(p[0].trim());
    int b = Integer.parseInt(p[1].trim());
    if (b < a) throw new NumberFormatException();
    return new int[] {a, b};
  }

  /** Checks that every device lies on the board. */
  public void check(BoardInfo info) {
    info.checkCell(Cell.active(array, row0, col0));
    info.checkCell(Cell.active(array, row0 + rows - 1, col0 + cols - 1));
  }

  public int size() {
    return rows * cols;
  }

  /** The k-th device in row-major order. */
  public Cell cell(int k) {
    return Cell.active(array, row0 + k / cols, col0 + k % cols);
  }

  public List<Cell> cells() {
    List<Cell> out = new ArrayList<>(size());
    for (int k = 0; k < size(); k++) out.add(cell(k));
    return out;
  }

  @Override
  public String toString() {
    String r = rows == 1 ? Integer.toString(row0) : row0 + "-" + (row0 + rows - 1);
    String c = cols == 1 ? Integer.toString(col0) : col0 + "-" + (col0 + cols - 1);
    return array + ":" + r + "," + c;
  }
}
