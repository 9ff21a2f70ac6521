package org.rramctl.driver;

/**
 * Conductances of a rectangle of devices in siemens, row-major. The array is not copied; treat it as
 * owned by this map.
 */
public record ConductanceMap(int rows, int cols, double[] siemens) {
  public ConductanceMap {
    if (rows < 1 || cols < 1 || siemens == null || siemens.length != rows * cols) {
      throw new IllegalArgumentException("conductance map " + rows + " x " + cols + ": " + (siemens == null ? "null" : siemens.length + " values") + " (expected: rows*cols values)");
    }
  }

  public double get(int row, int col) {
    return siemens[row * cols + col];
  }
}
