package org.rramctl.train;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * A fully connected network: sigmoid hidden layers, softmax output, cross-entropy loss, trained by SGD with
 * batch size 1 (Gokmen and Vlasov 2016; DESIGN.md section 4). Layer k maps {@code sizes[k]} inputs plus a
 * bias input fixed at 1 to {@code sizes[k+1]} outputs, so its weights are a
 * {@code (sizes[k] + 1) x sizes[k+1]} {@link LayerWeights} block, floating-point or analog alike.
 *
 * <p>One step: forward through every layer, output error {@code delta = p - onehot(label)} (the gradient of
 * cross-entropy through softmax), backward {@code delta_k = (W_{k+1}^T delta_{k+1}) * a (1 - a)} through all
 * layers with the weights as they were in the forward pass, then every layer's update
 * {@code W <- W - lr * x delta^T}. The first layer's backward read is skipped: nothing consumes it.
 *
 * <p>Buffers are allocated once; a step allocates nothing of its own. Not thread-safe.
 */
public final class Network {
  private final int[] sizes;
  private final LayerWeights[] layers;
  /** act[k]: input of layer k, sizes[k] values then the bias 1. */
  private final double[][] act;
  private final double[] out;
  private final double[][] delta;
  private final double[][] back;
  private int lastPrediction = -1;

  private Network(int[] sizes, LayerWeights[] layers) {
    this.sizes = sizes;
    this.layers = layers;
    int n = layers.length;
    act = new double[n][];
    delta = new double[n][];
    back = new double[n][];
    for (int k = 0; k < n; k++) {
      act[k] = new double[sizes[k] + 1];
      act[k][sizes[k]] = 1.0;
      delta[k] = new double[sizes[k + 1]];
      back[k] = new double[sizes[k] + 1];
    }
    out = new double[sizes[n]];
  }

  /** Makes the weights of one layer: {@code rows} inputs incl. bias, {@code cols} outputs, layer index 0-based. */
  @FunctionalInterface
  public interface LayerFactory {
    LayerWeights create(int layer, int rows, int cols) throws IOException;
  }

  /**
   * Builds a network.
   *
   * @param sizes layer widths from input to output, at least 2 entries, each >= 1 (output >= 2)
   * @throws IllegalArgumentException for bad sizes or a factory returning a block of the wrong shape
   */
  public static Network of(int[] sizes, LayerFactory factory) throws IOException {
    checkSizes(sizes);
    LayerWeights[] layers = new LayerWeights[sizes.length - 1];
    for (int k = 0; k < layers.length; k++) {
      LayerWeights l = factory.create(k, sizes[k] + 1, sizes[k + 1]);
      if (l.rows() != sizes[k] + 1 || l.cols() != sizes[k + 1]) {
        throw new IllegalArgumentException("layer " + (k + 1) + ": " + l.rows() + " x " + l.cols() + " (expected: " + (sizes[k] + 1) + " x " + sizes[k + 1] + ")");
      }
      layers[k] = l;
    }
    return new Network(sizes.clone(), layers);
  }

  /** A floating-point network with weights U(+-initScale/sqrt(fan_in)), fan-in counting the bias. */
  public static Network floating(int[] sizes, double initScale, Rng rng) {
    try {
      return of(sizes, (k, rows, cols) -> FloatLayer.random(rows, cols, initScale, rng));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Checks layer sizes; message shaped {@code name: value (expected: ...)}. */
  public static void checkSizes(int[] sizes) {
    if (sizes == null || sizes.length < 2) {
      throw new IllegalArgumentException("layers: " + (sizes == null ? "null" : format(sizes)) + " (expected: at least an input and an output size, e.g. 784-256-128-10)");
    }
    for (int s : sizes) {
      if (s < 1) throw new IllegalArgumentException("layers: " + format(sizes) + " (expected: every size >= 1)");
    }
    if (sizes[sizes.length - 1] < 2) throw new IllegalArgumentException("layers: " + format(sizes) + " (expected: at least 2 outputs)");
  }

  /** "784-256-128-10". */
  public static String format(int[] sizes) {
    StringBuilder b = new StringBuilder();
    for (int s : sizes) b.append(b.length() == 0 ? "" : "-").append(s);
    return b.toString();
  }

  /** Parses "784-256-128-10" (also commas or x as separators). */
  public static int[] parseSizes(String text) {
    try {
      int[] s = Arrays.stream(text.trim().split("[-,x]", -1)).mapToInt(t -> Integer.parseInt(t.trim())).toArray();
      checkSizes(s);
      return s;
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("layers: '" + text + "' (expected: at least two sizes >= 1 joined by '-', e.g. 784-256-128-10)");
    }
  }

  public int[] sizes() {
    return sizes.clone();
  }

  public List<LayerWeights> layers() {
    return List.of(layers);
  }

  /** The class probabilities of the last {@link #forward} or {@link #trainStep}; do not modify. */
  public double[] probabilities() {
    return out;
  }

  /** The arg-max class of the last forward pass. */
  public int lastPrediction() {
    return lastPrediction;
  }

  /** Forward pass; returns the predicted class. {@code input} has sizes[0] values. */
  public int forward(double[] input) throws IOException {
    System.arraycopy(input, 0, act[0], 0, sizes[0]);
    int n = layers.length;
    for (int k = 0; k < n - 1; k++) {
      double[] y = act[k + 1];
      layers[k].forward(act[k], y);
      int m = sizes[k + 1];
      for (int i = 0; i < m; i++) y[i] = 1.0 / (1.0 + Math.exp(-y[i]));
      y[m] = 1.0;
    }
    layers[n - 1].forward(act[n - 1], out);
    double max = Double.NEGATIVE_INFINITY;
    int arg = 0;
    for (int i = 0; i < out.length; i++) {
      if (out[i] > max) {
        max = out[i];
        arg = i;
      }
    }
    double sum = 0;
    for (int i = 0; i < out.length; i++) {
      double e = Math.exp(out[i] - max);
      out[i] = e;
      sum += e;
    }
    double inv = 1.0 / sum;
    for (int i = 0; i < out.length; i++) out[i] *= inv;
    lastPrediction = arg;
    return arg;
  }

  /** Cross-entropy of the last forward pass against {@code label}, nats (probability floored at 1e-300). */
  public double loss(int label) {
    return -Math.log(Math.max(out[label], 1e-300));
  }

  /**
   * One SGD step on one sample.
   *
   * @return the cross-entropy loss before the step, nats; {@link #lastPrediction()} gives the class predicted
   */
  public double trainStep(double[] input, int label, double lr) throws IOException {
    forward(input);
    double loss = loss(label);
    int n = layers.length;
    double[] d = delta[n - 1];
    for (int i = 0; i < d.length; i++) d[i] = out[i];
    d[label] -= 1.0;
    for (int k = n - 1; k > 0; k--) {
      double[] b = back[k];
      layers[k].backward(delta[k], b);
      double[] a = act[k];
      double[] dPrev = delta[k - 1];
      for (int j = 0; j < dPrev.length; j++) dPrev[j] = b[j] * a[j] * (1.0 - a[j]);
    }
    for (int k = 0; k < n; k++) layers[k].update(act[k], delta[k], lr);
    return loss;
  }
}
