package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rramctl.journal.Journal;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunStatus;
import org.rramctl.sim.DevicePreset;

/**
 * Abort, then resume, for each first-day procedure (issue 18), as {@code ProceduresOnEmulatorTest} does for the earlier
 * ones: a run aborted half-way through its events (as many as an uninterrupted run of the same procedure on the same
 * seeded devices makes) stops with the outputs idle and part of its units done; resuming it completes every unit once,
 * in the same journal, with one resume document, and the summary covers every device (form: the same forming voltages
 * as the uninterrupted run, since a pristine device ignores the levels below its forming voltage).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FirstDayResumeTest {
  @TempDir Path dir;

  /** A first-day procedure, the devices it runs on, and what its resumed summary must show. */
  enum Case {
    FORM("form", "hfox-pristine", 4, "{'cells':'0,0-3'}", false, (s, u) -> assertEquals(4, s.get("formed").asInt(), s.toString())),
    IV("iv", "hfox-pristine", 2, "{'cells':'0,0-1','cycles':2,'complianceAmps':8e-5}", true,
        (s, u) -> assertEquals(4, s.get("setVolts").get("n").asInt(), "a SET voltage in each of the 4 loops: " + s)),
    ENDURANCE("endurance", "hfox-pristine", 3, "{'cells':'0,0-2','cycles':10}", true, (s, u) -> {
      assertEquals(3, s.get("cells").size(), s.toString());
      for (JsonNode row : s.get("cells")) assertEquals(10, row.get("cycles").asInt(), row.toString());
    }),
    // The device whose seek the abort cut was left switched part-way, so its resumed seek starts from another state;
    // the others are checked against the uninterrupted run below.
    SWITCH_SEEK("switch-seek", "rram-imbalanced", 3, "{'cells':'0,0-2'}", false, (s, u) -> assertEquals(3, s.get("cells").size(), s.toString())),
    CONVERGE("converge", "rram-imbalanced", 3, "{'cells':'0,0-2','targetOhms':20000,'tolerance':0.02}", false,
        (s, u) -> assertEquals(3, s.get("reached").asInt(), s.toString()));

    final String procedure;
    final String preset;
    final int cols;
    final String params;
    final boolean formFirst;
    final BiConsumer<JsonNode, JsonNode> resumedSummary;

    Case(String procedure, String preset, int cols, String params, boolean formFirst, BiConsumer<JsonNode, JsonNode> resumedSummary) {
      this.procedure = procedure;
      this.preset = preset;
      this.cols = cols;
      this.params = params;
      this.formFirst = formFirst;
      this.resumedSummary = resumedSummary;
    }
  }

  private static ObjectNode params(String json) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(json.replace('\'', '"'));
  }

  private Bench bench(Case c, String name) throws Exception {
    Bench b = new Bench(DevicePreset.named(c.preset), 1, c.cols, Files.createDirectories(dir.resolve(name)));
    if (c.formFirst) {
      Runner.Outcome f = b.runner.run(Procedures.of("form", params("{'cells':'0,0-" + (c.cols - 1) + "'}")));
      assertEquals(RunStatus.SUCCESS, f.status(), f.reason());
    }
    return b;
  }

  @ParameterizedTest
  @EnumSource(Case.class)
  void anAbortedRunResumesWhereItStoppedAndCompletesEveryUnitOnce(Case c) throws Exception {
    Runner.Outcome whole;
    Journal wholeJournal;
    try (Bench reference = bench(c, "whole")) {
      whole = reference.runner.run(Procedures.of(c.procedure, params(c.params)));
      assertEquals(RunStatus.SUCCESS, whole.status(), whole.reason());
      wholeJournal = Journal.read(whole.journal());
    }
    int units = wholeJournal.completedUnits().cardinality();
    int events = wholeJournal.events().size();
    assertTrue(units >= 3 && events >= 6, c + ": enough units and events to stop in between: " + units + ", " + events);
    try (Bench b = bench(c, "resumed")) {
      int[] seen = {0};
      b.runner.sink((type, doc, json) -> {
        if (type.equals("event") && ++seen[0] == events / 2) b.runner.abort("test abort");
      });
      Runner.Outcome first = b.runner.run(Procedures.of(c.procedure, params(c.params)));
      assertEquals(RunStatus.ABORTED, first.status(), first.reason());
      assertTrue(first.outputsIdle(), "outputs idle after the abort");
      int doneBefore = Journal.read(first.journal()).completedUnits().cardinality();
      assertTrue(doneBefore > 0 && doneBefore < units, c + ": stopped part-way: " + doneBefore + " of " + units + " units");
      Runner.Outcome second = b.runner.resume(first.runId());
      assertEquals(RunStatus.SUCCESS, second.status(), second.reason());
      Journal j = Journal.read(second.journal());
      assertEquals(units, j.completedUnits().cardinality(), "every unit completed");
      assertEquals(1, j.documents().stream().filter(d -> d.get("type").asText().equals("resume")).count(), "one resume document");
      assertTrue(j.allEvents().size() >= j.events().size(), "superseded events stay in the journal");
      c.resumedSummary.accept(second.summary(), whole.summary());
      if (c == Case.SWITCH_SEEK) {
        for (int k = 0; k < 3; k++) {
          if (k == doneBefore) continue; // the device the abort cut
          JsonNode a = whole.summary().get("cells").get(k);
          JsonNode r = second.summary().get("cells").get(k);
          assertEquals(a.get("setPolarity"), r.get("setPolarity"), "device " + k);
          assertEquals(a.get("setVolts"), r.get("setVolts"), "device " + k);
        }
      }
      if (c == Case.FORM) {
        for (int k = 0; k < 4; k++) {
          assertEquals(whole.summary().get("cells").get(k).get("formingVolts").asDouble(), second.summary().get("cells").get(k).get("formingVolts").asDouble(), 0,
              "device " + k + " forms at the same level, resumed or not");
        }
      }
    }
  }
}
