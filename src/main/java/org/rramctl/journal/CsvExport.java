package org.rramctl.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a run's events as a tidy CSV: one row per event, one column per field ({@code seq}, {@code t} in
 * seconds since the start, then the event data's fields in first-seen order), preceded by a metadata header
 * of {@code # key: value} lines. Loads with {@code pandas.read_csv(path, comment='#')}; spreadsheet users
 * see the header as the first rows. Header values never contain a newline; cell values are numbers,
 * booleans or simple words, quoted when they contain a comma, a quote or '#'.
 */
public final class CsvExport {
  private CsvExport() {}

  public static void write(Journal j, Writer out) throws IOException {
    ObjectNode start = j.start().orElse(Json.object());
    out.write("# run: " + j.runId() + "\n");
    out.write("# procedure: " + j.procedure() + "\n");
    out.write("# status: " + j.stoppedStatus().map(RunStatus::json).orElse("(no stop document)") + "\n");
    j.stop().ifPresent(s -> {
      try {
        if (s.hasNonNull("reason")) out.write("# reason: " + oneLine(s.get("reason").asText()) + "\n");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    out.write("# started: " + start.path("time").asText() + "\n");
    header(out, "parameters", start.path("parameters"));
    header(out, "board", start.path("board"));
    header(out, "envelope", start.path("envelope"));
    if (start.hasNonNull("calibration")) header(out, "calibration", start.get("calibration"));
    for (String k : List.of("host", "rramctl", "durability")) if (start.has(k)) out.write("# " + k + ": " + oneLine(start.get(k).asText()) + "\n");
    // The run's summary statistics (distributions of forming, SET/RESET voltages, R_on/R_off ...), scalars only:
    // per-device tables stay in 'rramctl runs show'.
    JsonNode summary = j.stop().map(s -> s.get("summary")).orElse(null);
    if (summary != null && summary.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = summary.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isArray()) header(out, "summary." + e.getKey(), e.getValue());
      }
    }
    if (j.tornTail() != null) out.write("# warning: " + oneLine(j.tornTail().toString()) + "\n");
    java.util.Set<Long> superseded = j.supersededSeqs();
    if (!superseded.isEmpty()) {
      out.write("# superseded: " + superseded.size() + " events of units left unfinished and measured again after a resume"
          + " are left out (they stay in the journal; 'rramctl runs show' lists them)\n");
    }
    out.write("# units: g and *Siemens in siemens, t/scheduled/elapsed in seconds, *Volts in volts, *Nanos in nanoseconds\n");

    List<ObjectNode> docs = new ArrayList<>();
    Set<String> columns = new LinkedHashSet<>();
    for (ObjectNode d : j.documents()) {
      if (!"event".equals(d.path("type").asText()) || superseded.contains(d.path("seq").asLong())) continue;
      docs.add(d);
      d.path("data").fieldNames().forEachRemaining(columns::add);
    }
    out.write("seq,t");
    for (String c : columns) out.write("," + cell(c));
    out.write("\n");
    for (ObjectNode d : docs) {
      out.write(d.path("seq").asText());
      out.write(",");
      out.write(number(d.path("t")));
      JsonNode data = d.path("data");
      for (String c : columns) {
        out.write(",");
        JsonNode v = data.get(c);
        if (v != null && !v.isNull()) out.write(v.isNumber() ? number(v) : cell(v.asText()));
      }
      out.write("\n");
    }
  }

  private static void header(Writer out, String prefix, JsonNode node) throws IOException {
    if (node == null || node.isMissingNode() || node.isNull()) return;
    if (!node.isObject()) {
      out.write("# " + prefix + ": " + oneLine(node.isTextual() ? node.asText() : node.toString()) + "\n");
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      header(out, prefix + "." + e.getKey(), e.getValue());
    }
  }

  private static String oneLine(String s) {
    return s.replace('\n', ' ').replace('\r', ' ');
  }

  private static String number(JsonNode v) {
    if (v.isIntegralNumber()) return v.asText();
    return String.format(Locale.ROOT, "%.10g", v.asDouble()).replaceFirst("\\.?0+(e|$)", "$1");
  }

  private static String cell(String s) {
    if (s.contains(",") || s.contains("\"") || s.contains("#") || s.contains("\n")) return "\"" + s.replace("\"", "\"\"") + "\"";
    return s;
  }
}
