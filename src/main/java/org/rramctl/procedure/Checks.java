package org.rramctl.procedure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Durations;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Limits;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;

/** Parameter checks and small helpers the procedures share. */
final class Checks {
  private Checks() {}

  static void atLeast(String name, long value, long min, long max) {
    if (value < min || value > max) throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + " .. " + max + ")");
  }

  static void positive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) throw new IllegalArgumentException(name + ": " + value + " (expected: finite and > 0)");
  }

  static void notBlank(String name, String value) {
    if (value == null || value.isBlank()) throw new IllegalArgumentException(name + ": '" + value + "' (expected: non-empty)");
  }

  /**
   * A pulse from a width text such as "100ns", with the default period under {@code limits}
   * ({@link Pulse#of(Polarity, double, long, Limits)}: twice the width, or longer where the pulse-rate limit
   * needs it).
   */
  static Pulse pulse(Polarity p, double amplitudeVolts, String width, Limits limits) {
    return Pulse.of(p, amplitudeVolts, Durations.parseNanos(width), limits);
  }

  /** The limits a procedure's pulses must keep: the envelope's when the driver has one, else the board's. */
  static Limits limits(CrossbarDriver d) {
    return d instanceof EnvelopedDriver e ? e.envelope().limits() : d.info().hardwareLimits();
  }

  /** Groups event data by device ("array:row,col"), keeping first-seen order. */
  static Map<String, List<ObjectNode>> byCell(List<ObjectNode> events) {
    Map<String, List<ObjectNode>> out = new LinkedHashMap<>();
    for (ObjectNode e : events) {
      String key = e.path("array").asInt() + ":" + e.path("row").asInt() + "," + e.path("col").asInt();
      out.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(e);
    }
    return out;
  }

  /** A per-device row of a summary, starting with the device address. */
  static ObjectNode cellRow(ArrayNode rows, String cell) {
    ObjectNode r = rows.addObject();
    r.put("cell", cell);
    return r;
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) s += x;
    return v.length == 0 ? Double.NaN : s / v.length;
  }

  /** Sample standard deviation (n - 1). */
  static double std(double[] v) {
    if (v.length < 2) return 0;
    double m = mean(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return Math.sqrt(s / (v.length - 1));
  }

  /** Puts a double, writing null for NaN (JSON has no NaN). */
  static void put(ObjectNode o, String key, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) o.putNull(key);
    else o.put(key, v);
  }
}
