package org.rramctl.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The runs directory (default {@code ./runs}): one journal {@code RUN.jsonl} per run, an abort marker
 * {@code RUN.abort} while someone asks a run to stop, and a lock file {@code .locks/RUN.lock} per run. A run
 * is live while its writer holds that lock ({@link RunLock}: one writer per run, for the writer's whole
 * life); a journal without a stop document and without a live writer belongs to a process that died.
 */
public final class RunDirectory {
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final Path dir;

  public RunDirectory(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return dir;
  }

  /** Creates the directory if needed. */
  public RunDirectory ensureExists() throws IOException {
    Files.createDirectories(dir);
    return this;
  }

  public Path journal(String runId) {
    return dir.resolve(runId + ".jsonl");
  }

  /** The run's lock file: held by its one writer (the run, a resume of it, or the recovery marking it). */
  public Path lockFile(String runId) {
    return dir.resolve(".locks").resolve(runId + ".lock");
  }

  /**
   * Takes the run's writer lock.
   *
   * @throws RunLock.LockedException naming the process that holds it (a live run or another resume)
   */
  public RunLock lock(String runId) throws IOException {
    return RunLock.acquire(lockFile(runId), "run " + runId);
  }

  public Path abortMarker(String runId) {
    return dir.resolve(runId + ".abort");
  }

  /** A fresh id: UTC start time, procedure and four random hex digits, so ids sort by time. */
  public static String newRunId(String procedure, Instant now) {
    return ID_TIME.format(now) + "-" + procedure + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
  }

  /** Run ids of every journal here, oldest first. */
  public List<String> runIds() throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      // Only files: a folder that happens to be named x.jsonl is not a run (and must not break every command).
      return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jsonl"))
          .map(n -> n.substring(0, n.length() - 6)).sorted().toList();
    }
  }

  /**
   * Resolves a run id or a unique part of one (its random suffix, its procedure, ...) (or {@code last} for the newest run).
   *
   * @throws IllegalArgumentException naming the text and what exists
   */
  public String resolve(String idOrPrefix) throws IOException {
    List<String> ids = runIds();
    if ("last".equals(idOrPrefix) && !ids.isEmpty()) return ids.get(ids.size() - 1);
    if (ids.contains(idOrPrefix)) return idOrPrefix;
    List<String> matches = ids.stream().filter(i -> i.contains(idOrPrefix)).toList();
    if (matches.size() == 1) return matches.get(0);
    throw new IllegalArgumentException("run: '" + idOrPrefix + "' (expected: a run id in " + dir + "; " + matches.size()
        + " match" + (matches.isEmpty() ? "; see 'rramctl runs list'" : ": " + String.join(", ", matches)) + ")");
  }

  /**
   * True while some process (this one included) holds the run's lock. The kernel releases the lock when that
   * process dies, whatever killed it, so this never mistakes a dead run for a live one (unlike a pid check,
   * which is fooled by pid reuse), and the lock lives in its own file, so nothing the run does to its journal
   * (reading it back for a summary) can release it early.
   */
  public boolean isLive(String runId) throws IOException {
    return RunLock.isHeld(lockFile(runId));
  }

  /** Bytes read from a journal's end to find its last line without reading the whole file. */
  static final int TAIL_BYTES = 64 * 1024;

  /**
   * True when the file's last line is complete and a stop document (every document starts with its
   * type), judged from the last {@link #TAIL_BYTES}; false when unsure, so the caller reads it all.
   */
  static boolean endsWithStop(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      int n = (int) Math.min(size, TAIL_BYTES);
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(n);
      while (buf.hasRemaining() && ch.read(buf, size - n + buf.position()) > 0) {
        // read the tail fully
      }
      byte[] b = buf.array();
      if (n == 0 || b[n - 1] != '\n') return false;
      int start = n - 2;
      while (start >= 0 && b[start] != '\n') start--;
      if (start < 0 && size > n) return false; // the last line is longer than the tail
      byte[] prefix = "{\"type\":\"stop\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      int from = start + 1;
      if (n - from < prefix.length) return false;
      for (int i = 0; i < prefix.length; i++) if (b[from + i] != prefix[i]) return false;
      return true;
    } catch (NoSuchFileException e) {
      return true; // gone: nothing to recover
    }
  }

  /** A run as listed: its journal, and its status with a live run's RUNNING and a dead one's INTERRUPTED. */
  public record Entry(String runId, Journal journal, RunStatus status) {}

  /** Reads one run. */
  public Entry entry(String runId) throws IOException {
    Journal j = Journal.read(journal(runId));
    RunStatus s = j.stoppedStatus().orElse(null);
    if (s == null) s = isLive(runId) ? RunStatus.RUNNING : RunStatus.INTERRUPTED;
    return new Entry(runId, j, s);
  }

  /**
   * Finds runs whose process died without a stop document and ends each with a stop document of status
   * {@code interrupted}, after cutting a torn tail (an unacknowledged, partly written line) that the stop
   * document then reports. Data up to the last complete event stays as it was.
   *
   * @return one line per run marked
   */
  public List<String> recover(java.util.function.Supplier<Instant> clock) throws IOException {
    List<String> marked = new ArrayList<>();
    for (String id : runIds()) {
      if (endsWithStop(journal(id))) continue;
      Journal j;
      try {
        j = Journal.read(journal(id));
      } catch (JournalCorruptException e) {
        continue; // damaged beyond a torn tail: leave it for a human; runs show reports it
      }
      if (j.stop().isPresent() || isLive(id)) continue;
      RunLock lock;
      try {
        lock = lock(id);
      } catch (RunLock.LockedException e) {
        continue; // a writer (a resume) took it between the two checks
      }
      try (lock; JournalWriter w = JournalWriter.reopen(journal(id), Durability.FORCE, -1)) {
        j = Journal.read(journal(id)); // again, under the lock
        // No start document: it died before the run existed; nothing to mark.
        if (j.stop().isPresent() || j.documents().isEmpty()) continue;
        w.truncate(j.cleanLength());
        ObjectNode extra = Json.object();
        if (j.tornTail() != null) {
          extra.put("tornTailBytes", j.tornTail().length());
          extra.put("tornTailOffset", j.tornTail().offset());
        }
        long lastSeq = j.documents().get(j.documents().size() - 1).path("seq").asLong();
        long pid = j.start().get().path("pid").asLong(-1);
        extra.put("lastSeq", lastSeq);
        RunRecorder.attach(w, j, clock).stop(RunStatus.INTERRUPTED,
            "process " + pid + " ended without a stop document (killed or crashed); data intact up to seq " + lastSeq, extra);
        marked.add("run " + id + ": marked interrupted (process " + pid + " is gone; " + j.events().size() + " events kept"
            + (j.tornTail() == null ? ")" : "; dropped a torn last line of " + j.tornTail().length() + " bytes)"));
      }
    }
    return marked;
  }
}
