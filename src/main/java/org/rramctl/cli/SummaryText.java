package org.rramctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints a procedure summary (a JSON object) for people: scalars as "key: value", per-device rows as a table. */
final class SummaryText {
  /** Tables longer than this are cut, with a count of the rest. */
  static final int MAX_ROWS = 16;

  private SummaryText() {}

  static void print(PrintWriter out, JsonNode summary) {
    if (summary == null || !summary.isObject()) return;
    for (Iterator<Map.Entry<String, JsonNode>> it = summary.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isArray()) continue;
      out.printf(Locale.ROOT, "  %s: %s%n", e.getKey(), e.getValue().isObject() ? inline(e.getValue()) : value(e.getValue()));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = summary.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isArray() && e.getValue().size() > 0 && e.getValue().get(0).isObject()) table(out, e.getValue());
    }
  }

  private static void table(PrintWriter out, JsonNode rows) {
    List<String> cols = new ArrayList<>();
    rows.get(0).fieldNames().forEachRemaining(cols::add);
    List<String[]> cells = new ArrayList<>();
    cells.add(cols.toArray(String[]::new));
    for (int i = 0; i < Math.min(rows.size(), MAX_ROWS); i++) {
      String[] r = new String[cols.size()];
      for (int c = 0; c < r.length; c++) r[c] = value(rows.get(i).path(cols.get(c)));
      cells.add(r);
    }
    int[] w = new int[cols.size()];
    for (String[] r : cells) for (int c = 0; c < r.length; c++) w[c] = Math.max(w[c], r[c].length());
    for (String[] r : cells) {
      StringBuilder sb = new StringBuilder(" ");
      for (int c = 0; c < r.length; c++) sb.append(' ').append(String.format(Locale.ROOT, c == 0 ? "%-" + w[c] + "s" : "%" + w[c] + "s", r[c]));
      out.println(sb);
    }
    if (rows.size() > MAX_ROWS) out.printf(Locale.ROOT, "  ... %d more%n", rows.size() - MAX_ROWS);
  }

  /** A small object (a distribution: n, mean, std ...) on one line: "n 16, mean 2.05, std 0.11". */
  static String inline(JsonNode o) {
    StringBuilder b = new StringBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(value(e.getValue()));
    }
    return b.toString();
  }

  static String value(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) return "-";
    if (v.isIntegralNumber()) return v.asText();
    if (v.isNumber()) return String.format(Locale.ROOT, "%.4g", v.asDouble());
    return v.asText();
  }
}
