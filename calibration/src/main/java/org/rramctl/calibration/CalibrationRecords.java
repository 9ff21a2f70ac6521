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
import org.rramctl.driver.FileChecksums;

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
      byte[] json = FileChecksums.sealJson(MAPPER.writeValueAsBytes(record));
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
   * @throws IllegalArgumentException naming the file when it is not a calibration record of this schema, or damaged
   */
  public static CalibrationRecord read(Path file) throws IOException {
    return readChecked(file).record();
  }

  /** A record as read, and whether its checksum was there and matched (false: written before checksums). */
  public record Loaded(CalibrationRecord record, boolean checksumVerified) {}

  /**
   * Reads a record and checks its CRC-32C ({@link FileChecksums}; a record written before checksums is read
   * unverified).
   *
   * @throws IllegalArgumentException naming the file when it is not a calibration record, damaged or malformed
   */
  public static Loaded readChecked(Path file) throws IOException {
    if (Files.isDirectory(file)) throw new IllegalArgumentException(file + ": is a folder (expected: a calibration record file)");
    if (!Files.exists(file)) throw new IllegalArgumentException(file + ": no such file (expected: a calibration record)");
    FileChecksums.Checked checked = FileChecksums.openJson(file, Files.readAllBytes(file));
    try {
      var tree = MAPPER.readTree(checked.content());
      if (tree == null || !tree.isObject() || !tree.has("schema")) {
        throw new IllegalArgumentException(file + ": not a calibration record (expected: a JSON object with \"schema\": \"" + CalibrationRecord.SCHEMA + "\")");
      }
      String schema = tree.get("schema").asText();
      if (!CalibrationRecord.SCHEMA.equals(schema)) {
        throw new IllegalArgumentException(file + ": calibration record schema '" + schema + "' (expected: " + CalibrationRecord.SCHEMA + ")");
      }
      // Records written before the stop rule was a setting used the only rule there was.
      if (tree.get("settings") instanceof com.fasterxml.jackson.databind.node.ObjectNode settings && !settings.has("stopRule")) {
        settings.put("stopRule", CalibrationSettings.StopRule.WINDOW.name());
      }
      // Records written before the tail handoff was a setting handed off at the only fraction there was.
      if (tree.get("settings") instanceof com.fasterxml.jackson.databind.node.ObjectNode settings && !settings.has("handoffFraction")) {
        settings.put("handoffFraction", CalibrationSettings.DEFAULT_HANDOFF_FRACTION);
      }
      CalibrationRecord rec;
      try {
        rec = MAPPER.treeToValue(tree, CalibrationRecord.class);
      } catch (JsonProcessingException e) {
        // A record constructor's refusal arrives wrapped; its own message names the field.
        Throwable c = e.getCause();
        if (c instanceof IllegalArgumentException) throw new IllegalArgumentException(file + ": " + c.getMessage(), e);
        throw e;
      }
      validate(rec, file.toString());
      return new Loaded(rec, checked.verified());
    } catch (JsonProcessingException e) {
      String why = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage().lines().findFirst().orElse("");
      throw new IllegalArgumentException(file + ": not a calibration record (" + why + ")", e);
    }
  }

  /**
   * Checks what a record says about itself (on every load): the board's conductance window and arrays, every
   * tile inside its array, and every device the record gives a programmed reference (the devices training
   * uses) a finite symmetry point and reference inside the window. A record may be partial ({@code complete:
   * false}, stopped early); {@link #checkUsable} refuses that for training.
   *
   * @param source the file, for messages
   * @throws IllegalArgumentException naming the source and the first problem
   */
  public static void validate(CalibrationRecord r, String source) {
    CalibrationRecord.Board b = r.board();
    double gMin = b.gMinSiemens();
    double gMax = b.gMaxSiemens();
    if (!(gMin >= 0 && gMax > gMin && Double.isFinite(gMax))) {
      throw new IllegalArgumentException(source + ": board conductance window " + gMin + " .. " + gMax + " S (expected: 0 <= gMin < gMax, finite)");
    }
    if (b.arrays().isEmpty()) throw new IllegalArgumentException(source + ": board arrays: none (expected: the calibrated board's arrays)");
    if (r.tiles().isEmpty()) throw new IllegalArgumentException(source + ": tiles: none (expected: at least one calibrated tile)");
    for (int i = 0; i < r.tiles().size(); i++) {
      CalibrationRecord.TileRecord t = r.tiles().get(i);
      String where = source + ": tiles[" + i + "]";
      ArrayGeometry g = t.array() >= 0 && t.array() < b.arrays().size() ? b.arrays().get(t.array()) : null;
      if (g == null) throw new IllegalArgumentException(where + ": array " + t.array() + " (expected: 0.." + (b.arrays().size() - 1) + ")");
      if (t.row0() < 0 || t.col0() < 0 || (long) t.row0() + t.rows() > g.rows() || (long) t.col0() + t.cols() > g.cols()) {
        throw new IllegalArgumentException(where + ": rows " + t.row0() + ".." + ((long) t.row0() + t.rows() - 1) + ", cols " + t.col0() + ".."
            + ((long) t.col0() + t.cols() - 1) + " (expected: inside array " + t.array() + " of " + g.rows() + " x " + g.cols() + ")");
      }
      for (int k = 0; k < t.devices(); k++) {
        float ref = t.refAchievedSiemens()[k];
        if (Float.isNaN(ref)) continue; // no reference programmed: training falls back to mid-range for it
        String dev = where + " device row " + (t.row0() + k / t.cols()) + " col " + (t.col0() + k % t.cols());
        // Values are stored as floats: allow their rounding (1e-6 of the window) at the edges. A reference's last
        // verify read is noisy, so it may sit a little outside the window; 5 % is far beyond noise.
        double w = gMax - gMin;
        inWindow(dev + ": spSiemens", t.spSiemens()[k], gMin - 1e-6 * w, gMax + 1e-6 * w, gMin, gMax);
        inWindow(dev + ": refAchievedSiemens", ref, gMin - 0.05 * w, gMax + 0.05 * w, gMin, gMax);
        if (t.pulses()[k] < 0 || t.refPulses()[k] < 0 || t.refReads()[k] < 0) {
          throw new IllegalArgumentException(dev + ": pulse and read counts " + t.pulses()[k] + ", " + t.refPulses()[k] + ", " + t.refReads()[k] + " (expected: >= 0)");
        }
      }
    }
  }

  private static void inWindow(String name, double v, double lo, double hi, double gMin, double gMax) {
    if (!(v >= lo && v <= hi)) {
      throw new IllegalArgumentException(name + ": " + v + " (expected: inside the board's conductance window " + gMin + " .. " + gMax + " S)");
    }
  }

  /**
   * Refuses a record that training on the connected board would not use: made on another board or geometry
   * ({@link #checkMatches}), for another conductance window, with an envelope the board cannot have, or stopped
   * before it finished.
   *
   * @throws IllegalArgumentException naming the source and the problem
   */
  public static void checkUsable(CalibrationRecord record, BoardInfo info, String source) {
    org.rramctl.driver.Limits boardLimits = info.hardwareLimits();
    checkMatches(record, info, source);
    double tol = 1e-9 * info.gMaxSiemens();
    if (Math.abs(record.board().gMinSiemens() - info.gMinSiemens()) > tol || Math.abs(record.board().gMaxSiemens() - info.gMaxSiemens()) > tol) {
      throw new IllegalArgumentException("calibration record " + source + ": conductance window " + record.board().gMinSiemens() + " .. "
          + record.board().gMaxSiemens() + " S (expected: the connected board's " + info.gMinSiemens() + " .. " + info.gMaxSiemens() + " S)");
    }
    if (!record.complete()) {
      throw new IllegalArgumentException("calibration record " + source + ": complete: false, the calibration was stopped before it finished"
          + " (expected: a complete record; calibrate again)");
    }
    org.rramctl.driver.Limits e = record.envelope();
    if (e != null && (e.maxPulseVolts() > boardLimits.maxPulseVolts() || e.maxReadVolts() > boardLimits.maxReadVolts())) {
      throw new IllegalArgumentException("calibration record " + source + ": envelope of " + e.maxPulseVolts() + " V pulses, " + e.maxReadVolts()
          + " V reads (expected: within the board's limits, " + boardLimits.maxPulseVolts() + " V and " + boardLimits.maxReadVolts() + " V)");
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
