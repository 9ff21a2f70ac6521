package org.rramctl.procedure;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Plane;
import org.rramctl.journal.Json;

/** What the first-day procedures (form, iv, endurance, switch-seek, converge) share: distributions, planes, the role check. */
final class FirstDay {
  private FirstDay() {}

  /**
   * The summary statistics of a distribution a paper reports: n, mean, sample std, min, median, max (null fields when
   * empty). NaN values are left out.
   */
  static ObjectNode distribution(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).sorted().toArray();
    ObjectNode o = Json.object();
    o.put("n", v.length);
    Checks.put(o, "mean", Checks.mean(v));
    Checks.put(o, "std", v.length < 2 ? Double.NaN : Checks.std(v));
    Checks.put(o, "min", v.length == 0 ? Double.NaN : v[0]);
    Checks.put(o, "median", v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
    Checks.put(o, "max", v.length == 0 ? Double.NaN : v[v.length - 1]);
    return o;
  }

  /** A voltage ramp from {@code from} to {@code to} (both included, the last step cut at {@code to}) in steps of {@code step}, volts. */
  record Ramp(double from, double to, double step) {
    int steps() {
      return (int) Math.floor((to - from) / step + 1e-9) + 1;
    }

    double level(int i) {
      return Math.min(to, from + i * step);
    }
  }

  /** Mean of the finite values, NaN when there are none. */
  static double mean(List<Double> values) {
    return Checks.mean(values.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).toArray());
  }

  /** The source-measure role must be declared by the board; the message names it and says what would do. */
  static void requireSourceMeasure(String procedure, BoardInfo info) {
    if (!info.supportsNatively(Capability.SOURCE_MEASURE)) {
      throw new IllegalArgumentException(procedure + ": board " + info.boardId() + " (" + info.model() + ", protocol " + info.protocolVersion()
          + ") has no source-measure capability (expected: a board declaring SOURCE_MEASURE: sim:, scpi:, arc1:, or a crossbar board of protocol version 2"
          + " or later with SOURCE; " + procedure + " needs a current compliance, which pulses cannot give)");
    }
  }

  /** "active" or "both": the planes a procedure covers; "both" only where the board has reference arrays. */
  static List<Plane> planes(String name, String planes, BoardInfo info, int array) {
    return switch (planes) {
      case "active" -> List.of(Plane.ACTIVE);
      case "both" -> info.array(array).hasReference() ? List.of(Plane.ACTIVE, Plane.REFERENCE) : List.of(Plane.ACTIVE);
      default -> throw new IllegalArgumentException(name + ": planes: '" + planes + "' (expected: active or both)");
    };
  }

  static void checkPlanes(String planes) {
    if (!"active".equals(planes) && !"both".equals(planes)) throw new IllegalArgumentException("planes: '" + planes + "' (expected: active or both)");
  }

  /** Device k of the target's devices on the listed planes, plane-major: all active devices, then all reference devices. */
  static Cell cell(Target t, List<Plane> planes, int k) {
    return t.cell(k % t.size()).withPlane(planes.get(k / t.size()));
  }

  /** A new event body with the cell's address and plane filled in. */
  static ObjectNode data(Cell c) {
    ObjectNode d = ProcedureContext.data(c);
    d.put("plane", c.plane().name().toLowerCase(Locale.ROOT));
    return d;
  }

  static double parseVolts(String name, String text) {
    try {
      String t = text.trim();
      if (t.toLowerCase(Locale.ROOT).endsWith("v")) t = t.substring(0, t.length() - 1).trim();
      return Double.parseDouble(t);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(name + ": '" + text + "' (expected: volts such as 0.5)");
    }
  }

  static double[] sorted(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c;
  }
}
