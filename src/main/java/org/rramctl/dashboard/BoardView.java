package org.rramctl.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.DriverStatus;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Plane;
import org.rramctl.journal.Json;
import org.rramctl.procedure.BoardDefaults;
import org.rramctl.procedure.Runner;

/**
 * The board page's data: identity, geometry, limits and status ({@code GET /api/board}) and conductance maps of one
 * array ({@code GET /api/heatmap}). Every driver call holds {@link #lock()}: a driver serves one caller at a time
 * (the dashboard's page requests and a procedure it runs share the board; while a run holds it, reads get a 409).
 */
final class BoardView {
  /** The query parameters {@code /api/heatmap} takes. */
  static final Set<String> HEATMAP_PARAMS = Set.of("array", "plane", "format", "readVolts");

  private final EnvelopedDriver driver;
  private final String uri;
  private final BoardLock lock = new BoardLock();
  private final double defaultReadVolts;

  BoardView(EnvelopedDriver driver, String uri) {
    this.driver = driver;
    this.uri = uri;
    this.defaultReadVolts = BoardDefaults.of(driver).readVolts();
  }

  BoardLock lock() {
    return lock;
  }

  EnvelopedDriver driver() {
    return driver;
  }

  /**
   * The start document's board (identity, geometry, window), its native operations, the board's limits and the envelope
   * in force, the default read voltage, and the status now.
   */
  ObjectNode describe(boolean allowPulses) throws IOException {
    BoardInfo i = driver.info();
    // The board as run documents describe it (uri, id, model, firmware, protocol, arrays, ADC, window), and more.
    ObjectNode o = Runner.boardDocument(i, uri);
    ArrayNode ops = o.putArray("nativeOps");
    for (var c : new TreeSet<>(i.nativeOps())) ops.add(c.name());
    o.set("hardwareLimits", Json.MAPPER.valueToTree(i.hardwareLimits()));
    o.set("envelope", Json.MAPPER.valueToTree(driver.envelope().limits()));
    o.put("readVolts", defaultReadVolts);
    o.put("allowPulses", allowPulses);
    String busy = lock.busyWith();
    ObjectNode status = o.putObject("status");
    if (!busy.isEmpty()) {
      // A run holds the board: its own documents say what the board does; asking now would interleave with it.
      status.put("busy", busy);
    } else {
      DriverStatus s = lock.read(driver::status);
      status.put("outputsIdle", s.outputsIdle()).put("aborted", s.aborted()).put("pulsesApplied", s.pulsesApplied()).put("lastError", s.lastError());
    }
    status.put("time", Instant.now().toString());
    return o;
  }

  /** A map of one array's plane as read now; {@code differential} is active minus reference, device by device. */
  record Heatmap(int array, String plane, double readVolts, ConductanceMap map, String time) {}

  Heatmap heatmap(Query q) throws IOException {
    BoardInfo i = driver.info();
    int array = q.integer("array", 0, 0, i.arrays().size() - 1);
    String plane = q.choice("plane", "active", "active", "reference", "differential");
    ArrayGeometry g = i.array(array);
    if (!plane.equals("active") && !g.hasReference()) {
      throw HttpError.badRequest("plane: " + plane + " (expected: active; array " + array + " of board " + i.boardId() + " has no reference array)");
    }
    double readVolts = defaultReadVolts;
    if (q.has("readVolts")) {
      String v = q.string("readVolts", "");
      try {
        readVolts = Double.parseDouble(v.trim());
      } catch (NumberFormatException e) {
        throw HttpError.badRequest("readVolts: '" + Query.clip(v) + "' (expected: volts, a number in (0, " + driver.envelope().limits().maxReadVolts() + "])");
      }
      if (!(readVolts > 0)) throw HttpError.badRequest("readVolts: " + v.trim() + " (expected: volts > 0, at most the envelope's " + driver.envelope().limits().maxReadVolts() + ")");
      // The upper limit: the envelope refuses what it does not allow (an IllegalArgumentException: a 400 naming the limit).
    }
    double volts = readVolts;
    ConductanceMap map = lock.read(() -> {
      if (!plane.equals("differential")) return driver.readArray(array, plane.equals("active") ? Plane.ACTIVE : Plane.REFERENCE, volts);
      ConductanceMap a = driver.readArray(array, Plane.ACTIVE, volts);
      ConductanceMap r = driver.readArray(array, Plane.REFERENCE, volts);
      double[] d = new double[a.siemens().length];
      for (int k = 0; k < d.length; k++) d[k] = a.siemens()[k] - r.siemens()[k];
      return new ConductanceMap(a.rows(), a.cols(), d);
    });
    return new Heatmap(array, plane, readVolts, map, Instant.now().toString());
  }

  /** The map as JSON: its address, size and the values in siemens, row-major. */
  static ObjectNode json(Heatmap h) {
    ObjectNode o = Json.object();
    o.put("array", h.array()).put("plane", h.plane()).put("readVolts", h.readVolts()).put("time", h.time());
    o.put("rows", h.map().rows()).put("cols", h.map().cols());
    ArrayNode v = o.putArray("siemens");
    for (double s : h.map().siemens()) v.add(s);
    return o;
  }

  /** The values as little-endian float32, row-major (what the page draws: a quarter of the JSON's size, no parsing). */
  static byte[] float32(Heatmap h) {
    double[] s = h.map().siemens();
    ByteBuffer b = ByteBuffer.allocate(s.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : s) b.putFloat((float) v);
    return b.array();
  }
}
