package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.arc1.Arc1Driver;
import org.rramctl.driver.arc1.Arc1Wire;
import org.rramctl.journal.Journal;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunStatus;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.arc1.VirtualArc1;

/**
 * form and iv on an ArC ONE (issue 18): the {@code arc1:} driver over jSerialComm on a real pty, the virtual ArC ONE at the
 * far end running its CurveTracer job on the emulated devices. They find what they find in process on the same devices;
 * what the ArC ONE cannot do is refused before a byte is sent or a run is written; an abort part-way leaves the board
 * between commands and the driver usable, and the run resumes to completion.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FirstDayOnArc1Test {
  private static final DevicePreset PRESET = DevicePreset.named("hfox-pristine");

  @TempDir Path dir;

  private static ObjectNode params(String json) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(json.replace('\'', '"'));
  }

  /** Commands the virtual board completed, by command code. */
  private static Map<String, AtomicInteger> count(VirtualArc1 board) {
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    board.onExchange(x -> seen.computeIfAbsent(x.code(), k -> new AtomicInteger()).incrementAndGet());
    return seen;
  }

  private static int jobs(Map<String, AtomicInteger> seen) {
    AtomicInteger n = seen.get(Arc1Wire.CURVE_TRACER);
    return n == null ? 0 : n.get();
  }

  @Test
  void formAndIvOverThePtyFindWhatTheyFindInProcessEachLoopOneCurveTracerJob() throws Exception {
    VirtualArc1 board = new VirtualArc1(PRESET, 1, 2, 3);
    Map<String, AtomicInteger> seen = count(board);
    try (Bench here = new Bench(PRESET, 1, 2, Files.createDirectories(dir.resolve("here")));
        Bench there = Bench.overArc1(board, 1, 2, Files.createDirectories(dir.resolve("there")))) {
      assertInstanceOf(Arc1Driver.class, there.driver.inner(), "the procedures drive the ArC ONE driver");
      assertTrue(there.driver.info().supportsNatively(Capability.SOURCE_MEASURE) && there.driver.info().supportsNatively(Capability.SWEEP));
      FirstDayComparison.formAndIvFindTheSame(here, there, "on the ArC ONE", 0);
      // form: one one-point job per level (and a read after it); iv: one job per loop (2 devices x 2 cycles).
      int formLevels = events(there, "form").size();
      assertEquals(formLevels + 4, jobs(seen), "one CurveTracer job per forming level, one per I-V loop");
      // Point for point, the same currents (to the float32 resistance the board answers).
      List<ObjectNode> a = events(here, "iv");
      List<ObjectNode> b = events(there, "iv");
      assertEquals(a.size(), b.size(), "iv points");
      for (int k = 0; k < a.size(); k++) {
        assertEquals(a.get(k).get("volts").asDouble(), b.get(k).get("volts").asDouble(), 0, "point " + k);
        double amps = a.get(k).get("amps").asDouble();
        assertEquals(amps, b.get(k).get("amps").asDouble(), 1e-6 * Math.abs(amps), "point " + k + " at " + a.get(k).get("volts") + " V");
      }
      assertTrue(board.errors().isEmpty(), "no protocol error on the board: " + board.errors());
    }
  }

  private static List<ObjectNode> events(Bench b, String procedure) throws Exception {
    String id = b.runs.runIds().stream().filter(r -> r.contains("-" + procedure + "-")).findFirst().orElseThrow();
    return Journal.read(b.runs.journal(id)).events();
  }

  @Test
  void whatTheArcOneCannotDoIsRefusedBeforeAByteIsSentOrARunWritten() throws Exception {
    VirtualArc1 board = new VirtualArc1(PRESET, 1, 3, 3);
    Map<String, AtomicInteger> seen = count(board);
    try (Bench b = Bench.overArc1(board, 1, 3, Files.createDirectories(dir.resolve("refused")))) {
      int before = seen.values().stream().mapToInt(AtomicInteger::get).sum();
      String[][] refused = {
          {"iv", "{'complianceAmps':5e-6}", "current compliance: 5 uA (allowed: whole microamperes from 11 uA to 1000 uA on the ArC ONE"},
          {"iv", "{'complianceAmps':0.002}", "current compliance: 2000 uA (allowed: whole microamperes from 11 uA to 1000 uA on the ArC ONE"},
          {"iv", "{'complianceAmps':1.55e-5}", "current compliance: 15.5 uA (allowed: whole microamperes"},
          {"iv", "{'step':'20us'}", "source duration: 20us (allowed: whole microseconds from 30 us to 10 s on the ArC ONE"},
          {"iv", "{'mode':'pulsed','off':'1500ns'}", "sweep off time: 1.500us (allowed: whole microseconds from 1 us to 10 s on the ArC ONE"},
          {"form", "{'width':'10us'}", "source duration: 10us (allowed: whole microseconds from 30 us to 10 s on the ArC ONE"},
          {"form", "{'maxComplianceAmps':0.0016}", "current compliance: 1600 uA (allowed: whole microamperes from 11 uA to 1000 uA on the ArC ONE"},
      };
      for (String[] r : refused) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> b.runner.run(Procedures.of(r[0], params(r[1]))), r[1]);
        assertTrue(x.getMessage().startsWith(r[2]), r[0] + " " + r[1] + ": " + x.getMessage());
      }
      assertEquals(before, seen.values().stream().mapToInt(AtomicInteger::get).sum(), "nothing sent for the refused runs");
      assertEquals(List.of(), b.runs.runIds(), "no run written");
      // What it can do runs: the compliance limits themselves, on a formed device.
      assertEquals(RunStatus.SUCCESS, b.runner.run(Procedures.of("form", params("{'cells':'0,0','complianceAmps':1.1e-5,'maxComplianceAmps':1e-3,'complianceFactor':3}"))).status());
      Runner.Outcome iv = b.runner.run(Procedures.of("iv", params("{'cells':'0,0','cycles':1,'complianceAmps':1e-3,'step':'30us'}")));
      assertEquals(RunStatus.SUCCESS, iv.status(), iv.reason());
    }
  }

  @Test
  void thePulseBasedProceduresRunOnTheArcOneWithTheirDefaultRampsAndWholeMicrosecondPulses() throws Exception {
    // switch-seek's default ramp reaches 0.1 + 0.2 V = 0.30000000000000004 V: it must go out as 0.300000, not fail the run.
    try (Bench b = Bench.overArc1(DevicePreset.named("rram-imbalanced"), 1, 3, Files.createDirectories(dir.resolve("pulses")))) {
      Runner.Outcome s = b.runner.run(Procedures.of("switch-seek", params("{'cells':'0,1','width':'100us'}")));
      assertEquals(RunStatus.SUCCESS, s.status(), s.reason());
      assertEquals("up", s.summary().get("cells").get(0).get("setPolarity").asText(), s.summary().toString());
      Runner.Outcome e = b.runner.run(Procedures.of("endurance", params("{'cells':'0,0','cycles':10,'width':'100us'}")));
      assertEquals(RunStatus.SUCCESS, e.status(), e.reason());
      Runner.Outcome c = b.runner.run(Procedures.of("converge", params("{'cells':'0,2','targetOhms':20000,'tolerance':0.02,'width':'1us'}")));
      assertEquals(RunStatus.SUCCESS, c.status(), c.reason());
      assertEquals(1, c.summary().get("reached").asInt(), c.summary().toString());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"form", "iv"})
  void anAbortPartWayLeavesTheBoardBetweenCommandsAndTheRunResumesToCompletion(String procedure) throws Exception {
    String p = procedure.equals("form") ? "{'cells':'0,0-3'}" : "{'cells':'0,0-1','cycles':2,'complianceAmps':8e-5}";
    int cols = procedure.equals("form") ? 4 : 2;
    Runner.Outcome whole;
    int events;
    try (Bench reference = arc1(new VirtualArc1(PRESET, 1, cols, 3), procedure, "whole")) {
      whole = reference.runner.run(Procedures.of(procedure, params(p)));
      assertEquals(RunStatus.SUCCESS, whole.status(), whole.reason());
      events = Journal.read(whole.journal()).events().size();
    }
    int units = Journal.read(whole.journal()).completedUnits().cardinality();
    VirtualArc1 board = new VirtualArc1(PRESET, 1, cols, 3);
    try (Bench b = arc1(board, procedure, "resumed")) {
      int[] n = {0};
      b.runner.sink((type, doc, json) -> {
        if (type.equals("event") && ++n[0] == events / 2) b.runner.abort("test abort");
      });
      Runner.Outcome first = b.runner.run(Procedures.of(procedure, params(p)));
      assertEquals(RunStatus.ABORTED, first.status(), first.reason());
      assertTrue(first.outputsIdle(), "outputs idle after the abort");
      assertTrue(b.driver.status().outputsIdle(), "the driver is not in a command");
      synchronized (board) {
        assertTrue(board.idle(), "the board is between commands: every line grounded");
      }
      int done = Journal.read(first.journal()).completedUnits().cardinality();
      assertTrue(done > 0 && done < units, "stopped part-way: " + done + " of " + units + " units");
      assertTrue(b.driver.read(Cell.active(0, 0, 0), 0.2) > 0, "the stream is in step: the next read is answered");
      Runner.Outcome second = b.runner.resume(first.runId());
      assertEquals(RunStatus.SUCCESS, second.status(), second.reason());
      assertEquals(units, Journal.read(second.journal()).completedUnits().cardinality(), "every unit completed");
      if (procedure.equals("form")) {
        for (int k = 0; k < cols; k++) {
          assertEquals(whole.summary().get("cells").get(k).get("formingVolts").asDouble(), second.summary().get("cells").get(k).get("formingVolts").asDouble(), 0,
              "device " + k + " forms at the same level, resumed or not");
        }
      } else {
        assertEquals(4, second.summary().get("setVolts").get("n").asInt(), "a SET voltage in each of the 4 loops: " + second.summary());
      }
      assertTrue(board.errors().isEmpty(), "no protocol error on the board: " + board.errors());
    }
  }

  /** An ArC ONE bench; for iv its devices are formed first, as on a new chip. */
  private Bench arc1(VirtualArc1 board, String procedure, String name) throws Exception {
    int cols = board.devices().info().array(0).cols();
    Bench b = Bench.overArc1(board, 1, cols, Files.createDirectories(dir.resolve(name)));
    if (procedure.equals("iv")) {
      Runner.Outcome f = b.runner.run(Procedures.of("form", params("{'cells':'0,0-" + (cols - 1) + "'}")));
      assertEquals(RunStatus.SUCCESS, f.status(), f.reason());
    }
    return b;
  }
}
