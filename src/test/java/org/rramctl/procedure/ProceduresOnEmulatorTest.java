package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopeViolationException;
import org.rramctl.journal.Journal;
import org.rramctl.journal.RunStatus;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/** Every procedure end to end on the emulator, checked against what the emulator knows about its devices. */
class ProceduresOnEmulatorTest {
  @TempDir Path dir;
  private final java.util.List<Bench> benches = new java.util.ArrayList<>();

  /** The board under test: the emulator in-process here; subclasses put a wire in between. */
  protected Bench open(DevicePreset preset, int rows, int cols) throws Exception {
    return new Bench(preset, rows, cols, dir);
  }

  private Bench bench(DevicePreset preset, int rows, int cols) throws Exception {
    Bench b = open(preset, rows, cols);
    benches.add(b);
    return b;
  }

  @org.junit.jupiter.api.AfterEach
  void closeBenches() {
    for (Bench b : benches) b.close();
  }

  private static ObjectNode params(String json) throws Exception {
    return (ObjectNode) org.rramctl.journal.Json.MAPPER.readTree(json.replace('\'', '"'));
  }

  @Test
  void pulseResponseOfTheIdealDeviceMatchesTheClosedForm() throws Exception {
    Bench b = bench(DevicePreset.named("ideal"), 2, 2);
    Runner.Outcome o = b.runner.run(Procedures.of("pulse-response", params("{'cells':'0,0-1','pulses':50,'cycles':2}")));
    assertEquals(RunStatus.SUCCESS, o.status(), o.reason());
    List<ObjectNode> events = b.journal(o).events();
    assertEquals(2 * 2 * (1 + 2 * 50), events.size());
    for (ObjectNode e : events) {
      Cell c = Cell.active(0, e.get("row").asInt(), e.get("col").asInt());
      EmulatorDriver.DeviceParams p = b.truth.params(c);
      int cycle = e.get("cycle").asInt();
      int pulse = e.get("pulse").asInt();
      // Closed form w_n = b - (b - w_0)(1 - a/b)^n, up with (a_up, b_max), down with (-a_down, b_min); every cycle starts where the last ended.
      double w = 0;
      for (int k = 0; k <= cycle; k++) {
        int ups = k < cycle ? 50 : Math.min(pulse, 50);
        int downs = k < cycle ? 50 : Math.max(0, pulse - 50);
        w = p.bMax() - (p.bMax() - w) * Math.pow(1 - p.aUp() / p.bMax(), ups);
        w = p.bMin() - (p.bMin() - w) * Math.pow(1 + p.aDown() / p.bMin(), downs);
      }
      assertEquals(b.siemens(c, w), e.get("g").asDouble(), Bench.LSB, "event " + e);
    }
    JsonNode first = o.summary().get("cells").get(0);
    assertEquals(0.001 * 49.5e-6, first.get("firstUpStepSiemens").asDouble(), 2 * Bench.LSB);
    assertEquals(200, o.summary().get("pulses").asInt() / 2);
  }

  @Test
  void readStatisticsMeasuresTheReadNoiseAndTheStepPerPulse() throws Exception {
    double readNoise = 0.002; // weight units
    Bench b = bench(DevicePreset.named("ideal").withNoise(0, readNoise, 0), 1, 1);
    Runner.Outcome o = b.runner.run(Procedures.of("read-statistics", params("{'cells':'0,0','reads':400,'stepPulses':20}")));
    assertEquals(RunStatus.SUCCESS, o.status(), o.reason());
    JsonNode cell = o.summary().get("cells").get(0);
    double gPerW = b.truth.siemensPerWeight(Cell.active(0, 0, 0));
    // Sample std of 400 Gaussian reads: standard error about 3.5 %.
    assertEquals(readNoise * gPerW, cell.get("stdSiemens").asDouble(), 0.12 * readNoise * gPerW);
    double step = (1 - Math.pow(0.999, 20)) * gPerW / 20; // 20 nominal pulses from w = 0
    assertEquals(step, cell.get("stepPerPulseSiemens").asDouble(), 0.05 * step);
    assertEquals(readNoise * gPerW / step, cell.get("noiseToStep").asDouble(), 0.2 * readNoise * gPerW / step);
    assertEquals(800, o.events());
  }

