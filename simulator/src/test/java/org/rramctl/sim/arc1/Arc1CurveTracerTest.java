package org.rramctl.sim.arc1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Cell;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.EnvelopeViolationException;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.SweepResult;
import org.rramctl.driver.arc1.Arc1Driver;
import org.rramctl.driver.arc1.Arc1Settings;
import org.rramctl.driver.arc1.Arc1Wire;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/**
 * The ArC ONE driver's source-measure role on the CurveTracer job (libarc1's {@code CT_PKT} order), against the virtual
 * board on an in-memory link: the bytes of a one-point job and of a loop, the currents against the emulator's own
 * source-measure role on the same devices, the refusals, an abort between jobs, and a board that stops answering.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Arc1CurveTracerTest {
  private static final Arc1Settings FAST = Arc1Settings.defaults().withResetWait(Duration.ZERO).withWriteDelay(Duration.ZERO)
      .withReplyTimeout(Duration.ofMillis(300));
  private static final DevicePreset PRESET = DevicePreset.named("hfox-pristine");

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.US_ASCII);
  }

  /** A fresh board with the twin's devices: hfox-pristine, 4 x 4, seed 3. */
  private static VirtualArc1 board() {
    return new VirtualArc1(PRESET, 4, 4, 3);
  }

  private static Arc1Driver open(Arc1Link link) throws IOException {
    return Arc1Driver.open(link, FAST.withGeometry(4, 4), 1e-6, 1e-4);
  }

  private static EmulatorDriver twin() {
    return EmulatorDriver.open(PRESET, List.<int[]>of(new int[] {4, 4}), 3);
  }

  @Test
  void aSourceIsOneOnePointCurveTracerJobWithTheComplianceAsCutOffOnBothPolarities() throws IOException {
    VirtualArc1 board = board();
    Arc1Link link = Arc1Link.to(board);
    EmulatorDriver twin = twin();
    try (Arc1Driver d = open(link)) {
      link.takeWritten();
      SourceMeasure sm = d.sourceMeasure().orElseThrow();
      Cell c = Cell.active(0, 2, 3);
      double amps = sm.source(c, 2.5, 100_000, 100e-6);
      assertEquals("201\n2.500000\n2.500000\n2.500000\n2.500000\n0.000100\n0.000000\n0.000100\n-0.000100\n1\n0\n2\n0\n1\n3\n4\n", text(link.takeWritten()),
          "job, V+ max, V- max, start, step, hold (s), interpulse, cut-offs (+, -), cycles, staircase, V+ only, no halt, one device, word, bit");
      assertEquals(twin.source(c, 2.5, 100_000, 100e-6), amps, 1e-6 * Math.abs(amps), "the emulator's current for the same level on the same device");
      double back = sm.source(c, -0.3, 1_000_000, 50e-6);
      assertEquals("201\n0.300000\n0.300000\n0.300000\n0.300000\n0.001000\n0.000000\n0.000050\n-0.000050\n1\n0\n3\n0\n1\n3\n4\n", text(link.takeWritten()),
          "a negative level: V- only");
      assertEquals(twin.source(c, -0.3, 1_000_000, 50e-6), back, 1e-6 * Math.abs(back));
      assertTrue(back < 0, "the current has the level's sign: " + back);
      assertTrue(board.errors().isEmpty(), board.errors().toString());
    }
  }

  @Test
  void anIvLoopIsOneCurveTracerCycleFromZeroWhoseBranchOpeningZerosAreLeftOut() throws IOException {
    VirtualArc1 board = board();
    Arc1Link link = Arc1Link.to(board);
    EmulatorDriver twin = twin();
    try (Arc1Driver d = open(link)) {
      SourceMeasure sm = d.sourceMeasure().orElseThrow();
      Cell c = Cell.active(0, 1, 1);
      assertEquals(twin.source(c, 2.8, 100_000, 200e-6), sm.source(c, 2.8, 100_000, 200e-6), 1e-9, "formed on both");
      link.takeWritten();
      Sweep loop = Sweep.loop(1.2, 1.2, 0.05, 1_000_000, 0, 80e-6);
      long points = board.curveTracerPoints();
      SweepResult r = sm.sweep(c, loop);
      assertEquals("201\n1.200000\n1.200000\n0.000000\n0.050000\n0.001000\n0.000000\n0.000080\n-0.000080\n1\n0\n0\n0\n1\n2\n2\n", text(link.takeWritten()),
          "one cycle from 0 V, V+ first, staircase");
      assertEquals(loop.points() + 2, board.curveTracerPoints() - points, "two more points measured than asked: the 0 V opening each branch");
      SweepResult expected = twin.sweep(c, loop);
      assertArrayEquals(loop.levelsVolts(), r.volts(), "the levels asked for");
      for (int i = 0; i < r.points(); i++) {
        assertEquals(expected.amps(i), r.amps(i), 1e-6 * Math.abs(expected.amps(i)), "point " + i + " at " + r.volts(i) + " V");
        assertTrue(Math.abs(r.amps(i)) <= 80e-6 * (1 + 1e-6), "held at the cut-off: " + r.amps(i));
      }
      boolean held = false;
      for (int i = 0; i < loop.points() / 2; i++) held |= r.atCompliance(i);
      assertTrue(held, "the formed device reached the cut-off on the positive branch");
      // Pulsed: the off time is the interpulse.
      link.takeWritten();
      sm.sweep(c, Sweep.loop(0.2, 0.1, 0.1, 50_000, 2_000, 20e-6));
      assertEquals("201\n0.200000\n0.100000\n0.000000\n0.100000\n0.000050\n0.000002\n0.000020\n-0.000020\n1\n1\n0\n0\n1\n2\n2\n", text(link.takeWritten()));
      assertTrue(board.errors().isEmpty(), board.errors().toString());
    }
  }

  @Test
  void aSweepOfAnotherShapeIsOneJobPerLevel() throws IOException {
    VirtualArc1 board = board();
    Arc1Link link = Arc1Link.to(board);
    EmulatorDriver twin = twin();
    try (Arc1Driver d = open(link)) {
      link.takeWritten();
      Sweep odd = new Sweep(new double[] {0.5, 0.7, 0.6, 0}, 100_000, 0, 100e-6);
      SweepResult r = d.sourceMeasure().orElseThrow().sweep(Cell.active(0, 0, 0), odd);
      String sent = text(link.takeWritten());
      assertEquals(4, sent.split("201\n", -1).length - 1, sent);
      assertTrue(sent.contains("201\n0.000000\n0.000000\n0.000000\n0.000001\n"), "0 V: a one-point job from 0 V: " + sent);
      assertArrayEquals(twin.sweep(Cell.active(0, 0, 0), odd).amps(), r.amps(), 1e-12);
      assertEquals(0, r.amps(3), "no current at 0 V");
    }
  }

  @Test
  void whatTheCurveTracerCannotDoIsRefusedBeforeAByteIsSent() throws IOException {
    Arc1Link link = Arc1Link.to(board());
    try (Arc1Driver d = open(link)) {
      link.takeWritten();
      SourceMeasure sm = d.sourceMeasure().orElseThrow();
      Cell c = Cell.active(0, 0, 0);
      for (double amps : new double[] {10e-6, 9e-6, 1.001e-3, 5e-3, 12.5e-6}) {
        EnvelopeViolationException e = assertThrows(EnvelopeViolationException.class, () -> sm.source(c, 1.0, 100_000, amps), amps + " A");
        assertEquals("current compliance", e.limit());
        assertTrue(e.getMessage().contains("(allowed: whole microamperes from 11 uA to 1000 uA on the ArC ONE"), e.getMessage());
      }
      for (long nanos : new long[] {29_000, 30_500, 1_000}) {
        EnvelopeViolationException e = assertThrows(EnvelopeViolationException.class, () -> sm.source(c, 1.0, nanos, 100e-6), nanos + " ns");
        assertEquals("source duration", e.limit(), e.getMessage());
      }
      assertThrows(IllegalArgumentException.class, () -> sm.source(c, 1.0000005, 100_000, 100e-6), "between two microvolts");
      assertThrows(EnvelopeViolationException.class, () -> sm.sweep(c, Sweep.loop(1, 1, 0.1, 1_000_000, 1_500, 100e-6)), "off time not in whole us");
      assertThrows(EnvelopeViolationException.class, () -> sm.checkSweep(Sweep.loop(1, 1, 0.1, 1_000_000, 0, 5e-6)));
      assertEquals("", text(link.takeWritten()), "nothing reached the board");
      // The limits themselves are accepted.
      sm.checkSource(12, 30_000, 11e-6);
      sm.checkSource(-12, 10_000_000_000L, 1e-3);
    }
  }

  @Test
  void anAbortDuringAComposedSweepLetsTheRunningJobEndAndSendsNoOther() throws IOException {
    VirtualArc1 board = board();
    Arc1Driver[] driver = {null};
    Arc1Link link = new Arc1Link(b -> {
      if (text(b).startsWith(Arc1Wire.CURVE_TRACER + "\n") && driver[0] != null) driver[0].abort(); // while the first job runs
      return board.feed(b, 0, b.length);
    });
    try (Arc1Driver d = open(link)) {
      driver[0] = d;
      link.takeWritten();
      DriverAbortedException e = assertThrows(DriverAbortedException.class,
          () -> d.sourceMeasure().orElseThrow().sweep(Cell.active(0, 0, 0), new Sweep(new double[] {0.5, 0.7, 0.6}, 100_000, 0, 100e-6)));
      assertTrue(e.getMessage().contains("not sent (1 of 3 points measured)"), e.getMessage());
      String sent = text(link.takeWritten());
      assertEquals(1, sent.split("201\n", -1).length - 1, "one job sent: " + sent);
      assertEquals(1, board.curveTracerPoints());
      assertTrue(d.status().outputsIdle() && d.status().aborted());
      synchronized (board) {
        assertTrue(board.idle(), "the board is between commands");
      }
      assertTrue(d.read(Cell.active(0, 0, 0), 0.5) > 0, "in step: the next read is answered");
    }
  }

  @Test
  void aCurveTracerJobTheBoardStopsAnsweringIsOutcomeUnknownNeverResent() throws IOException {
    VirtualArc1 board = board();
    boolean[] mute = {false};
    Arc1Link link = new Arc1Link(b -> {
      byte[] answer = board.feed(b, 0, b.length);
      // The first point arrives, then the board goes quiet.
      return mute[0] && answer.length > Arc1Wire.TRIPLET_BYTES ? java.util.Arrays.copyOf(answer, Arc1Wire.TRIPLET_BYTES) : answer;
    });
    try (Arc1Driver d = open(link)) {
      mute[0] = true;
      link.takeWritten();
      OutcomeUnknownException e = assertThrows(OutcomeUnknownException.class,
          () -> d.sourceMeasure().orElseThrow().sweep(Cell.active(0, 0, 0), Sweep.loop(0.3, 0.3, 0.1, 100_000, 0, 100e-6)));
      assertTrue(e.getMessage().contains("SWEEP") && e.getMessage().contains("outcome unknown"), e.getMessage());
      assertTrue(e.getCause().getMessage().contains("(point 2)"), e.getCause().getMessage());
      assertEquals(1, text(link.takeWritten()).split("201\n", -1).length - 1, "sent once");
      assertThrows(LinkLostException.class, () -> d.read(Cell.active(0, 0, 0), 0.5), "the stream's position is unknown: reopen");
    }
  }
}
