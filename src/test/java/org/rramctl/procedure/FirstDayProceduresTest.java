package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopeViolationException;
import org.rramctl.driver.Plane;
import org.rramctl.journal.CsvExport;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunStatus;
import org.rramctl.procedure.plot.RunPlots;
import org.rramctl.sim.DevicePreset;

/** The first-day procedures (issue 18) on the emulator, against what it knows about its devices. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FirstDayProceduresTest {
  @TempDir Path dir;
  private final List<Bench> benches = new java.util.ArrayList<>();

  protected Bench open(DevicePreset preset, int rows, int cols) throws Exception {
    return new Bench(preset, rows, cols, dir);
  }

  private Bench bench(String preset, int rows, int cols) throws Exception {
    Bench b = open(DevicePreset.named(preset), rows, cols);
    benches.add(b);
    return b;
  }

  @AfterEach
  void close() {
    for (Bench b : benches) b.close();
  }

  private static ObjectNode params(String json) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(json.replace('\'', '"'));
  }

  private static Runner.Outcome ok(Runner.Outcome o) {
    assertEquals(RunStatus.SUCCESS, o.status(), o.reason());
    return o;
  }

  /** Forms every device of a tile and its references, as README's first step does. */
  private Runner.Outcome formAll(Bench b, String cells) throws Exception {
    return ok(b.runner.run(Procedures.of("form", params("{'cells':'" + cells + "','planes':'both'}"))));
  }

  @Test
  void formFindsEachDevicesFormingVoltageAndRecordsTheDistribution() throws Exception {
    Bench b = bench("hfox-pristine", 2, 2);
    Runner.Outcome o = formAll(b, "0-1,0-1");
    JsonNode s = o.summary();
    assertEquals(8, s.get("devices").asInt(), "4 active + 4 reference devices");
    assertEquals(8, s.get("formed").asInt());
    assertEquals(8, s.get("formingVolts").get("n").asInt());
    for (JsonNode row : s.get("cells")) {
      String[] key = row.get("cell").asText().split("[ :,]");
      Cell c = new Cell(0, key[0].equals("reference") ? Plane.REFERENCE : Plane.ACTIVE, Integer.parseInt(key[2]), Integer.parseInt(key[3]));
      assertFalse(b.truth.pristine(c), c + " formed");
      // 100 us pulses: two decades above the 1 us reference width, 0.1 V per decade lower; the ramp steps 50 mV.
      double expected = b.truth.formingVolts(c) - 0.2;
      double found = row.get("formingVolts").asDouble();
      assertTrue(found >= expected - 1e-9 && found < expected + 0.05 + 1e-9, c + ": formed at " + found + " V, device forms at " + expected + " V");
      assertTrue(row.get("ohmsAfter").asDouble() < 100e3);
    }
    Path plots = dir.resolve("plots");
    assertEquals(1, RunPlots.write(b.journal(o), plots).size());
    StringWriter csv = new StringWriter();
    CsvExport.write(b.journal(o), csv);
    assertTrue(csv.toString().contains("# summary.formingVolts.mean: "), "summary statistics in the CSV header");
  }

  @Test
  void formRefusesWithoutTheSourceMeasureRoleAndBeyondTheEnvelopeBeforeAnyPulse() throws Exception {
    Bench b = bench("hfox-pristine", 1, 1);
    EnvelopeViolationException e = assertThrows(EnvelopeViolationException.class,
        () -> b.runner.run(Procedures.of("form", params("{'complianceAmps':1e-4,'maxComplianceAmps':4e-3}"))));
    assertTrue(e.getMessage().contains("compliance"), e.getMessage());
    assertThrows(EnvelopeViolationException.class, () -> b.runner.run(Procedures.of("form", params("{'toVolts':3.5}"))));
    assertTrue(b.truth.pristine(Cell.active(0, 0, 0)), "nothing reached the device");
    assertEquals(0, b.driver.status().pulsesApplied());
    // A board without the role (the serial board before the protocol has the SOURCE command) is refused with its name.
    org.rramctl.driver.CrossbarDriver noRole = new org.rramctl.driver.CrossbarDriver() {
      @Override public org.rramctl.driver.BoardInfo info() {
        org.rramctl.driver.BoardInfo i = b.emulator.info();
        return new org.rramctl.driver.BoardInfo("old-board", "an older board", "1.0", 1, i.arrays(), i.hardwareLimits(), i.adcBits(), i.gMinSiemens(), i.gMaxSiemens(),
            java.util.EnumSet.of(org.rramctl.driver.Capability.READ, org.rramctl.driver.Capability.PULSE));
      }
      @Override public double read(Cell cell, double v) { throw new AssertionError("nothing may be sent"); }
      @Override public void pulse(Cell cell, org.rramctl.driver.Pulse p, int n) { throw new AssertionError("nothing may be sent"); }
      @Override public org.rramctl.driver.DriverStatus status() { return new org.rramctl.driver.DriverStatus(true, false, 0, ""); }
      @Override public void abort() {}
      @Override public void close() {}
    };
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> new Runner(b.runs, noRole, "serial:old").run(Procedures.of("iv", params("{}"))));
    assertTrue(none.getMessage().contains("old-board") && none.getMessage().contains("source-measure"), none.getMessage());
  }

  @Test
  void ivLoopsShowSetAndResetVoltagesAndTheOnOffRatio() throws Exception {
    Bench b = bench("hfox-pristine", 1, 2);
    formAll(b, "0,0-1");
    Runner.Outcome o = ok(b.runner.run(Procedures.of("iv", params("{'cells':'0,0-1','cycles':3,'complianceAmps':8e-5}"))));
    List<ObjectNode> events = b.journal(o).events();
    int points = org.rramctl.driver.Sweep.loop(1.2, 1.2, 0.05, 1_000_000, 0, 8e-5).points();
    assertEquals(2 * 3 * points, events.size());
    for (ObjectNode e : events) assertTrue(Math.abs(e.get("amps").asDouble()) <= 8e-5 * (1 + 1e-12), "within the compliance: " + e);
    JsonNode s = o.summary();
    assertEquals(6, s.get("setVolts").get("n").asInt(), "a SET voltage in each of the 6 loops");
    assertEquals(6, s.get("resetVolts").get("n").asInt(), "a RESET voltage in each of the 6 loops");
    double set = s.get("setVolts").get("mean").asDouble();
    double reset = s.get("resetVolts").get("mean").asDouble();
    assertTrue(set > 0.5 && set < 1.2, "SET above the 0.5 V threshold: " + set);
    assertTrue(reset < -0.45 && reset > -1.2, "RESET beyond the -0.45 V threshold: " + reset);
    assertTrue(s.get("offOnRatio").get("min").asDouble() > 5, "R_off/R_on: " + s.get("offOnRatio"));
    assertEquals(6, s.get("cycles").size());
    assertEquals(1, RunPlots.write(b.journal(o), dir.resolve("plots")).size());
  }

  @Test
  void enduranceRunsCyclesAndDetectsFailure() throws Exception {
    Bench b = bench("hfox-pristine", 1, 2);
    formAll(b, "0,0-1");
    Runner.Outcome o = ok(b.runner.run(Procedures.of("endurance", params("{'cells':'0,0','cycles':30}"))));
    JsonNode row = o.summary().get("cells").get(0);
    assertEquals(30, row.get("cycles").asInt());
    assertTrue(row.get("enduranceCycles").isNull(), "no failure in 30 cycles of 1 ms, +-1 V");
    assertTrue(o.summary().get("offOnRatio").get("min").asDouble() >= 2);
    // A SET below the threshold never switches: the first cycle still starts from the LRS forming left (a good cycle),
    // then R_off/R_on stays near 1 and the device counts as worn out after three failed cycles in a row.
    Runner.Outcome f = ok(b.runner.run(Procedures.of("endurance", params("{'cells':'0,1','cycles':30,'setVolts':0.4}"))));
    JsonNode r2 = f.summary().get("cells").get(0);
    assertEquals(4, r2.get("cycles").asInt(), "stopped after three failed cycles in a row");
    assertEquals(1, r2.get("enduranceCycles").asInt());
    assertEquals(1, f.summary().get("wornOut").asInt());
    assertEquals(1, RunPlots.write(b.journal(o), dir.resolve("plots")).size());
  }

  @Test
  void switchSeekFindsTheSetPolarityAndTheThreshold() throws Exception {
    Bench b = bench("rram-imbalanced", 1, 1);
    Runner.Outcome o = ok(b.runner.run(Procedures.of("switch-seek", params("{}"))));
    JsonNode row = o.summary().get("cells").get(0);
    assertEquals("up", row.get("setPolarity").asText());
    // Threshold 0.5 V: the first amplitude above it on the 0.2 + 0.1 k ramp is 0.6 V for both polarities.
    assertEquals(0.6, row.get("setVolts").asDouble(), 1e-9);
    assertEquals(0.6, row.get("resetVolts").asDouble(), 1e-9);
  }

  @Test
  void convergeReachesTheTargetResistance() throws Exception {
    Bench b = bench("rram-imbalanced", 1, 3);
    Runner.Outcome o = ok(b.runner.run(Procedures.of("converge", params("{'cells':'0,0-2','targetOhms':20000,'tolerance':0.02}"))));
    assertEquals(3, o.summary().get("reached").asInt(), o.summary().toString());
    for (int c = 0; c < 3; c++) {
      double r = 1 / b.truth.conductance(Cell.active(0, 0, c));
      assertEquals(20000, r, 0.03 * 20000, "device 0," + c + " ends near 20 kOhm (read noise on top of the 2 % tolerance)");
    }
  }

  @Test
  void fromPristineToCalibratedOnOneCommandPerStep() throws Exception {
    // README's path at small scale: form, trace I-V, endurance, then the array-parallel calibration works.
    Bench b = bench("hfox-pristine", 2, 2);
    formAll(b, "all");
    ok(b.runner.run(Procedures.of("iv", params("{'cells':'all','cycles':1}"))));
    ok(b.runner.run(Procedures.of("endurance", params("{'cells':'all','cycles':5}"))));
    for (int k = 0; k < 4; k++) {
      Cell c = Cell.active(0, k / 2, k % 2);
      assertFalse(b.truth.pristine(c));
      assertFalse(b.truth.pristine(c.withPlane(Plane.REFERENCE)));
    }
    Files.createDirectories(dir.resolve("ok"));
  }
}
