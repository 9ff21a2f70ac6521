package org.rramctl.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.rramctl.driver.FileChecksums;

/**
 * A training checkpoint: everything needed to continue a run as if it had not stopped (JSON, written
 * atomically: temp file in the same folder, then rename).
 *
 * @param format always {@link #FORMAT}
 * @param layers network sizes, e.g. "784-256-128-10"
 * @param analog true when the weights live on a board
 * @param epochsDone epochs completed
 * @param shuffleRng state of the sample-order generator
 * @param layerRngs per analog layer, the state of its stochastic-update generator (empty for floating point)
 * @param weights per floating-point layer, its weights as big-endian doubles, row-major (empty for analog)
 * @param deviceStateFile for analog runs, the file (next to the checkpoint) written by the board's
 *     {@link DeviceStateStore}, or null when the board offers none
 * @param metrics the metrics of every completed epoch
 * @param transferStates per Tiki-Taka layer, samples seen and the next column to transfer (null or empty otherwise);
 *     such a layer has two entries in {@code layerRngs}, its A's then its C's
 */
public record Checkpoint(
    String format,
    String layers,
    boolean analog,
    int epochsDone,
    long[] shuffleRng,
    List<long[]> layerRngs,
    List<byte[]> weights,
    String deviceStateFile,
    List<EpochMetrics> metrics,
    List<long[]> transferStates) {
  public static final String FORMAT = "rramctl-train-checkpoint/1";
  private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  /**
   * Reads a checkpoint, checking its CRC-32C ({@link FileChecksums}; a checkpoint written before checksums is
   * read unverified).
   *
   * @throws IllegalArgumentException naming the file when it is damaged (checksum), not a checkpoint, or of
   *     another format
   */
  public static Checkpoint read(Path file) throws IOException {
    byte[] bytes = readChecked(file);
    Checkpoint c;
    try {
      c = JSON.readValue(bytes, Checkpoint.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not a readable checkpoint (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
    if (!FORMAT.equals(c.format())) throw new IllegalArgumentException(file + ": format '" + c.format() + "' (expected: " + FORMAT + ")");
    return c;
  }

  /** A JSON file of a training folder with its checksum checked and removed. */
  static byte[] readChecked(Path file) throws IOException {
    return FileChecksums.openJson(file, Files.readAllBytes(file)).content();
  }

  /** Writes a JSON file of a training folder with its checksum, atomically and durably. */
  static void writeChecked(Path file, byte[] json) throws IOException {
    writeAtomically(file, FileChecksums.sealJson(json));
  }

  /** Writes {@code bytes} to a temp file in the same folder, forces it to the device, renames it over {@code file}. */
  static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) ch.write(b);
      ch.force(true);
    }
    moveAtomically(tmp, file);
  }

  /**
   * The file a checkpoint (or another file of a training folder) names, resolved inside {@code folder}: a
   * plain file name, no folder part, no {@code ..}, not a symbolic link. A checkpoint that names anything else
   * is refused before the file is read, let alone deleted (a resume deletes the device state it replaces).
   *
   * @param source the file that names it, for the message
   * @param field the field that names it
   * @throws IllegalArgumentException naming the source, the field and the value
   */
  static Path inside(Path folder, String name, Path source, String field) {
    Path dir = folder.toAbsolutePath().normalize();
    boolean plain = name != null && !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
        && name.indexOf('\\') < 0 && name.indexOf('\0') < 0;
    Path file = plain ? dir.resolve(name).normalize() : null;
    if (file == null || !dir.equals(file.getParent()) || Files.isSymbolicLink(file)) {
      throw new IllegalArgumentException(source + ": " + field + ": '" + name + "' (expected: the name of a file in " + dir
          + ", not a path or a link elsewhere)");
    }
    return file;
  }

  /** Writes the checkpoint with its checksum, atomically. */
  public void write(Path file) throws IOException {
    writeChecked(file, JSON.writeValueAsBytes(this));
  }

  /** Renames {@code tmp} over {@code target}, atomically where the file system allows. */
  static void moveAtomically(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static byte[] pack(double[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8);
    b.asDoubleBuffer().put(v);
    return b.array();
  }

  static double[] unpack(byte[] bytes) {
    double[] v = new double[bytes.length / 8];
    ByteBuffer.wrap(bytes).asDoubleBuffer().get(v);
    return v;
  }

  /** Jackson's JSON mapper shared by the training files. */
  static ObjectMapper json() {
    return JSON;
  }
}
