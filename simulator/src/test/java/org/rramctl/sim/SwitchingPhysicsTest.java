package org.rramctl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopeViolationException;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.SweepResult;

/** The emulator's switching physics (preset hfox-pristine) and its source-measure role. */
class SwitchingPhysicsTest {
  private static final Cell C = Cell.active(0, 0, 0);
  private static final long US = 1_000;
  private static final long MS = 1_000_000;

  private static EmulatorDriver pristine(long seed) {
    return EmulatorDriver.open(DevicePreset.named("hfox-pristine"), List.of(new int[] {4, 4}), seed);
  }

  @Test
  void emulatorDeclaresTheSourceMeasureRoleAndNativeSweeps() throws Exception {
    try (EmulatorDriver d = pristine(1)) {
      assertTrue(d.info().supportsNatively(Capability.SOURCE_MEASURE));
      assertTrue(d.info().supportsNatively(Capability.SWEEP));
      assertTrue(d.sourceMeasure().isPresent());
    }
  }

  @Test
  void pristineDeviceIgnoresNominalPulsesAndReadsItsPristineConductance() throws Exception {
    try (EmulatorDriver d = pristine(1)) {
      assertTrue(d.truth().pristine(C));
      double g0 = d.read(C, 0.2);
      d.pulse(C, Pulse.up(1.0, Duration.ofNanos(100)), 1000);
      assertEquals(g0, d.read(C, 0.2), 0, "an unformed device does not switch");
      assertTrue(g0 < 1e-7, "pristine read " + g0 + " S is below G_min");
    }
  }

  @Test
  void deviceFormsAtItsOwnVoltageToTheComplianceLimitedConductance() throws Exception {
    try (EmulatorDriver d = pristine(2)) {
      double vf = d.truth().formingVolts(C);
      assertTrue(vf > 1.5 && vf < 3.0, "drawn forming voltage " + vf);
      SourceMeasure sm = d.sourceMeasure().orElseThrow();
      double below = sm.source(C, vf - 0.05, US, 100e-6);
      assertTrue(d.truth().pristine(C), "50 mV below the forming voltage (1 us): still pristine");
      assertTrue(Math.abs(below) < 100e-6);
      double at = sm.source(C, vf + 0.01, US, 50e-6);
      assertFalse(d.truth().pristine(C), "formed at its forming voltage");
      assertEquals(50e-6, at, 1e-12, "forming current held at the compliance");
      // R_on ~ V_set / I_cc: the compliance-limited conductance, 50 uA at the 0.5 V SET threshold through the sinh law.
      double g = d.truth().conductance(C);
      assertTrue(g > 40e-6 && g < 80e-6, "compliance-limited LRS " + g + " S");
    }
  }

  @Test
  void longerFormingPulsesFormAtLowerVoltage() throws Exception {
    try (EmulatorDriver d = pristine(3)) {
      double vf = d.truth().formingVolts(C);
      SourceMeasure sm = d.sourceMeasure().orElseThrow();
      sm.source(C, vf - 0.15, US, 100e-6);
      assertTrue(d.truth().pristine(C), "1 us at 150 mV below: not formed");
      sm.source(C, vf - 0.15, 10 * MS, 100e-6);
      assertFalse(d.truth().pristine(C), "10 ms (four decades longer, 0.1 V per decade) at 150 mV below: formed");
    }
  }

  @Test
  void iVLoopShowsBipolarSwitchingWithComplianceLimitedSet() throws Exception {
    try (EmulatorDriver d = pristine(4)) {
      SourceMeasure sm = d.sourceMeasure().orElseThrow();
      sm.source(C, 2.9, US, 100e-6);
      assertFalse(d.truth().pristine(C));
      SweepResult r = sm.sweep(C, Sweep.loop(1.2, 1.2, 0.05, MS, 0, 80e-6));
      boolean hitCompliance = false;
      for (int i = 0; i < r.points(); i++) {
        assertTrue(Math.abs(r.amps(i)) <= 80e-6 + 1e-15, "never beyond the compliance");
        hitCompliance |= r.atCompliance(i);
      }
      assertTrue(hitCompliance, "the SET branch reaches the compliance");
      // After the negative branch the device is in its high-resistance state; a SET sweep brings it back.
      double off = d.truth().conductance(C);
      assertTrue(off < 10e-6, "after RESET to -1.2 V: " + off + " S");
      sm.sweep(C, Sweep.loop(1.2, 0, 0.05, MS, 0, 80e-6));
      assertTrue(d.truth().conductance(C) > 5 * off, "SET again");
    }
  }

