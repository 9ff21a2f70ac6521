package org.rramctl.driver;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * CRC-32C checksums inside the files rramctl writes and reads back (calibration records, training checkpoints,
 * device-state files), so that a damaged or edited file is refused instead of silently used.
 *
 * <ul>
 *   <li>JSON files end with a last member {@code "crc32c":"xxxxxxxx"} (8 lower-case hex digits): the CRC-32C of
 *       the file's bytes with the text {@code ,"crc32c":"xxxxxxxx"} taken out (that is, the JSON as it was
 *       before the member was added). Other JSON readers see one more field.
 *   <li>Binary files end with a 12-byte trailer: the ASCII magic {@code RRCRC32C} and the CRC-32C of every byte
 *       before the trailer, big-endian.
 * </ul>
 *
 * Files written before checksums existed have neither; they are read unverified ({@link Checked#verified()}
 * false), since refusing them would strand a lab's older calibration records and checkpoints. A file that has a
 * checksum that does not match is always refused.
 */
public final class FileChecksums {
  private static final byte[] MAGIC = "RRCRC32C".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] JSON_KEY = ",\"crc32c\":\"".getBytes(StandardCharsets.US_ASCII);
  /** Length of {@code ,"crc32c":"xxxxxxxx"}. */
  private static final int JSON_MEMBER = JSON_KEY.length + 8 + 1;

  private FileChecksums() {}

  /** What a reader gets: the content without the checksum, and whether a checksum was there and matched. */
  public record Checked(byte[] content, boolean verified) {}

  /** A file's checksum does not match its content: damaged or edited since it was written. */
  public static final class MismatchException extends IllegalArgumentException {
    public MismatchException(Path file, long recorded, long actual) {
      super(file + ": checksum mismatch (CRC-32C " + hex(actual) + ", recorded " + hex(recorded)
          + "): the file was changed or damaged after rramctl wrote it (expected: the file as written)");
    }
  }

  public static long crc32c(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return c.getValue();
  }

  /** {@code json} (one JSON object, ending in '}') with the checksum member added before its closing brace. */
  public static byte[] sealJson(byte[] json) {
    int end = json.length;
    while (end > 0 && Character.isWhitespace(json[end - 1])) end--;
    if (end < 3 || json[end - 1] != '}' || json[end - 2] == '{') throw new IllegalArgumentException("json: does not end with '}' (expected: one non-empty JSON object)");
    long crc = crc32c(json, 0, end);
    byte[] member = (",\"crc32c\":\"" + hex(crc) + "\"").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[end + member.length];
    System.arraycopy(json, 0, out, 0, end - 1);
    System.arraycopy(member, 0, out, end - 1, member.length);
    out[out.length - 1] = '}';
    return out;
  }

  /**
   * Checks and strips the checksum member of a JSON file's bytes.
   *
   * @throws MismatchException when the member is there and does not match
   */
  public static Checked openJson(Path file, byte[] bytes) {
    int end = bytes.length;
    while (end > 0 && Character.isWhitespace(bytes[end - 1])) end--;
    int start = end - 1 - JSON_MEMBER;
    if (start < 0 || bytes[end - 1] != '}' || !Arrays.equals(bytes, start, start + JSON_KEY.length, JSON_KEY, 0, JSON_KEY.length)
        || bytes[end - 2] != '"') {
      return new Checked(bytes, false);
    }
    long recorded;
    try {
      recorded = Long.parseLong(new String(bytes, start + JSON_KEY.length, 8, StandardCharsets.US_ASCII), 16);
    } catch (NumberFormatException e) {
      return new Checked(bytes, false);
    }
    byte[] content = new byte[start + 1];
    System.arraycopy(bytes, 0, content, 0, start);
    content[start] = '}';
    long actual = crc32c(content, 0, content.length);
    if (actual != recorded) throw new MismatchException(file, recorded, actual);
    return new Checked(content, true);
  }

  /** The trailer to append to a binary file whose bytes had this CRC-32C. */
  public static byte[] binaryTrailer(long crc) {
    return ByteBuffer.allocate(MAGIC.length + 4).put(MAGIC).putInt((int) crc).array();
  }

  /**
   * Checks and strips the trailer of a binary file's bytes.
   *
   * @throws MismatchException when the trailer is there and does not match
   */
  public static Checked openBinary(Path file, byte[] bytes) {
    int t = bytes.length - MAGIC.length - 4;
    if (t < 0 || !Arrays.equals(bytes, t, t + MAGIC.length, MAGIC, 0, MAGIC.length)) return new Checked(bytes, false);
    long recorded = ByteBuffer.wrap(bytes, t + MAGIC.length, 4).getInt() & 0xffffffffL;
    long actual = crc32c(bytes, 0, t);
    if (actual != recorded) throw new MismatchException(file, recorded, actual);
    return new Checked(Arrays.copyOf(bytes, t), true);
  }

  private static String hex(long crc) {
    return String.format(Locale.ROOT, "%08x", crc);
  }
}
