package org.rramctl.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Reader for the IDX files of the MNIST database (LeCun, Cortes, Burges), plain or gzip-compressed (the
 * gzip magic 0x1f 0x8b is sniffed, the file name does not matter).
 *
 * <p>Format, all integers big-endian: a 4-byte magic {@code 0x00 0x00 type dims}, then {@code dims}
 * 4-byte sizes, then the data in row-major order. MNIST uses type 0x08 (unsigned byte): images are
 * {@code 0x00000803} (count, rows, cols), labels {@code 0x00000801} (count).
 */
public final class Idx {
  /** Magic number of an unsigned-byte, 3-dimensional IDX file (images). */
  public static final int IMAGES_MAGIC = 0x00000803;
  /** Magic number of an unsigned-byte, 1-dimensional IDX file (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  private Idx() {}

  /**
   * Raw images as stored: {@code count} images of {@code rows x cols} unsigned bytes, row-major, image after
   * image. The array is not copied; treat it as owned by this record.
   */
  public record Images(int count, int rows, int cols, byte[] pixels) {
    public Images {
      if (count < 0 || rows < 1 || cols < 1 || pixels == null || pixels.length != (long) count * rows * cols) {
        throw new IllegalArgumentException("images " + count + " x " + rows + " x " + cols + ": "
            + (pixels == null ? "null" : pixels.length + " bytes") + " (expected: count*rows*cols bytes)");
      }
    }
  }

  /** Reads an image file from disk. */
  public static Images readImages(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return readImages(file.toString(), in);
    }
  }

  /** Reads a label file from disk; every label is checked to lie in 0..9. */
  public static byte[] readLabels(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return readLabels(file.toString(), in);
    }
  }

  /**
   * Reads images from a stream (not closed here).
   *
   * @param name the file name used in error messages
   * @throws IdxFormatException for a wrong magic number, implausible sizes or truncated data
   */
  public static Images readImages(String name, InputStream raw) throws IOException {
    DataInputStream in = open(name, raw);
    checkMagic(name, in, IMAGES_MAGIC, "IDX unsigned-byte images");
    int count = readSize(name, in, "image count");
    int rows = readSize(name, in, "rows");
    int cols = readSize(name, in, "cols");
    if (rows == 0 || cols == 0) {
      throw new IdxFormatException(name, "image size " + rows + " x " + cols + " (expected: at least 1 x 1)");
    }
    long bytes = (long) count * rows * cols;
    if (bytes > Integer.MAX_VALUE - 8) {
      throw new IdxFormatException(name, "size " + count + " x " + rows + " x " + cols + " (expected: at most " + (Integer.MAX_VALUE - 8) + " bytes)");
    }
    byte[] pixels = new byte[(int) bytes];
    readFully(name, in, pixels, count + " images of " + rows + " x " + cols + " bytes");
    return new Images(count, rows, cols, pixels);
  }

  /**
   * Reads labels from a stream (not closed here).
   *
   * @param name the file name used in error messages
   * @throws IdxFormatException for a wrong magic number, truncated data or a label outside 0..9
   */
  public static byte[] readLabels(String name, InputStream raw) throws IOException {
    DataInputStream in = open(name, raw);
    checkMagic(name, in, LABELS_MAGIC, "IDX unsigned-byte labels");
    int count = readSize(name, in, "label count");
    byte[] labels = new byte[count];
    readFully(name, in, labels, count + " labels");
    for (int k = 0; k < count; k++) {
      int v = labels[k] & 0xff;
      if (v > 9) throw new IdxFormatException(name, "label[" + k + "]: " + v + " (expected: 0..9)");
    }
    return labels;
  }

  private static DataInputStream open(String name, InputStream raw) throws IOException {
    BufferedInputStream b = new BufferedInputStream(raw, 1 << 16);
    b.mark(2);
    int b0 = b.read();
    int b1 = b.read();
    b.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      try {
        return new DataInputStream(new BufferedInputStream(new GZIPInputStream(b, 1 << 16), 1 << 16));
      } catch (IOException e) {
        throw new IdxFormatException(name, "unreadable gzip header (" + e.getMessage() + ")");
      }
    }
    return new DataInputStream(b);
  }

  private static void checkMagic(String name, DataInputStream in, int expected, String what) throws IOException {
    int magic;
    try {
      magic = in.readInt();
    } catch (EOFException e) {
      throw new IdxFormatException(name, "truncated before the 4-byte magic number (expected: " + hex(expected) + ", " + what + ")");
    }
    if (magic != expected) {
      String hint = magic == IMAGES_MAGIC ? " - this is an image file"
          : magic == LABELS_MAGIC ? " - this is a label file" : "";
      throw new IdxFormatException(name, "magic " + hex(magic) + hint + " (expected: " + hex(expected) + ", " + what + ")");
    }
  }

  private static int readSize(String name, DataInputStream in, String what) throws IOException {
    int v;
    try {
      v = in.readInt();
    } catch (EOFException e) {
      throw new IdxFormatException(name, "truncated in the header while reading the " + what + " (expected: a 4-byte big-endian size)");
    }
    if (v < 0) throw new IdxFormatException(name, what + ": " + Integer.toUnsignedString(v) + " (expected: < 2^31)");
    return v;
  }

  private static void readFully(String name, DataInputStream in, byte[] dst, String what) throws IOException {
    int off = 0;
    try {
      while (off < dst.length) {
        int n = in.read(dst, off, dst.length - off);
        if (n < 0) break;
        off += n;
      }
    } catch (EOFException e) {
      // GZIPInputStream reports a cut-off member this way; handled as truncation below
    }
    if (off < dst.length) {
      throw new IdxFormatException(name, "truncated: " + off + " data bytes (expected: " + dst.length + " for " + what + ")");
    }
  }

  private static String hex(int v) {
    return String.format(Locale.ROOT, "0x%08x", v);
  }
}
