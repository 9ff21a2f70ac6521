package org.rramctl.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
  @TempDir Path tmp;

  private final Supplier<Instant> clock = () -> Instant.parse("2026-01-01T00:00:00Z");

  private RunRecorder startRun(RunDirectory dir, String id, Durability d) throws Exception {
    ObjectNode start = Json.object();
    start.put("procedure", "test");
    start.put("pid", ProcessHandle.current().pid());
    return RunRecorder.start(dir.ensureExists(), id, start, d, clock, List.of());
  }

  private static ObjectNode data(int i) {
    ObjectNode o = Json.object();
    o.put("i", i);
    o.put("g", 1e-6 * i);
    return o;
  }

  @Test
  void aFinishedRunReadsBackWithEveryDocumentInOrder() throws Exception {
    RunDirectory dir = new RunDirectory(tmp);
    for (Durability d : Durability.values()) {
      try (RunRecorder r = startRun(dir, "run-" + d.json(), d)) {
        for (int i = 0; i < 5; i++) r.event(data(i));
        r.progress(0, 1);
        r.stop(RunStatus.SUCCESS, null, null);
      }
      Journal j = Journal.read(dir.journal("run-" + d.json()));
      assertEquals(8, j.documents().size());
      assertNull(j.tornTail());
      assertEquals(5, j.events().size());
      assertEquals(3, j.events().get(3).get("i").asInt());
      assertEquals(RunStatus.SUCCESS, j.stoppedStatus().orElseThrow());
      assertEquals("test", j.procedure());
      assertEquals(RunStatus.SUCCESS, dir.entry("run-" + d.json()).status());
    }
  }

  @Test
  void aTornLastLineIsReportedAndNeverTakenAsData() throws Exception {
    RunDirectory dir = new RunDirectory(tmp);
    try (RunRecorder r = startRun(dir, "torn", Durability.FLUSH)) {
      r.event(data(1));
    }
    Files.write(dir.journal("torn"), "{\"type\":\"event\",\"seq\":2,\"run\":\"torn\",\"data\":{\"i\":2,\"g\":2.0e".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
    Journal j = Journal.read(dir.journal("torn"));
    assertEquals(2, j.documents().size());
    assertEquals(1, j.events().size());
    assertEquals(Files.size(dir.journal("torn")) - j.tornTail().length(), j.tornTail().offset());
    assertTrue(j.tornTail().toString().startsWith("torn last line at byte " + j.tornTail().offset()), j.tornTail().toString());
  }

  @Test
  void aDamagedCompleteLineIsAnErrorNamingTheLine() throws Exception {
    RunDirectory dir = new RunDirectory(tmp);
    try (RunRecorder r = startRun(dir, "bad", Durability.FLUSH)) {
      r.event(data(1));
      r.event(data(2));
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(dir.journal("bad")));
    lines.set(1, lines.get(1).substring(0, 20));
    Files.write(dir.journal("bad"), lines);
    JournalCorruptException e = assertThrows(JournalCorruptException.class, () -> Journal.read(dir.journal("bad")));
    assertEquals(2, e.line());
    lines.remove(1);
    Files.write(dir.journal("bad"), lines);
    JournalCorruptException gap = assertThrows(JournalCorruptException.class, () -> Journal.read(dir.journal("bad")));
    assertTrue(gap.getMessage().contains("seq: 2 (expected: 1; documents missing or reordered)"), gap.getMessage());
  }

  @Test
  void aRunWhoseWriterIsGoneIsMarkedInterruptedWithItsDataIntactAndTheTornTailDropped() throws Exception {
    RunDirectory dir = new RunDirectory(tmp);
    try (RunRecorder r = startRun(dir, "dead", Durability.FLUSH)) {
      for (int i = 0; i < 3; i++) r.event(data(i));
    } // closed without a stop document: the lock is gone, as after kill -9
    Files.write(dir.journal("dead"), "{\"type\":\"ev".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    assertEquals(RunStatus.INTERRUPTED, dir.entry("dead").status());
    List<String> marked = dir.recover(clock);
    assertEquals(List.of("run dead: marked interrupted (process " + ProcessHandle.current().pid() + " is gone; 3 events kept; dropped a torn last line of 11 bytes)"), marked);
    Journal j = Journal.read(dir.journal("dead"));
    assertNull(j.tornTail());
    assertEquals(3, j.events().size());
    ObjectNode stop = j.stop().orElseThrow();
    assertEquals("interrupted", stop.get("status").asText());
    assertEquals(11, stop.get("tornTailBytes").asInt());
    assertEquals(3, stop.get("lastSeq").asInt());
    assertEquals(List.of(), dir.recover(clock), "marked once");
  }

  @Test
  void aLiveRunIsNeitherMarkedNorReopened() throws Exception {
    RunDirectory dir = new RunDirectory(tmp);
    try (RunRecorder r = startRun(dir, "live", Durability.FLUSH)) {
      r.event(data(0));
      assertTrue(dir.isLive("live"));
      assertEquals(RunStatus.RUNNING, dir.entry("live").status());
      assertEquals(List.of(), dir.recover(clock));
      RunLock.LockedException e = assertThrows(RunLock.LockedException.class, () -> dir.lock("live"));
      assertEquals("run live: in use by this process (run live) (expected: one writer at a time; wait for it to end, or stop it)", e.getMessage());
      r.stop(RunStatus.SUCCESS, null, null);
    }
    assertFalse(dir.isLive("live"));
  }

  @Test
  void runIdsResolveByUniquePrefixOrSuffix() throws Exception {
    RunDirectory dir = new RunDirectory(tmp);
    for (String id : List.of("20260101-000000-map-aaaa", "20260101-000001-map-bbbb")) startRun(dir, id, Durability.FLUSH).close();
    assertEquals("20260101-000001-map-bbbb", dir.resolve("bbbb"));
    assertEquals("20260101-000001-map-bbbb", dir.resolve("last"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dir.resolve("2026"));
    assertTrue(e.getMessage().contains("2 match: 20260101-000000-map-aaaa, 20260101-000001-map-bbbb"), e.getMessage());
  }
}
