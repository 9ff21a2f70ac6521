package org.rramctl.driver;

import java.io.IOException;

/**
 * Vector operations composed from single-device {@link CrossbarDriver#read} and
 * {@link CrossbarDriver#pulse} calls, for drivers (single-device instruments) that cannot do them
 * natively. Correct but slow: one round trip per device. Forward and transpose reads assume ohmic
 * devices (I = G V) and sum the single-device conductances the way the array would sum currents.
 */
public final class SingleDeviceFallback {
  private SingleDeviceFallback() {}

  public static double pulseThenRead(CrossbarDriver d, Cell cell, Pulse pulse, int count, double readVolts) throws IOException {
    d.pulse(cell, pulse, count);
    return d.read(cell, readVolts);
  }

  public static double[] readRow(CrossbarDriver d, int array, Plane plane, int row, double readVolts) throws IOException {
    BoardInfo info = d.info();
    info.checkPlane(array, plane);
    info.checkRow(array, row);
    int cols = info.array(array).cols();
    double[] out = new double[cols];
    for (int c = 0; c < cols; c++) out[c] = d.read(new Cell(array, plane, row, c), readVolts);
    return out;
  }

  public static double[] readColumn(CrossbarDriver d, int array, Plane plane, int col, double readVolts) throws IOException {
    BoardInfo info = d.info();
    info.checkPlane(array, plane);
    info.checkColumn(array, col);
    int rows = info.array(array).rows();
    double[] out = new double[rows];
    for (int r = 0; r < rows; r++) out[r] = d.read(new Cell(array, plane, r, col), readVolts);
    return out;
  }

  public static ConductanceMap readArray(CrossbarDriver d, int array, Plane plane, double readVolts) throws IOException {
    BoardInfo info = d.info();
    info.checkPlane(array, plane);
    ArrayGeometry g = info.array(array);
    double[] out = new double[g.devices()];
    for (int r = 0; r < g.rows(); r++) {
      for (int c = 0; c < g.cols(); c++) out[r * g.cols() + c] = d.read(new Cell(array, plane, r, c), readVolts);
    }
    return new ConductanceMap(g.rows(), g.cols(), out);
  }

  /** The read voltage used to measure the conductances a composed vector read sums. */
  static double probeVolts(BoardInfo info) {
    return info.hardwareLimits().maxReadVolts();
  }

  private static double[] tileConductances(CrossbarDriver d, Tile t, ReadMode mode, double readVolts) throws IOException {
    double[] g = new double[t.devices()];
    for (int r = 0; r < t.rows(); r++) {
      for (int c = 0; c < t.cols(); c++) {
        int row = t.row0() + r;
        int col = t.col0() + c;
        double v = switch (mode) {
          case ACTIVE -> d.read(Cell.active(t.array(), row, col), readVolts);
          case REFERENCE -> d.read(Cell.reference(t.array(), row, col), readVolts);
          case DIFFERENTIAL -> d.read(Cell.active(t.array(), row, col), readVolts) - d.read(Cell.reference(t.array(), row, col), readVolts);
        };
        g[r * t.cols() + c] = v;
      }
    }
    return g;
  }

  public static double[] forwardRead(CrossbarDriver d, Tile tile, ReadMode mode, double[] rowVolts) throws IOException {
    BoardInfo info = d.info();
    info.checkTile(tile);
    checkLength("rowVolts", rowVolts, tile.rows());
    double probe = maxAbsOr(rowVolts, probeVolts(info));
    double[] g = tileConductances(d, tile, mode, probe);
    double[] out = new double[tile.cols()];
    for (int r = 0; r < tile.rows(); r++) {
      double v = rowVolts[r];
      if (v == 0) continue;
      for (int c = 0; c < tile.cols(); c++) out[c] += v * g[r * tile.cols() + c];
    }
    return out;
  }

  public static double[] transposeRead(CrossbarDriver d, Tile tile, ReadMode mode, double[] colVolts) throws IOException {
    BoardInfo info = d.info();
    info.checkTile(tile);
    checkLength("colVolts", colVolts, tile.cols());
    double probe = maxAbsOr(colVolts, probeVolts(info));
    double[] g = tileConductances(d, tile, mode, probe);
    double[] out = new double[tile.rows()];
    for (int r = 0; r < tile.rows(); r++) {
      double s = 0;
      for (int c = 0; c < tile.cols(); c++) s += colVolts[c] * g[r * tile.cols() + c];
      out[r] = s;
    }
    return out;
  }

  public static void parallelUpdate(CrossbarDriver d, Tile tile, Plane plane, StochasticUpdate u) throws IOException {
    BoardInfo info = d.info();
    info.checkTile(tile);
    info.checkPlane(tile.array(), plane);
    checkShape(tile, u);
    for (int r = 0; r < tile.rows(); r++) {
      if (u.rowBits()[r] == 0) continue;
      for (int c = 0; c < tile.cols(); c++) {
        int n = u.signedPulses(r, c);
        if (n == 0) continue;
        Cell cell = new Cell(tile.array(), plane, tile.row0() + r, tile.col0() + c);
        int remaining = Math.abs(n);
        int maxPerCommand = info.hardwareLimits().maxPulsesPerCommand();
        while (remaining > 0) {
          int k = Math.min(remaining, maxPerCommand);
          d.pulse(cell, n > 0 ? u.up() : u.down(), k);
          remaining -= k;
        }
      }
    }
  }

  /** Checks a program's stream counts against a tile. */
  public static void checkShape(Tile tile, StochasticUpdate u) {
    if (u.rows() != tile.rows() || u.cols() != tile.cols()) {
      throw new IllegalArgumentException("update program " + u.rows() + " x " + u.cols() + ": does not match tile " + tile + " (expected: " + tile.rows() + " x " + tile.cols() + ")");
    }
  }

  /** Checks a vector argument's length. */
  /** Refuses a null output array or one shorter than {@code n}. */
  public static void checkOutput(String name, double[] out, int n) {
    if (out == null || out.length < n) {
      throw new IllegalArgumentException(name + ": " + (out == null ? "null" : out.length + " entries") + " (expected: at least " + n + ")");
    }
  }

  public static void checkLength(String name, double[] v, int expected) {
    if (v == null || v.length != expected) {
      throw new IllegalArgumentException(name + ": " + (v == null ? "null" : v.length + " values") + " (expected: " + expected + ")");
    }
  }

  private static double maxAbsOr(double[] v, double fallback) {
    double m = 0;
    for (double x : v) m = Math.max(m, Math.abs(x));
    return m > 0 ? Math.min(m, fallback) : fallback;
  }
}
