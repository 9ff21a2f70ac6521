package org.rramctl.train;

import java.io.IOException;

/**
 * The weights of one fully connected layer, stored as a {@code rows x cols} matrix W whose rows are the
 * layer's inputs (the last row is the bias, its input always 1) and whose columns are its outputs: the
 * orientation of a cross-point tile, where a forward read drives the rows and senses the columns.
 *
 * <p>Two implementations: {@link FloatLayer} (exact floating-point weights, the baseline) and
 * {@link AnalogLayer} (conductances on the tiles of a {@link org.rramctl.driver.CrossbarDriver}). The network
 * code is the same for both. Vectors are caller-owned and not retained; implementations allocate as little
 * as they can per call. Not thread-safe.
 */
public interface LayerWeights {
  /** Inputs including the bias row. */
  int rows();

  /** Outputs. */
  int cols();

  /** {@code y[i] = sum_j W[j][i] * x[j]}; x has {@link #rows()} values, y receives {@link #cols()}. */
  void forward(double[] x, double[] y) throws IOException;

  /** {@code out[j] = sum_i W[j][i] * delta[i]} (W^T delta); delta has {@link #cols()} values, out receives {@link #rows()}. */
  void backward(double[] delta, double[] out) throws IOException;

  /**
   * The SGD step {@code W <- W - lr * x delta^T}, i.e. {@code W[j][i] -= lr * x[j] * delta[i]}: exactly for
   * floating-point weights, in expectation for stochastic pulse updates.
   */
  void update(double[] x, double[] delta, double lr) throws IOException;
}
