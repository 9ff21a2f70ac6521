package org.rramctl.train;

import java.io.IOException;
import java.util.List;
import org.rramctl.driver.CrossbarDriver;

/**
 * A layer trained by Tiki-Taka (Gokmen and Haensch 2019, arXiv 1909.07908; DESIGN.md section 9) on two analog
 * weight blocks of the same board: A receives the gradient by the stochastic pulse update, C holds the weights.
 * The network reads {@code W = gamma * A + C} (C alone at gamma 0). Every {@code transferEvery} samples the next
 * {@code columnsPerTransfer} columns of A (the weights of one input each: one row of the tile) are read by a forward
 * read with a one-hot input and written into the same column of C by a pulsed rank-1 update, {@code C += lr_C * v},
 * sequentially, wrapping around.
 *
 * <p>With A's references at A's symmetry points (zero-shifted), A's soft-bound drift pulls toward zero, so A acts as
 * a leaky integrator of the gradient and C sees only its persistent part. Everything is {@link CrossbarDriver}
 * calls (forward reads and parallel updates), so it runs on any board. Not thread-safe.
 */
public final class TikiTakaLayer implements LayerWeights {
  private final AnalogLayer a;
  private final AnalogLayer c;
  private final TikiTakaSettings settings;
  private final double[] oneHot;
  private final double[] column;
  private final double[] rowScratch;
  private final double[] colScratch;
  private long samples;
  private int nextColumn;

  TikiTakaLayer(AnalogLayer a, AnalogLayer c, TikiTakaSettings settings) {
    if (a.rows() != c.rows() || a.cols() != c.cols()) {
      throw new IllegalArgumentException("A: " + a.rows() + " x " + a.cols() + ", C: " + c.rows() + " x " + c.cols() + " (expected: the same shape)");
    }
    this.a = a;
    this.c = c;
    this.settings = settings;
    oneHot = new double[a.rows()];
    column = new double[a.cols()];
    rowScratch = new double[a.rows()];
    colScratch = new double[a.cols()];
  }

  /**
   * Where A and C of every layer go on the board: 2n blocks planned together, A of layer k as block k and C as
   * block n + k. On a board with one array per block of exactly its size, listed A's first (e.g.
   * {@code 785x256,257x128,129x10,785x256,257x128,129x10}), A of layer k lands on array k and C on array n + k.
   */
  public static TileLayout plan(org.rramctl.driver.BoardInfo info, int[] sizes) {
    Network.checkSizes(sizes);
    int n = sizes.length - 1;
    int[][] shapes = new int[2 * n][];
    for (int k = 0; k < n; k++) {
      shapes[k] = new int[] {sizes[k] + 1, sizes[k + 1]};
      shapes[n + k] = shapes[k].clone();
    }
    return TileLayout.planShapes(info, shapes, true, "Tiki-Taka network " + Network.format(sizes) + " (an A and a C block per layer)");
  }

  /** The board geometry of one array per block, A's first: "785x256,257x128,129x10,785x256,257x128,129x10". */
  public static String geometry(int[] sizes) {
    StringBuilder b = new StringBuilder();
    for (int twice = 0; twice < 2; twice++) {
      for (int k = 0; k + 1 < sizes.length; k++) b.append(b.length() == 0 ? "" : ",").append(sizes[k] + 1).append('x').append(sizes[k + 1]);
    }
    return b.toString();
  }

  /**
   * A factory of Tiki-Taka layers on {@link #plan}'s blocks. C of layer k is initialised as an SGD layer k would be
   * (from the same split of {@code initRng}, so the same W0); A is left where it is (after a calibration: at its
   * symmetry points, A = 0).
   *
   * @param initialise false for a run that resumes (devices from the checkpoint)
   */
  public static Network.LayerFactory factory(CrossbarDriver driver, int[] sizes, AnalogSettings analog, TikiTakaSettings tt, Rng initRng, Rng updateRng,
      boolean initialise) {
    TileLayout layout = plan(driver.info(), sizes);
    int n = sizes.length - 1;
    return (k, rows, cols) -> {
      AnalogLayer a = AnalogLayer.on(driver, rows, cols, layout.blocks(k), analog, updateRng.split());
      AnalogLayer c = AnalogLayer.on(driver, rows, cols, layout.blocks(n + k), analog, updateRng.split());
      Rng ir = initRng.split();
      if (initialise) c.initialize(analog, k, ir);
      return new TikiTakaLayer(a, c, tt);
    };
  }

  /** The array receiving the gradient. */
  public AnalogLayer a() {
    return a;
  }

  /** The array holding the weights. */
  public AnalogLayer c() {
    return c;
  }

  public TikiTakaSettings settings() {
    return settings;
  }

  @Override
  public int rows() {
    return c.rows();
  }

  @Override
  public int cols() {
    return c.cols();
  }

  @Override
  public void forward(double[] x, double[] y) throws IOException {
    c.forward(x, y);
    if (settings.gamma() != 0) {
      a.forward(x, colScratch);
      for (int i = 0; i < column.length; i++) y[i] += settings.gamma() * colScratch[i];
    }
  }

  @Override
  public void backward(double[] delta, double[] out) throws IOException {
    c.backward(delta, out);
    if (settings.gamma() != 0) {
      a.backward(delta, rowScratch);
      for (int j = 0; j < oneHot.length; j++) out[j] += settings.gamma() * rowScratch[j];
    }
  }

  /** The gradient into A at {@code lr * learningRateA}; then, every {@code transferEvery} samples, the transfer. */
  @Override
  public void update(double[] x, double[] delta, double lr) throws IOException {
    a.update(x, delta, lr * settings.learningRateA());
    samples++;
    if (samples % settings.transferEvery() != 0) return;
    for (int t = 0; t < settings.columnsPerTransfer(); t++) {
      transfer(nextColumn, lr * settings.learningRateC());
      nextColumn = (nextColumn + 1) % oneHot.length;
    }
  }

  /** Reads column {@code j} of A (a one-hot forward read) and adds {@code lr * v} to C's column j by pulses. */
  void transfer(int j, double lr) throws IOException {
    oneHot[j] = 1;
    try {
      a.forward(oneHot, column);
      // C <- C - lr * onehot (-v)^T = C + lr * onehot v^T
      for (int i = 0; i < column.length; i++) column[i] = -column[i];
      c.update(oneHot, column, lr);
    } finally {
      oneHot[j] = 0;
    }
  }

  /** Samples seen and the next column to transfer, for checkpoints. */
  public long[] transferState() {
    return new long[] {samples, nextColumn};
  }

  /** Continues from a checkpointed {@link #transferState()}. */
  public void restoreTransferState(long[] state) {
    if (state == null || state.length != 2 || state[0] < 0 || state[1] < 0 || state[1] >= oneHot.length) {
      throw new IllegalArgumentException("transfer state: " + java.util.Arrays.toString(state) + " (expected: samples >= 0 and a column 0.." + (oneHot.length - 1) + ")");
    }
    samples = state[0];
    nextColumn = (int) state[1];
  }

  /** The two arrays' update generators, A's then C's. */
  List<long[]> rngStates() {
    return List.of(a.rngState(), c.rngState());
  }

  @Override
  public String toString() {
    return "Tiki-Taka " + rows() + " x " + cols() + " (A " + a + ", C " + c + ")";
  }
}
