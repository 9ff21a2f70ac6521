package org.rramctl.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.rramctl.journal.Json;

/**
 * The training page's data, from a {@code train --out} or {@code experiment zero-shift --out} folder as those commands
 * write it: {@code metrics.jsonl} (one epoch per line, appended as each epoch ends; a torn last line is left out), an
 * experiment's {@code results.json}, its per-cell {@code cells/ID/metrics.jsonl}, and its PNG plots. Epochs are also
 * pushed as they are appended ({@link #stream}).
 */
final class TrainingView {
  private final Path dir;
  private final AtomicInteger streams = new AtomicInteger();

  /** @param dir the folder given with {@code --training}, or null */
  TrainingView(Path dir) {
    this.dir = dir;
  }

  private Path dir() {
    if (dir == null) {
      throw HttpError.notFound("training: no folder given at start (expected: rramctl dashboard --training DIR, a train --out or experiment --out folder)");
    }
    return dir;
  }

  /** What the folder holds: its epochs so far (a training run), or an experiment's results, cells and plots. */
  ObjectNode overview() throws IOException {
    Path d = dir();
    ObjectNode o = Json.object();
    o.put("dir", d.toAbsolutePath().toString());
    Path results = d.resolve("results.json");
    o.set("results", Files.isRegularFile(results) ? Json.MAPPER.readTree(results.toFile()) : null);
    o.set("epochs", epochs(d.resolve("metrics.jsonl")));
    ArrayNode cells = o.putArray("cells");
    Path cellsDir = d.resolve("cells");
    if (Files.isDirectory(cellsDir)) {
      try (Stream<Path> s = Files.list(cellsDir)) {
        for (Path c : s.filter(p -> Files.isRegularFile(p.resolve("metrics.jsonl"))).sorted().toList()) cells.add(c.getFileName().toString());
      }
    }
    ArrayNode plots = o.putArray("plots");
    if (Files.isDirectory(d)) {
      try (Stream<Path> s = Files.list(d)) {
        for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".png") && Files.isRegularFile(p)).sorted().toList()) plots.add(p.getFileName().toString());
      }
    }
    return o;
  }

  /** One experiment cell's epochs so far. */
  ObjectNode cell(String id) throws IOException {
    Path metrics = cellMetrics(id);
    ObjectNode o = Json.object();
    o.put("cell", id);
    o.set("epochs", epochs(metrics));
    return o;
  }

  /** An experiment cell's metrics file, named by the cell's id as /api/training lists it. */
  private Path cellMetrics(String id) {
    Path d = dir();
    if (!id.matches("[A-Za-z0-9._-]{1,200}") || id.startsWith(".") || !Files.isRegularFile(d.resolve("cells").resolve(id).resolve("metrics.jsonl"))) {
      throw HttpError.notFound("cell: '" + Query.clip(id) + "' (expected: a cell of " + d.resolve("cells") + " with a metrics.jsonl, as /api/training lists them)");
    }
    return d.resolve("cells").resolve(id).resolve("metrics.jsonl");
  }

  /**
   * Pushes the epochs of the folder's {@code metrics.jsonl} (or of an experiment cell's, {@code cell} not null) as
   * server-sent events, from epoch line {@code fromLine} on: each line as it is appended, until the client goes away or
   * {@code closing} says so. A training run that has not finished its first epoch has no file yet: it is waited for.
   */
  void stream(HttpExchange ex, String cell, long fromLine, BooleanSupplier closing) throws IOException {
    Path metrics = cell == null ? dir().resolve("metrics.jsonl") : cellMetrics(cell);
    LineTail.serve(ex, streams, "close another page's training view", metrics, fromLine, closing, t -> false);
  }

  /** A PNG plot of the folder. */
  byte[] plot(String name) throws IOException {
    Path d = dir();
    if (!name.matches("[A-Za-z0-9._-]{1,200}\\.png") || name.startsWith(".") || !Files.isRegularFile(d.resolve(name))) {
      throw HttpError.notFound("plot: '" + Query.clip(name) + "' (expected: a .png file of " + d + ", as /api/training lists them)");
    }
    return Files.readAllBytes(d.resolve(name));
  }

  /** The complete lines of a metrics file (none when it does not exist yet). */
  static ArrayNode epochs(Path metrics) throws IOException {
    ArrayNode out = Json.MAPPER.createArrayNode();
    if (!Files.isRegularFile(metrics)) return out;
    String text = Files.readString(metrics, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n');
    if (end < 0) return out;
    List<String> lines = text.substring(0, end).lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) continue;
      JsonNode n;
      try {
        n = Json.MAPPER.readTree(lines.get(i));
      } catch (IOException e) {
        throw new IllegalArgumentException(metrics + ": line " + (i + 1) + ": not JSON (expected: one epoch's metrics per line)");
      }
      out.add(n);
    }
    return out;
  }
}
