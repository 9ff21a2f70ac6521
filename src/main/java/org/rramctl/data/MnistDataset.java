package org.rramctl.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A training and a test set of MNIST digits.
 *
 * <p>{@link #vendored()} loads the 10,000 real MNIST digits shipped in this jar (resources
 * {@code mnist-10k/}, see its README.md for provenance and licence): the first 8,000 train, the last
 * 2,000 test. {@link #load(Path)} reads the full MNIST from a directory holding the four standard files
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte}, each optionally with a {@code .gz} suffix.
 */
public record MnistDataset(Digits train, Digits test) {
  /** Class-path folder of the vendored digits. */
  public static final String VENDORED = "/mnist-10k/";
  /** Images of the vendored set used for training; the rest are the test set. */
  public static final int VENDORED_TRAIN = 8_000;

  public MnistDataset {
    if (train == null || test == null) throw new IllegalArgumentException("train/test: null");
    if (train.inputSize() != test.inputSize()) {
      throw new IllegalArgumentException("input size: train " + train.inputSize() + ", test " + test.inputSize() + " (expected: equal)");
    }
  }

  /** The 10,000 vendored digits: images 0..7999 train, 8000..9999 test. */
  public static MnistDataset vendored() throws IOException {
    Idx.Images images;
    byte[] labels;
    String imagesName = VENDORED + "images-idx3-ubyte.gz";
    String labelsName = VENDORED + "labels-idx1-ubyte.gz";
    try (InputStream in = resource(imagesName)) {
      images = Idx.readImages("classpath:" + imagesName, in);
    }
    try (InputStream in = resource(labelsName)) {
      labels = Idx.readLabels("classpath:" + labelsName, in);
    }
    Digits all = checkedDigits("mnist-10k", "classpath:" + labelsName, images, labels);
    if (all.count() <= VENDORED_TRAIN) {
      throw new IdxFormatException("classpath:" + imagesName, all.count() + " images (expected: more than " + VENDORED_TRAIN + ")");
    }
    return new MnistDataset(all.range("mnist-10k train", 0, VENDORED_TRAIN), all.range("mnist-10k test", VENDORED_TRAIN, all.count()));
  }

  /**
   * Loads the standard MNIST files from {@code dir}.
   *
   * @throws java.nio.file.NoSuchFileException naming the file (with and without .gz) that is missing
   * @throws IdxFormatException for a malformed file or an image/label count mismatch
   */
  public static MnistDataset load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) throw new java.nio.file.NoSuchFileException(dir.toString(), null, "not a directory (expected: a folder holding the MNIST IDX files)");
    Digits train = loadPair(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "mnist train");
    Digits test = loadPair(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "mnist test");
    if (train.rows() != test.rows()) {
      throw new IdxFormatException(dir.toString(), "train images " + train.rows() + " x " + train.cols() + ", test " + test.rows() + " x " + test.cols() + " (expected: equal sizes)");
    }
    return new MnistDataset(train, test);
  }

  /** Both sets seen at {@code side x side} (28, 14 or 7 for MNIST). */
  public MnistDataset withSide(int side) {
    return new MnistDataset(train.withSide(side), test.withSide(side));
  }

  /** Values per input image. */
  public int inputSize() {
    return train.inputSize();
  }

  private static Digits loadPair(Path dir, String imagesBase, String labelsBase, String name) throws IOException {
    Path imagesFile = find(dir, imagesBase);
    Path labelsFile = find(dir, labelsBase);
    Idx.Images images = Idx.readImages(imagesFile);
    byte[] labels = Idx.readLabels(labelsFile);
    return checkedDigits(name, labelsFile.toString(), images, labels);
  }

  private static Digits checkedDigits(String name, String labelsFile, Idx.Images images, byte[] labels) throws IdxFormatException {
    if (images.count() != labels.length) {
      throw new IdxFormatException(labelsFile, labels.length + " labels (expected: " + images.count() + ", one per image)");
    }
    if (images.rows() != images.cols()) {
      throw new IdxFormatException(labelsFile.replace("labels-idx1", "images-idx3"), "image size " + images.rows() + " x " + images.cols() + " (expected: square)");
    }
    return Digits.of(name, images, labels);
  }

  private static Path find(Path dir, String base) throws IOException {
    Path plain = dir.resolve(base);
    if (Files.isRegularFile(plain)) return plain;
    Path gz = dir.resolve(base + ".gz");
    if (Files.isRegularFile(gz)) return gz;
    throw new java.nio.file.NoSuchFileException(plain.toString(), null, "missing (expected: " + base + " or " + base + ".gz in " + dir + ")");
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = MnistDataset.class.getResourceAsStream(name);
    if (in == null) throw new java.io.FileNotFoundException("classpath:" + name + " (expected: the vendored MNIST digits in the rramctl jar)");
    return in;
  }
}
