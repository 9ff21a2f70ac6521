package org.rramctl.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopeViolationException;
import org.rramctl.driver.Limits;
import org.rramctl.driver.RefusedException;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.SweepResult;
import org.rramctl.driver.remote.ClientOptions;
import org.rramctl.driver.remote.DriverServer;
import org.rramctl.driver.remote.RemoteDriver;
import org.rramctl.driver.remote.ServerOptions;

/**
 * The source-measure role (issue 18) through a served emulator over ZeroMQ: the same forming and I-V loop as in
 * process, bit for bit, behind the server's envelope and under the lease.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteSourceMeasureTest {
  private static final Cell C = Cell.active(0, 1, 2);
  private static final long US = 1_000;
  private static final long MS = 1_000_000;

  private static EmulatorDriver pristine(long seed) {
    return EmulatorDriver.open(DevicePreset.named("hfox-pristine"), List.of(new int[] {4, 4}), seed);
  }

  private static ClientOptions client(String label) {
    return ClientOptions.defaults().withLabel(label);
  }

  @Test
  void formingAndAnIvLoopOverZeroMqGiveWhatTheSameEmulatorGivesInProcess() throws Exception {
    try (EmulatorDriver local = pristine(7);
        EmulatorDriver served = pristine(7);
        DriverServer server = DriverServer.start(served, ServerOptions.of("tcp://127.0.0.1:*"));
        RemoteDriver remote = RemoteDriver.open(server.endpoint(), client("smu"))) {
      assertTrue(remote.info().supportsNatively(Capability.SOURCE_MEASURE), "the role's bit reaches the client");
      assertTrue(remote.info().supportsNatively(Capability.SWEEP));
      SourceMeasure here = local.sourceMeasure().orElseThrow();
      SourceMeasure there = SourceMeasure.of(remote);
      double vf = served.truth().formingVolts(C);
      assertEquals(here.source(C, vf - 0.05, US, 100e-6), there.source(C, vf - 0.05, US, 100e-6), 0, "below the forming voltage");
      assertTrue(served.truth().pristine(C));
      assertEquals(here.source(C, vf + 0.01, US, 50e-6), there.source(C, vf + 0.01, US, 50e-6), 0, "forming, held at the compliance");
      assertFalse(served.truth().pristine(C), "the served device formed");
      Sweep loop = Sweep.loop(1.2, 1.2, 0.05, MS, 0, 80e-6);
      SweepResult a = here.sweep(C, loop);
      SweepResult b = there.sweep(C, loop);
      assertArrayEquals(a.volts(), b.volts());
      assertArrayEquals(a.amps(), b.amps(), "the same currents, bit for bit");
      assertEquals(80e-6, b.complianceAmps());
      assertEquals(local.truth().conductance(C), served.truth().conductance(C), 0, "both devices end in the same state");
      assertEquals(served.status().pulsesApplied(), remote.status().pulsesApplied());
    }
  }

  @Test
  void theServersEnvelopeRefusesACompliantOverlimitBeforeTheBoardSeesIt() throws Exception {
    Limits strict = EmulatorDriver.HARDWARE_LIMITS.withComplianceAmps(100e-6);
    try (EmulatorDriver served = pristine(8);
        DriverServer server = DriverServer.start(served, ServerOptions.of("tcp://127.0.0.1:*").withEnvelope(new SafetyEnvelope(strict)));
        RemoteDriver remote = RemoteDriver.open(server.endpoint(), client("strict"))) {
      SourceMeasure sm = SourceMeasure.of(remote);
      double vf = served.truth().formingVolts(C);
      EnvelopeViolationException e = assertThrows(EnvelopeViolationException.class, () -> sm.source(C, vf + 0.1, US, 1e-3));
      assertEquals("current compliance", e.limit());
      assertThrows(EnvelopeViolationException.class, () -> sm.sweep(C, Sweep.loop(vf + 0.1, 0, 0.1, US, 0, 1e-3)));
      assertTrue(served.truth().pristine(C), "nothing reached the board");
      assertEquals(0, served.status().pulsesApplied());
      sm.source(C, vf + 0.01, US, 100e-6);
      assertFalse(served.truth().pristine(C), "within the envelope it runs");
    }
  }

  @Test
  void sourcingTakesTheLeaseSoASecondClientIsHeldOff() throws Exception {
    try (EmulatorDriver served = pristine(9);
        DriverServer server = DriverServer.start(served, ServerOptions.of("tcp://127.0.0.1:*"));
        RemoteDriver first = RemoteDriver.open(server.endpoint(), client("first"));
        RemoteDriver second = RemoteDriver.open(server.endpoint(), client("second"))) {
      SourceMeasure.of(first).source(C, 0.1, MS, 1e-4);
      RefusedException e = assertThrows(RefusedException.class, () -> SourceMeasure.of(second).source(C, 0.1, MS, 1e-4));
      assertEquals("HELD", e.code());
      second.read(C, 0.2); // reads need no lease
    }
  }
}