  @Test
  void retentionFollowsALogScheduleOfAnHourWithoutWaiting() throws Exception {
    Bench b = bench(DevicePreset.named("ideal"), 1, 2);
    Cell c = Cell.active(0, 0, 1);
    b.truth.setWeight(c, 0.4);
    FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    Runner.Outcome o = b.runner.clock(clock).run(Procedures.of("retention", params("{'cells':'0,1','duration':'1h','schedule':'log','points':13,'first':'1s'}")));
    assertEquals(RunStatus.SUCCESS, o.status(), o.reason());
    List<ObjectNode> events = b.journal(o).events();
    assertEquals(13, events.size());
    assertEquals(0.0, events.get(0).get("scheduled").asDouble());
    double ratio = Math.pow(3600, 1.0 / 11);
    for (int i = 1; i < 13; i++) {
      double t = events.get(i).get("scheduled").asDouble();
      assertEquals(Math.pow(ratio, i - 1), t, 1e-3, "point " + i);
      assertEquals(t, events.get(i).get("elapsed").asDouble(), 1e-9, "read on time");
      assertEquals(b.siemens(c, 0.4), events.get(i).get("g").asDouble(), Bench.LSB, "the ideal device does not drift");
    }
    assertEquals(Instant.parse("2026-01-01T01:00:00Z"), clock.now());
  }

  @Test
  void retentionOnAFixedIntervalReadsEveryInterval() throws Exception {
    Bench b = bench(DevicePreset.named("ideal"), 1, 1);
    b.runner.clock(new FakeClock(Instant.parse("2026-01-01T00:00:00Z")));
    Runner.Outcome o = b.runner.run(Procedures.of("retention", params("{'schedule':'fixed','duration':'10min','interval':'1min'}")));
    List<ObjectNode> events = b.journal(o).events();
    assertEquals(11, events.size());
    for (int i = 0; i < 11; i++) assertEquals(60.0 * i, events.get(i).get("elapsed").asDouble(), 1e-9);
  }

  @Test
  void aResumedRetentionRunRecordsThePointsItMissedAndKeepsToItsSchedule() throws Exception {
    Bench b = bench(DevicePreset.named("ideal"), 1, 1);
    FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    b.runner.clock(clock);
    b.runner.sink((type, doc, json) -> {
      double t = doc.path("data").path("elapsed").asDouble();
      if (type.equals("event") && t >= 6.0 && t < 6.4) b.runner.abort("test: stopped at 6 s");
    });
    Runner.Outcome first = b.runner.run(Procedures.of("retention", params("{'schedule':'fixed','duration':'20s','interval':'500ms'}")));
    assertEquals(RunStatus.ABORTED, first.status(), first.reason());
    clock.sleepUntil(Instant.parse("2026-01-01T00:00:10.250Z")); // down for about 4 s
    Runner.Outcome o = b.runner.resume(first.runId());
    assertEquals(RunStatus.SUCCESS, o.status(), o.reason());
    List<ObjectNode> events = b.journal(o).events();
    assertEquals(41, events.size(), "one event per point, read or missed");
    for (int i = 0; i < 41; i++) {
      ObjectNode e = events.get(i);
      assertEquals(i, e.get("point").asInt());
      double scheduled = 0.5 * i;
      if (i > 12 && i <= 20) {
        assertTrue(e.get("missed").asBoolean(), "point " + i + " was due while the run was down: " + e);
        assertEquals(10.25 - scheduled, e.get("gapSeconds").asDouble(), 1e-9);
        assertTrue(!e.has("g"), e.toString());
      } else {
        assertTrue(!e.has("missed"), e.toString());
        assertEquals(scheduled, e.get("elapsed").asDouble(), 1e-9, "point " + i + " read on its schedule");
      }
    }
    assertEquals(8, o.summary().get("missedPoints").asInt(), o.summary().toString());
    assertEquals(33, o.summary().get("cells").get(0).get("reads").asInt());
  }

