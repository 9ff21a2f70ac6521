package org.rramctl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
  @TempDir Path dir;

  static byte[] imagesIdx(int count, int rows, int cols, int fill) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeInt(Idx.IMAGES_MAGIC);
    out.writeInt(count);
    out.writeInt(rows);
    out.writeInt(cols);
    for (int k = 0; k < count * rows * cols; k++) out.writeByte(fill < 0 ? k : fill);
    return b.toByteArray();
  }

  static byte[] labelsIdx(int... labels) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeInt(Idx.LABELS_MAGIC);
    out.writeInt(labels.length);
    for (int l : labels) out.writeByte(l);
    return b.toByteArray();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(b)) {
      g.write(data);
    }
    return b.toByteArray();
  }

  private Path write(String name, byte[] data) throws IOException {
    return Files.write(dir.resolve(name), data);
  }

  @Test
  void plainAndGzippedFilesReadTheSame() throws IOException {
    byte[] raw = imagesIdx(2, 2, 3, -1);
    Idx.Images plain = Idx.readImages(write("a", raw));
    Idx.Images gz = Idx.readImages(write("b.gz", gzip(raw)));
    assertEquals(2, plain.count());
    assertEquals(2, plain.rows());
    assertEquals(3, plain.cols());
    assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, plain.pixels());
    assertArrayEquals(plain.pixels(), gz.pixels());
    assertArrayEquals(new byte[] {3, 9, 0}, Idx.readLabels(write("l.gz", gzip(labelsIdx(3, 9, 0)))));
  }

  @Test
  void aLabelFileReadAsImagesNamesTheFileAndBothMagics() throws IOException {
    Path f = write("train-images-idx3-ubyte", labelsIdx(1, 2));
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readImages(f));
    assertEquals(f.toString(), e.file());
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("magic 0x00000801"), e.getMessage());
    assertTrue(e.getMessage().contains("expected: 0x00000803"), e.getMessage());
  }

  @Test
  void garbageMagicIsRefusedForLabels() throws IOException {
    Path f = write("labels", new byte[] {1, 2, 3, 4, 0, 0, 0, 0});
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readLabels(f));
    assertTrue(e.getMessage().contains("magic 0x01020304 (expected: 0x00000801"), e.getMessage());
  }

  @Test
  void truncatedPixelDataSaysHowManyBytesWereThereAndExpected() throws IOException {
    byte[] raw = imagesIdx(3, 4, 4, 7);
    Path f = write("short", Arrays.copyOf(raw, raw.length - 5));
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readImages(f));
    assertTrue(e.getMessage().contains("truncated: 43 data bytes (expected: 48"), e.getMessage());
  }

  @Test
  void truncatedGzipStreamIsReportedAsTruncation() throws IOException {
    byte[] gz = gzip(imagesIdx(50, 8, 8, -1));
    Path f = write("cut.gz", Arrays.copyOf(gz, gz.length / 2));
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readImages(f));
    assertTrue(e.getMessage().startsWith(f + ": truncated"), e.getMessage());
  }

  @Test
  void truncatedHeaderIsReported() throws IOException {
    Path f = write("hdr", Arrays.copyOf(imagesIdx(1, 2, 2, 0), 9));
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readImages(f));
    assertTrue(e.getMessage().contains("truncated in the header while reading the rows"), e.getMessage());
    Path empty = write("empty", new byte[0]);
    e = assertThrows(IdxFormatException.class, () -> Idx.readLabels(empty));
    assertTrue(e.getMessage().contains("truncated before the 4-byte magic number"), e.getMessage());
  }

  @Test
  void labelOutsideZeroToNineIsRefusedWithItsIndex() throws IOException {
    Path f = write("l", labelsIdx(1, 2, 12));
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readLabels(f));
    assertTrue(e.getMessage().endsWith("label[2]: 12 (expected: 0..9)"), e.getMessage());
  }

  @Test
  void aDirectoryWithMismatchedCountsNamesTheLabelFile() throws IOException {
    write("train-images-idx3-ubyte.gz", gzip(imagesIdx(3, 4, 4, 0)));
    write("train-labels-idx1-ubyte", labelsIdx(1, 2));
    write("t10k-images-idx3-ubyte", imagesIdx(1, 4, 4, 0));
    write("t10k-labels-idx1-ubyte", labelsIdx(1));
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> MnistDataset.load(dir));
    assertTrue(e.getMessage().contains("train-labels-idx1-ubyte: 2 labels (expected: 3, one per image)"), e.getMessage());
  }

  @Test
  void aMissingFileIsNamedWithAndWithoutGz() throws IOException {
    write("train-images-idx3-ubyte", imagesIdx(1, 4, 4, 0));
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> MnistDataset.load(dir));
    assertTrue(e.getMessage().contains("train-labels-idx1-ubyte or train-labels-idx1-ubyte.gz"), e.getMessage());
  }

  @Test
  void aCompleteDirectoryLoadsTrainAndTestSets() throws IOException {
    write("train-images-idx3-ubyte.gz", gzip(imagesIdx(3, 4, 4, 255)));
    write("train-labels-idx1-ubyte.gz", gzip(labelsIdx(1, 2, 3)));
    write("t10k-images-idx3-ubyte", imagesIdx(2, 4, 4, 51));
    write("t10k-labels-idx1-ubyte", labelsIdx(7, 8));
    MnistDataset d = MnistDataset.load(dir);
    assertEquals(3, d.train().count());
    assertEquals(2, d.test().count());
    assertEquals(8, d.test().label(1));
    double[] x = new double[16];
    d.test().input(0, x);
    assertEquals(0.2, x[15], 1e-12);
  }

  @Test
  void averagePoolingHalvesTheSideAndAveragesBlocks() {
    // one 4x4 image with pixels 0..15
    byte[] px = new byte[16];
    for (int k = 0; k < 16; k++) px[k] = (byte) (k * 17);
    Digits d = Digits.of("t", new Idx.Images(1, 4, 4, px), new byte[] {5}).withSide(2);
    double[] x = new double[4];
    d.input(0, x);
    // top-left block: pixels 0, 1, 4, 5 -> mean 2.5 * 17 / 255
    assertArrayEquals(new double[] {2.5 / 15, 4.5 / 15, 10.5 / 15, 12.5 / 15}, x, 1e-12);
    assertEquals(4, d.inputSize());
    assertThrows(IllegalArgumentException.class, () -> d.withSide(3));
  }
}
