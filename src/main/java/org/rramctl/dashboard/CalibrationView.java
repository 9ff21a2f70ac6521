package org.rramctl.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rramctl.calibration.CalibrationRecords;
import org.rramctl.journal.Json;

/**
 * The calibration page's data: a calibration record as {@code calibrate --out} wrote it, read and validated exactly as
 * {@code calibrate --check} and {@code train --calibration} read it (checksum, schema, every tile inside its array).
 * The page draws the maps and the histogram from the record itself: one model, the file's.
 */
final class CalibrationView {
  /** Largest record accepted from the page, bytes (a record of three 785 x 256 arrays is about 20 MB). */
  static final int MAX_RECORD_BYTES = 128 * 1024 * 1024;

  private final Path preloaded;

  /** @param preloaded the record given with {@code --calibration}, or null */
  CalibrationView(Path preloaded) {
    this.preloaded = preloaded;
  }

  /** The record given at start. */
  ObjectNode preloaded() throws IOException {
    if (preloaded == null) {
      throw HttpError.notFound("calibration: none given at start (expected: rramctl dashboard --calibration FILE, or open a record on the page)");
    }
    return view(preloaded, preloaded.toString());
  }

  /** A record the page sent (the file's bytes), named {@code name} in messages. */
  ObjectNode uploaded(byte[] content, String name) throws IOException {
    Path tmp = Files.createTempFile("rramctl-dashboard-calibration", ".json");
    try {
      Files.write(tmp, content);
      try {
        return view(tmp, name);
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest(DashboardServer.firstLine(e.getMessage()).replace(tmp.toString(), name));
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static ObjectNode view(Path file, String name) throws IOException {
    CalibrationRecords.Loaded loaded = CalibrationRecords.readChecked(file);
    ObjectNode o = Json.object();
    o.put("file", name);
    o.put("checksumVerified", loaded.checksumVerified());
    o.set("record", Json.MAPPER.valueToTree(loaded.record()));
    return o;
  }
}
