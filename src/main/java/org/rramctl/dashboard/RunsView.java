package org.rramctl.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.rramctl.journal.CsvExport;
import org.rramctl.journal.Journal;
import org.rramctl.journal.JournalCorruptException;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunStatus;

/**
 * The runs page's data, read from the runs directory exactly as {@code rramctl runs} and {@code rramctl watch} see it:
 * the list of runs, one run's documents, its documents as they are journaled (server-sent events: each event's data is
 * the journal line, byte for byte the document {@code watch} receives), its CSV export, and abort (the marker file
 * {@code rramctl abort} creates). Reading never marks a dead run: it is reported {@code interrupted} as it is.
 */
final class RunsView {
  /** How often a stream looks for new journal lines: the most a document waits before it is sent. */
  static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** A comment line this often on a quiet stream, to notice a client that went away. */
  static final long KEEPALIVE_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** Streams open at once, at most (each holds a thread). */
  static final int MAX_STREAMS = 32;

  private final RunDirectory dir;
  private final AtomicInteger streams = new AtomicInteger();

  RunsView(RunDirectory dir) {
    this.dir = dir;
  }

  RunDirectory dir() {
    return dir;
  }

  /** A run id from a URL: one of the journals in the directory, exactly. */
  String checkRun(String id) throws IOException {
    if (!id.matches("[A-Za-z0-9._-]{1,200}") || !dir.runIds().contains(id)) {
      throw HttpError.notFound("run: '" + Query.clip(id) + "' (expected: a run id of " + dir.dir() + ", as /api/runs lists them)");
    }
    return id;
  }

  /** Every run, oldest first: id, procedure, status (interrupted when its process died), events, times, board, cells. */
  ObjectNode list() throws IOException {
    ObjectNode o = Json.object();
    o.put("dir", dir.dir().toString());
    ArrayNode runs = o.putArray("runs");
    for (String id : dir.runIds()) {
      ObjectNode r = runs.addObject();
      r.put("run", id);
      try {
        RunDirectory.Entry e = dir.entry(id);
        Journal j = e.journal();
        ObjectNode start = j.start().orElse(Json.object());
        r.put("procedure", j.procedure());
        r.put("status", e.status().json());
        r.put("interrupted", e.status() == RunStatus.INTERRUPTED);
        r.put("events", j.events().size());
        r.put("started", start.path("time").asText(""));
        r.put("stopped", j.stop().map(s -> s.path("time").asText("")).orElse(""));
        r.put("board", start.path("board").path("uri").asText(""));
        r.put("cells", start.path("parameters").path("cells").asText(""));
        j.stop().ifPresent(s -> r.set("reason", s.get("reason")));
        if (j.tornTail() != null) r.put("tornTail", j.tornTail().toString());
      } catch (JournalCorruptException ex) {
        r.put("status", "corrupt");
        r.put("error", DashboardServer.firstLine(ex.getMessage()));
      } catch (NoSuchFileException ex) {
        runs.remove(runs.size() - 1); // deleted while listing
      }
    }
    return o;
  }

  /** One run: its status and every document of its journal, in order. */
  ObjectNode show(String id) throws IOException {
    RunDirectory.Entry e = dir.entry(checkRun(id));
    ObjectNode o = Json.object();
    o.put("run", id);
    o.put("status", e.status().json());
    o.put("events", e.journal().events().size());
    o.put("supersededEvents", e.journal().supersededSeqs().size());
    if (e.journal().tornTail() != null) o.put("tornTail", e.journal().tornTail().toString());
    ArrayNode docs = o.putArray("documents");
    for (ObjectNode d : e.journal().documents()) docs.add(d);
    return o;
  }

  /** The run's events as {@code rramctl runs export RUN --csv} writes them. */
  byte[] csv(String id) throws IOException {
    Journal j = Journal.read(dir.journal(checkRun(id)));
    StringWriter w = new StringWriter();
    CsvExport.write(j, w);
    return w.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Asks a running run to stop (the abort marker); a run that is not running is a 409. */
  ObjectNode abort(String id) throws IOException {
    checkRun(id);
    if (!dir.isLive(id)) {
      RunStatus s = dir.entry(id).status();
      throw new HttpError(409, "run " + id + ": not running (status " + s.json() + "; expected: a running run)");
    }
    java.nio.file.Path marker = dir.abortMarker(id);
    if (!Files.exists(marker)) Files.writeString(marker, "abort requested by the dashboard, pid " + ProcessHandle.current().pid() + "\n");
    ObjectNode o = Json.object();
    o.put("run", id);
    o.put("abortRequested", true);
    return o;
  }

  /**
   * Streams the run's journal as server-sent events from document {@code fromSeq} on: every complete line as one
   * {@code message} event (its id the line's seq), then an {@code end} event once the run has a stop document and no
   * live writer. Returns when the run ended, the client went away, or {@code closing} says so.
   */
  void stream(HttpExchange ex, String id, long fromSeq, BooleanSupplier closing) throws IOException {
    checkRun(id);
    // A stop document ends the stream once nobody writes the journal any more (a resume would continue it).
    LineTail.serve(ex, streams, "close another page's run view", dir.journal(id), fromSeq, closing,
        t -> t.lastLineStartsWith(STOP_PREFIX) && !dir.isLive(id));
  }

  private static final byte[] STOP_PREFIX = "{\"type\":\"stop\"".getBytes(StandardCharsets.UTF_8);

  /** The procedures the page may start, with their default parameters. */
  static ObjectNode procedures() {
    ObjectNode o = Json.object();
    for (String name : org.rramctl.procedure.Procedures.names()) o.set(name, org.rramctl.procedure.Procedures.defaults(name));
    return o;
  }

  /** A request body as a JSON object of parameters. */
  static ObjectNode parameters(byte[] body) {
    if (body.length == 0) return Json.object();
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw HttpError.badRequest("body: not JSON (expected: an object of parameter names to values, e.g. {\"cells\":\"0,0-3\"})");
    }
    if (!(n instanceof ObjectNode o)) throw HttpError.badRequest("body: " + Query.clip(n.toString()) + " (expected: a JSON object of parameter names to values)");
    return o;
  }
}
