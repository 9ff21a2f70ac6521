package org.rramctl.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One run's journal as read back: its documents in order and, when the file ends in a line without a
 * newline, the {@link TornTail} (reported, never taken as data).
 *
 * <p>Grammar: {@code start (event | progress)* (stop resume (event | progress)*)* stop?}. Every document
 * has {@code type}, {@code seq} (0, 1, 2, ... with no gap) and {@code run}. See LIVE-DATA.md for the fields.
 *
 * @param file the journal file
 * @param documents complete documents, in file order
 * @param tornTail the torn last line, or null when the file ends cleanly
 * @param cleanLength length in bytes of the file up to the end of the last complete line
 */
public record Journal(Path file, List<ObjectNode> documents, TornTail tornTail, long cleanLength) {
  public Journal {
    documents = List.copyOf(documents);
  }

  /**
   * Reads and checks a journal.
   *
   * @throws JournalCorruptException when a complete line is not a JSON object or breaks the sequence
   */
  public static Journal read(Path file) throws IOException {
    if (Files.isDirectory(file)) throw new IllegalArgumentException(file + ": is a folder (expected: a run journal file)");
    byte[] bytes = Files.readAllBytes(file);
    List<ObjectNode> docs = new ArrayList<>();
    int lineStart = 0;
    int lineNo = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != '\n') continue;
      lineNo++;
      docs.add(parseLine(file, lineNo, bytes, lineStart, i - lineStart, docs.size()));
      lineStart = i + 1;
    }
    TornTail torn = null;
    if (lineStart < bytes.length) {
      int len = bytes.length - lineStart;
      String preview = new String(bytes, lineStart, Math.min(len, 60), StandardCharsets.UTF_8).replace('\0', '.');
      torn = new TornTail(lineStart, len, preview);
    }
    return new Journal(file, docs, torn, lineStart);
  }

  private static ObjectNode parseLine(Path file, int lineNo, byte[] bytes, int off, int len, long expectedSeq) throws JournalCorruptException {
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(bytes, off, len);
    } catch (IOException e) {
      throw new JournalCorruptException(file, lineNo, "not a JSON document (" + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + ")");
    }
    if (!(n instanceof ObjectNode o)) throw new JournalCorruptException(file, lineNo, "not a JSON object");
    if (!o.path("type").isTextual()) throw new JournalCorruptException(file, lineNo, "no \"type\"");
    if (!o.path("seq").canConvertToLong() || o.path("seq").asLong() != expectedSeq) {
      throw new JournalCorruptException(file, lineNo, "seq: " + o.get("seq") + " (expected: " + expectedSeq + "; documents missing or reordered)");
    }
    if (expectedSeq == 0 && !"start".equals(o.get("type").asText())) {
      throw new JournalCorruptException(file, lineNo, "type: " + o.get("type") + " (expected: \"start\" first)");
    }
    return o;
  }

  /** The run id: from the start document, or the file name when the start document never made it. */
  public String runId() {
    if (!documents.isEmpty() && documents.get(0).path("run").isTextual()) return documents.get(0).get("run").asText();
    String name = file.getFileName().toString();
    return name.endsWith(".jsonl") ? name.substring(0, name.length() - 6) : name;
  }

  /** The start document, if it was written. */
  public Optional<ObjectNode> start() {
    return documents.isEmpty() ? Optional.empty() : Optional.of(documents.get(0));
  }

  /** The procedure name from the start document, or "?". */
  public String procedure() {
    return start().map(s -> s.path("procedure").asText("?")).orElse("?");
  }

  /** The parameters from the start document (an empty object when missing). */
  public ObjectNode parameters() {
    JsonNode p = start().map(s -> s.get("parameters")).orElse(null);
    return p instanceof ObjectNode o ? o : Json.object();
  }

  /** The last document when it is a stop document: the run has ended. */
  public Optional<ObjectNode> stop() {
    if (documents.isEmpty()) return Optional.empty();
    ObjectNode last = documents.get(documents.size() - 1);
    return "stop".equals(last.path("type").asText()) ? Optional.of(last) : Optional.empty();
  }

  /** The status from the stop document; empty while there is none. */
  public Optional<RunStatus> stoppedStatus() {
    return stop().map(s -> RunStatus.parse(s.path("status").asText()));
  }

  /**
   * The data of every event document that counts, in order (over all resumed segments): without the
   * {@link #supersededSeqs superseded} events of units that a segment left unfinished and a resume reran.
   */
  public List<ObjectNode> events() {
    return eventData(false);
  }

  /** The data of every event document, superseded ones included, in file order. */
  public List<ObjectNode> allEvents() {
    return eventData(true);
  }

  private List<ObjectNode> eventData(boolean all) {
    java.util.Set<Long> superseded = all ? java.util.Set.of() : supersededSeqs();
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode d : documents) {
      if ("event".equals(d.path("type").asText()) && d.get("data") instanceof ObjectNode data && !superseded.contains(d.path("seq").asLong())) out.add(data);
    }
    return out;
  }

  /**
   * Sequence numbers of superseded events: the events a segment recorded after its last progress document
   * (a unit it did not finish: killed, aborted or failed mid-unit) when a later resume ran that unit again from
   * its beginning. They stay in the journal as measured; summaries, export and plots leave them out. (Every
   * procedure runs its units one after another and records a unit's progress after its last event, so the
   * events after a segment's last progress document are exactly its unfinished unit's.)
   */
  public java.util.Set<Long> supersededSeqs() {
    java.util.Set<Long> out = new java.util.TreeSet<>();
    List<Long> open = new ArrayList<>();
    for (ObjectNode d : documents) {
      switch (d.path("type").asText()) {
        case "event" -> open.add(d.path("seq").asLong());
        case "progress" -> open.clear();
        case "resume" -> {
          out.addAll(open);
          open.clear();
        }
        default -> { }
      }
    }
    return out;
  }

  /**
   * Sequence numbers of the events after the last progress document: the unfinished unit's, which a resume of
   * this journal supersedes (and names in its resume document). Empty when the last segment ended on a unit.
   */
  public List<Long> unfinishedUnitSeqs() {
    List<Long> open = new ArrayList<>();
    for (ObjectNode d : documents) {
      switch (d.path("type").asText()) {
        case "event" -> open.add(d.path("seq").asLong());
        case "progress", "resume" -> open.clear();
        default -> { }
      }
    }
    return open;
  }

  /** Units of work recorded as complete by progress documents. */
  public java.util.BitSet completedUnits() {
    java.util.BitSet done = new java.util.BitSet();
    for (ObjectNode d : documents) if ("progress".equals(d.path("type").asText())) done.set(d.path("unit").asInt());
    return done;
  }

  /** Sequence number the next document must carry. */
  public long nextSeq() {
    return documents.size();
  }
}