  @Test
  void programToTargetReachesEveryDeviceWithinTheTolerance() throws Exception {
    Bench b = bench(DevicePreset.named("ideal"), 2, 2);
    Runner.Outcome o = b.runner.run(Procedures.of("program", params("{'cells':'0-1,0-1','targetSiemens':7e-5,'toleranceSiemens':2e-7,'maxPulses':5000}")));
    assertEquals(RunStatus.SUCCESS, o.status(), o.reason());
    assertEquals(4, o.summary().get("reached").asInt(), o.summary().toString());
    for (int k = 0; k < 4; k++) {
      Cell c = Cell.active(0, k / 2, k % 2);
      assertEquals(7e-5, b.truth.conductance(c), 2e-7 + Bench.LSB, c.toString());
      int pulses = o.summary().get("cells").get(k).get("pulses").asInt();
      assertTrue(pulses > 300 && pulses < 5000, "pulses " + pulses);
    }
  }

  @Test
  void programToTargetStopsAtThePulseBudgetAndSaysSo() throws Exception {
    Bench b = bench(DevicePreset.named("ideal"), 1, 1);
    Runner.Outcome o = b.runner.run(Procedures.of("program", params("{'targetSiemens':9e-5,'maxPulses':3}")));
    JsonNode cell = o.summary().get("cells").get(0);
    assertEquals(RunStatus.SUCCESS, o.status());
    assertFalse(cell.get("reached").asBoolean());
    assertEquals(3, cell.get("pulses").asInt());
    assertEquals(3, b.emulator.status().pulsesApplied());
  }

  @Test
  void pulsedSweepFindsTheSwitchingThresholdOfThePreset() throws Exception {
    Bench b = bench(DevicePreset.named("ideal"), 1, 2);
    Runner.Outcome o = b.runner.run(Procedures.of("sweep", params("{'cells':'0,0-1','from':'0.1','to':'1.5','steps':15,'pulsesPerStep':10}")));
    assertEquals(RunStatus.SUCCESS, o.status(), o.reason());
    double vth = b.emulator.preset().thresholdVolts();
    for (JsonNode cell : o.summary().get("cells")) {
      double first = cell.get("firstMovingAmplitudeVolts").asDouble();
      assertTrue(first > vth && first - 0.1 <= vth + 1e-9, "first moving amplitude " + first + " V, threshold " + vth + " V");
      assertEquals(15, cell.get("lastStep").asInt());
    }
    for (ObjectNode e : b.journal(o).events()) {
      if (e.get("step").asInt() > 0 && e.get("amplitudeVolts").asDouble() <= vth) assertEquals(0.0, e.get("dg").asDouble(), "no change below threshold: " + e);
    }
  }

  @Test
  void pulsedSweepStopsADeviceAtTheConductanceThreshold() throws Exception {
    Bench b = bench(DevicePreset.named("ideal"), 1, 1);
    Runner.Outcome o = b.runner.run(Procedures.of("sweep", params("{'sweep':'width','from':'100ns','to':'2us','steps':20,'pulsesPerStep':20,'stopSiemens':5.5e-5}")));
    List<ObjectNode> events = b.journal(o).events();
    ObjectNode last = events.get(events.size() - 1);
    assertTrue(last.get("stopped").asBoolean());
    assertTrue(last.get("step").asInt() < 20, "stopped early at step " + last.get("step"));
    assertTrue(b.truth.conductance(Cell.active(0, 0, 0)) >= 5.5e-5 - Bench.LSB);
    assertTrue(events.get(events.size() - 2).get("g").asDouble() < 5.5e-5);
  }

