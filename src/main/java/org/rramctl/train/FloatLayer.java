package org.rramctl.train;

import org.rramctl.driver.VectorMath;

/**
 * Exact floating-point weights: the baseline {@link LayerWeights}. One {@code double[cols]} per row (the JIT
 * vectorises a loop over a row of its own that starts at index 0 like the vector it meets, and not one at an
 * offset into a flat array: measured 2.5x on the forward product, bench/EMULATOR-SPEED.md); loops skip zero
 * inputs (MNIST pixels are mostly zero) and allocate nothing.
 */
public final class FloatLayer implements LayerWeights {
  private final int rows;
  private final int cols;
  private final double[][] w;

  /** From row-major values (not kept). */
  private FloatLayer(int rows, int cols, double[] values) {
    this.rows = rows;
    this.cols = cols;
    this.w = new double[rows][cols];
    for (int j = 0; j < rows; j++) System.arraycopy(values, j * cols, w[j], 0, cols);
  }

  /**
   * A layer with weights drawn uniformly from {@code +-initScale / sqrt(rows)} (rows = fan-in incl. bias).
   *
   * @throws IllegalArgumentException for sizes below 1 or a scale that is negative or not finite
   */
  public static FloatLayer random(int rows, int cols, double initScale, Rng rng) {
    checkShape(rows, cols);
    if (!(initScale >= 0) || Double.isInfinite(initScale)) {
      throw new IllegalArgumentException("initScale: " + initScale + " (expected: finite, >= 0)");
    }
    double a = initScale / Math.sqrt(rows);
    double[] w = new double[rows * cols];
    for (int k = 0; k < w.length; k++) w[k] = (2 * rng.nextDouble() - 1) * a;
    return new FloatLayer(rows, cols, w);
  }

  /** A layer holding a copy of the given row-major weights. */
  public static FloatLayer of(int rows, int cols, double[] weights) {
    checkShape(rows, cols);
    if (weights == null || weights.length != rows * cols) {
      throw new IllegalArgumentException("weights: " + (weights == null ? "null" : weights.length + " values") + " (expected: " + rows + " x " + cols + " = " + rows * cols + ")");
    }
    return new FloatLayer(rows, cols, weights);
  }

  private static void checkShape(int rows, int cols) {
    if (rows < 1) throw new IllegalArgumentException("rows: " + rows + " (expected: >= 1)");
    if (cols < 1) throw new IllegalArgumentException("cols: " + cols + " (expected: >= 1)");
    if ((long) rows * cols > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("layer " + rows + " x " + cols + ": too large");
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  public double weight(int row, int col) {
    return w[row][col];
  }

  public void setWeight(int row, int col, double value) {
    w[row][col] = value;
  }

  /** A copy of the weights, row-major. */
  public double[] weights() {
    double[] out = new double[rows * cols];
    for (int j = 0; j < rows; j++) System.arraycopy(w[j], 0, out, j * cols, cols);
    return out;
  }

  /** Replaces all weights (row-major, rows * cols values) with a copy of {@code weights}. */
  public void setWeights(double[] weights) {
    if (weights == null || weights.length != rows * cols) {
      throw new IllegalArgumentException("weights: " + (weights == null ? "null" : weights.length + " values") + " (expected: " + rows + " x " + cols + " = " + rows * cols + ")");
    }
    for (int j = 0; j < rows; j++) System.arraycopy(weights, j * cols, w[j], 0, cols);
  }

  @Override
  public void forward(double[] x, double[] y) {
    java.util.Arrays.fill(y, 0, cols, 0.0);
    final int cols = this.cols;
    for (int j = 0; j < rows; j++) {
      double xj = x[j];
      if (xj == 0) continue;
      double[] row = w[j];
      for (int i = 0; i < cols; i++) y[i] += xj * row[i];
    }
  }

  @Override
  public void backward(double[] delta, double[] out) {
    final int cols = this.cols;
    // VectorMath.dot: eight partial sums (the JIT does not vectorise a floating-point reduction, and with four the
    // loop waited on the adds' latency), the same arithmetic as the emulator's transpose read
    for (int j = 0; j < rows; j++) out[j] = VectorMath.dot(delta, w[j], 0, cols);
  }

  @Override
  public void update(double[] x, double[] delta, double lr) {
    final int cols = this.cols;
    for (int j = 0; j < rows; j++) {
      double a = -lr * x[j];
      if (a == 0) continue;
      double[] row = w[j];
      for (int i = 0; i < cols; i++) row[i] += a * delta[i];
    }
  }

  @Override
  public String toString() {
    return "float " + rows + " x " + cols;
  }
}
