package org.rramctl.sim.scpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopeViolationException;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.SweepResult;
import org.rramctl.driver.scpi.SmuDriver;
import org.rramctl.driver.scpi.SmuSettings;
import org.rramctl.sim.DevicePreset;

/** The SMU driver's source-measure role against the simulated 2400 and 2602B measuring a pristine hfox device. */
class SmuSourceMeasureTest {
  private static final Cell C = Cell.active(0, 0, 0);
  private static final long MS = 1_000_000;

  private static VirtualSmu smu(VirtualSmu.Model m) {
    return new VirtualSmu(m, DevicePreset.named("hfox-pristine"), 11);
  }

  @ParameterizedTest
  @EnumSource(VirtualSmu.Model.class)
  void formsThenTracesABipolarLoopWithNativeSweeps(VirtualSmu.Model m) throws Exception {
    VirtualSmu v = smu(m);
    try (SmuDriver d = SmuDriver.open(new InMemoryScpiChannel(v), SmuSettings.defaults())) {
      assertTrue(d.info().supportsNatively(Capability.SOURCE_MEASURE) && d.info().supportsNatively(Capability.SWEEP));
      SourceMeasure sm = SourceMeasure.of(d);
      assertTrue(v.device().truth().pristine(C));
      double i = sm.source(C, 2.9, MS, 1e-4);
      assertFalse(v.device().truth().pristine(C), "formed by 2.9 V for 1 ms");
      assertEquals(1e-4, Math.abs(i), 1e-9, "forming current held at the 100 uA compliance");
      int before = v.log().size();
      Sweep loop = Sweep.loop(1.2, 1.2, 0.05, MS, 0, 80e-6);
      SweepResult r = sm.sweep(C, loop);
      assertEquals(loop.points(), r.points());
      boolean compliance = false;
      for (int k = 0; k < r.points(); k++) {
        assertTrue(Math.abs(r.amps(k)) <= 80e-6 * 1.0001, "point " + k + ": " + r.amps(k) + " A within the compliance");
        compliance |= r.atCompliance(k);
      }
      assertTrue(compliance, "the SET branch reaches the compliance");
      assertTrue(v.device().truth().conductance(C) < 10e-6, "RESET at the end of the loop");
      long queries = v.log().subList(before, v.log().size()).stream().filter(l -> l.contains("READ?") || l.contains("printbuffer")).count();
      assertEquals((loop.points() + 99) / 100, queries, "one native sweep command per 100 points, not one per point");
      assertEquals(0, v.sourceLevel(0), 0, "idle after the sweep");
      assertFalse(v.outputOn(0), "output off after the sweep");
      // pulsed sweep, same shape
      SweepResult p = sm.sweep(C, Sweep.loop(1.2, 1.2, 0.05, MS, MS, 80e-6));
      assertEquals(loop.points(), p.points());
      assertFalse(v.outputOn(0));
      assertTrue(d.status().lastError().isEmpty(), "no instrument error: " + d.status().lastError());
    }
  }

  @ParameterizedTest
  @EnumSource(VirtualSmu.Model.class)
  void complianceAboveTheStandingOneIsRefusedBeforeAnythingIsSent(VirtualSmu.Model m) throws Exception {
    VirtualSmu v = smu(m);
    try (SmuDriver d = SmuDriver.open(new InMemoryScpiChannel(v), SmuSettings.defaults().withComplianceAmps(1e-4))) {
      int before = v.log().size();
      assertThrows(EnvelopeViolationException.class, () -> d.source(C, 2.9, MS, 2e-4));
      assertThrows(EnvelopeViolationException.class, () -> d.sweep(C, Sweep.loop(1, 1, 0.1, MS, 0, 5e-4)));
      assertEquals(before, v.log().size(), "nothing sent");
      assertTrue(v.device().truth().pristine(C));
    }
  }
}