  @Test
  void arrayMapReadsWhatTheEmulatorHolds() throws Exception {
    Bench b = bench(DevicePreset.named("ideal"), 4, 5);
    for (int k = 0; k < 20; k++) b.truth.setWeight(Cell.active(0, k / 5, k % 5), -0.9 + 0.09 * k);
    Runner.Outcome o = b.runner.run(Procedures.of("map"));
    List<ObjectNode> events = b.journal(o).events();
    assertEquals(20, events.size());
    for (ObjectNode e : events) {
      Cell c = Cell.active(0, e.get("row").asInt(), e.get("col").asInt());
      assertEquals(b.truth.conductance(c), e.get("g").asDouble(), Bench.LSB, c.toString());
    }
    assertEquals(4, o.summary().get("rows").asInt());
  }

  @Test
  void aSweepBeyondTheEnvelopeIsRefusedBeforeTheFirstPulseAndCreatesNoRun() throws Exception {
    Bench b = bench(DevicePreset.named("ideal"), 1, 1);
    Procedure p = Procedures.of("sweep", params("{'from':'0.5','to':'5.0','steps':10}"));
    EnvelopeViolationException e = assertThrows(EnvelopeViolationException.class, () -> b.runner.run(p));
    assertEquals("pulse amplitude", e.limit());
    assertEquals(0, b.emulator.status().pulsesApplied());
    assertTrue(!Files.exists(dir) || b.runs.runIds().isEmpty());
  }

  @Test
  void aTypoInTheParametersIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Procedures.of("pulse-response", params("{'pulse':5}")));
    assertTrue(e.getMessage().startsWith("pulse-response parameter: 'pulse' (expected: one of cells, pulses,"), e.getMessage());
    IllegalArgumentException neg = assertThrows(IllegalArgumentException.class, () -> Procedures.of("pulse-response", params("{'pulses':0}")));
    assertEquals("pulse-response pulses: 0 (expected: 1 .. 1000000)", neg.getMessage());
  }

  @Test
  void anAbortedRunResumesWhereItStoppedAndCompletesEveryUnitOnce() throws Exception {
    Bench b = bench(DevicePreset.named("ideal"), 2, 2);
    int[] seen = {0};
    b.runner.sink((type, doc, json) -> {
      if (type.equals("event") && ++seen[0] == 150) b.runner.abort("test abort");
    });
    Runner.Outcome first = b.runner.run(Procedures.of("pulse-response", params("{'cells':'0-1,0-1','pulses':20,'cycles':2}")));
    assertEquals(RunStatus.ABORTED, first.status());
    assertTrue(first.outputsIdle());
    assertEquals("test abort", first.reason());
    Runner.Outcome second = b.runner.resume(first.runId());
    assertEquals(RunStatus.SUCCESS, second.status(), second.reason());
    Journal j = Journal.read(second.journal());
    assertEquals(8, j.completedUnits().cardinality());
    long resumes = j.documents().stream().filter(d -> d.get("type").asText().equals("resume")).count();
    assertEquals(1, resumes);
    // 150 events before the abort: units 0..2 done (41 events each = 123), unit 3 cut after 27 and redone from
    // its start: those 27 stay in the journal, superseded, and count nowhere else.
    assertEquals(8 * 41, j.events().size());
    assertEquals(27, j.supersededSeqs().size());
    assertEquals(150 + 5 * 41, j.allEvents().size());
    ObjectNode resume = j.documents().stream().filter(d -> d.get("type").asText().equals("resume")).findFirst().orElseThrow();
    assertEquals(27, resume.path("superseded").path("events").asInt(), resume.toString());
    assertEquals(27, j.stop().orElseThrow().path("supersededEvents").asInt());
    assertEquals(8 * 40, second.summary().path("pulses").asInt(), "the summary counts the completed attempt only");
  }
}
