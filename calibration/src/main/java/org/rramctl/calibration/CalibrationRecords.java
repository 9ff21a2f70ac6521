package org.rramctl.calibration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;

/** Writes calibration records atomically and reads them back; checks a record against a connected board. */
public final class CalibrationRecords {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .build();

  private CalibrationRecords() {}

  /**
   * Writes a record to {@code file} atomically: a temporary file in the same directory, flushed to disk,
   * then renamed over the target with ATOMIC_MOVE, so a reader sees the old file or the new one, never
   * half of one. On failure the temporary file is removed and the target is untouched.
   */
  public static void write(CalibrationRecord record, Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
    boolean moved = false;
    try {
      byte[] json = MAPPER.writeValueAsBytes(record);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(json);
        while (buf.hasRemaining()) ch.write(buf);
        ch.force(true);
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
    } finally {
      if (!moved) Files.deleteIfExists(tmp);
    }
  }

  /**
   * Reads a record.
   *
   * @throws IOException naming the file when it cannot be read or is not a calibration record of this schema
   */
  public static CalibrationRecord read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such calibration record");
    try {
      var tree = MAPPER.readTree(file.toFile());
      if (tree == null || !tree.isObject() || !tree.has("schema")) {
        throw new IOException(file + ": not a calibration record (expected: a JSON object with \"schema\": \"" + CalibrationRecord.SCHEMA + "\")");
      }
      String schema = tree.get("schema").asText();
      if (!CalibrationRecord.SCHEMA.equals(schema)) {
        throw new IOException(file + ": calibration record schema '" + schema + "' (expected: " + CalibrationRecord.SCHEMA + ")");
      }
      return MAPPER.treeToValue(tree, CalibrationRecord.class);
    } catch (JsonProcessingException e) {
      String why = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage().lines().findFirst().orElse("");
      throw new IOException(file + ": not a calibration record (" + why + ")", e);
    }
  }

  /**
   * Refuses a record made on another board or for another geometry than {@code info}.
   *
   * @throws IllegalArgumentException naming the record's board and geometry and the connected one's
   */
  public static void checkMatches(CalibrationRecord record, BoardInfo info, String source) {
    String recGeo = geometry(record.board().arrays());
    String boardGeo = geometry(info.arrays());
    if (!record.board().id().equals(info.boardId()) || !recGeo.equals(boardGeo)) {
      throw new IllegalArgumentException("calibration record " + source + ": board " + record.board().id() + " with arrays " + recGeo
          + " (expected: the connected board " + info.boardId() + " with arrays " + boardGeo + ")");
    }
  }

  private static String geometry(List<ArrayGeometry> arrays) {
    List<String> parts = new ArrayList<>();
    for (ArrayGeometry g : arrays) parts.add(g.rows() + "x" + g.cols());
    return "[" + String.join(",", parts) + "]";
  }
}
