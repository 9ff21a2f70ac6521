package org.rramctl.data;

/**
 * A set of labelled grey-level images kept as the raw bytes of the IDX file, presented to a network as
 * inputs in [0, 1] at an optionally reduced resolution ({@code side x side}, average pooling of
 * {@code pool x pool} blocks, {@code pool = rows / side}). Immutable; the arrays are shared, not copied.
 *
 * @param name what the set is, for messages (e.g. "mnist-10k train")
 * @param count number of images
 * @param rows source image height, pixels
 * @param cols source image width, pixels
 * @param pixels count*rows*cols unsigned bytes, row-major, image after image
 * @param labels count labels, 0..9
 * @param offset index of this set's first image in {@code pixels}/{@code labels} (views share arrays)
 * @param side input resolution: the network sees side x side values
 */
public record Digits(String name, int count, int rows, int cols, byte[] pixels, byte[] labels, int offset, int side) {
  public Digits {
    if (name == null) throw new IllegalArgumentException("name: null");
    if (count < 0) throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
    if (rows < 1 || cols < 1 || rows != cols) throw new IllegalArgumentException("image size: " + rows + " x " + cols + " (expected: square)");
    if (pixels == null || labels == null || offset < 0
        || (long) (offset + count) * rows * cols > pixels.length || offset + count > labels.length) {
      throw new IllegalArgumentException("images " + offset + "+" + count + ": beyond the data (expected: within "
          + (labels == null ? 0 : labels.length) + " labelled images)");
    }
    if (side < 1 || rows % side != 0) {
      throw new IllegalArgumentException("side: " + side + " (expected: a divisor of " + rows + ", e.g. " + rows + ", " + rows / 2 + " or " + rows / 4 + ")");
    }
  }

  /** Wraps IDX images and labels. */
  public static Digits of(String name, Idx.Images images, byte[] labels) {
    if (images.count() != labels.length) {
      throw new IllegalArgumentException(name + ": " + images.count() + " images but " + labels.length + " labels (expected: equal counts)");
    }
    return new Digits(name, images.count(), images.rows(), images.cols(), images.pixels(), labels, 0, images.rows());
  }

  /** The images {@code from} (inclusive) to {@code to} (exclusive), sharing the arrays. */
  public Digits range(String newName, int from, int to) {
    if (from < 0 || to > count || from > to) {
      throw new IllegalArgumentException("range: " + from + ".." + to + " (expected: within 0.." + count + ")");
    }
    return new Digits(newName, to - from, rows, cols, pixels, labels, offset + from, side);
  }

  /** The same images seen at {@code newSide x newSide} (28, 14 or 7 for MNIST). */
  public Digits withSide(int newSide) {
    return new Digits(name, count, rows, cols, pixels, labels, offset, newSide);
  }

  /** Number of values {@link #input} writes: side * side. */
  public int inputSize() {
    return side * side;
  }

  /** The label of image {@code i}, 0..9. */
  public int label(int i) {
    return labels[offset + i];
  }

  /**
   * Writes image {@code i} scaled to [0, 1] (byte / 255), average-pooled to side x side, row-major, into
   * {@code out[0 .. inputSize())}. Allocates nothing.
   */
  public void input(int i, double[] out) {
    int base = (offset + i) * rows * cols;
    if (side == rows) {
      for (int k = 0; k < rows * cols; k++) out[k] = (pixels[base + k] & 0xff) * (1.0 / 255);
      return;
    }
    int pool = rows / side;
    double scale = 1.0 / (255.0 * pool * pool);
    for (int r = 0; r < side; r++) {
      for (int c = 0; c < side; c++) {
        int sum = 0;
        for (int dr = 0; dr < pool; dr++) {
          int p = base + (r * pool + dr) * cols + c * pool;
          for (int dc = 0; dc < pool; dc++) sum += pixels[p + dc] & 0xff;
        }
        out[r * side + c] = sum * scale;
      }
    }
  }

  @Override
  public String toString() {
    return name + " (" + count + " images, " + side + "x" + side + ")";
  }
}