  @Test
  void belowThresholdSourcingDoesNotSwitchAndCurrentFollowsTheSinhLaw() throws Exception {
    try (EmulatorDriver d = pristine(5)) {
      SourceMeasure sm = d.sourceMeasure().orElseThrow();
      sm.source(C, 2.9, US, 100e-6);
      double g = d.truth().conductance(C);
      double i1 = sm.source(C, 0.1, MS, 1e-3);
      double i3 = sm.source(C, 0.3, MS, 1e-3);
      assertEquals(g, d.truth().conductance(C), 0, "0.1 and 0.3 V are below both thresholds");
      assertTrue(i3 / i1 > 3.3, "superlinear: I(0.3)/I(0.1) = " + i3 / i1 + " (ohmic would be 3)");
    }
  }

  @Test
  void formedDeviceMakesExactlyTheSoftBoundStepsOfItsBasePresetAtTheNominalPulse() throws Exception {
    DevicePreset base = DevicePreset.named("rram-imbalanced");
    try (EmulatorDriver d = pristine(6); EmulatorDriver ref = EmulatorDriver.open(base, List.of(new int[] {4, 4}), 6)) {
      d.sourceMeasure().orElseThrow().source(C, 2.9, US, 1e-3);
      EmulatorDriver.DeviceParams a = d.truth().params(C);
      EmulatorDriver.DeviceParams b = ref.truth().params(C);
      assertEquals(b.aUp(), a.aUp(), 0, "same drawn up step");
      assertEquals(b.aDown(), a.aDown(), 0, "same drawn down step");
      // Noise-free comparison: the step of one nominal pulse from the same state follows the same soft bound.
      double w = d.truth().weight(C);
      ref.truth().setWeight(C, w);
      double expected = w + a.aUp() * (1 - w / a.bMax());
      d.pulse(C, Pulse.up(1.0, Duration.ofNanos(100)), 1);
      double step = d.truth().weight(C) - w;
      assertEquals(expected - w, step, 0.3 * 4 * Math.abs(expected - w), "one nominal up pulse: the soft-bound step within its c2c noise");
    }
  }

  @Test
  void complianceAndLevelsAreRefusedBeforeAnythingHappens() throws Exception {
    try (EmulatorDriver d = pristine(7)) {
      EnvelopedDriver e = new EnvelopedDriver(d, SafetyEnvelope.of(d.info()));
      SourceMeasure sm = e.sourceMeasure().orElseThrow();
      assertThrows(EnvelopeViolationException.class, () -> sm.source(C, 2.5, US, 2e-3), "compliance above the board's 1 mA");
      assertThrows(EnvelopeViolationException.class, () -> sm.source(C, 3.5, US, 1e-4), "level above 3 V");
      assertThrows(EnvelopeViolationException.class, () -> sm.sweep(C, Sweep.loop(3.5, 0, 0.5, US, 0, 1e-4)));
      assertThrows(IllegalArgumentException.class, () -> new Sweep(new double[] {1}, US, 0, 0), "compliance is mandatory");
      assertTrue(d.truth().pristine(C), "nothing reached the device");
      // The emulator refuses on its own too, as a board would.
      assertThrows(EnvelopeViolationException.class, () -> d.source(C, 2.5, US, 2e-3));
    }
  }

  @Test
  void formingStateSurvivesSaveAndRestore() throws Exception {
    try (EmulatorDriver d = pristine(8); EmulatorDriver e = pristine(8)) {
      d.source(C, 2.9, US, 1e-4);
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      d.writeState(new java.io.DataOutputStream(bytes));
      e.readState(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
      assertFalse(e.truth().pristine(C));
      assertTrue(e.truth().pristine(Cell.active(0, 1, 1)));
      assertEquals(d.truth().conductance(Cell.active(0, 1, 1)), e.truth().conductance(Cell.active(0, 1, 1)), 0);
    }
  }
}
