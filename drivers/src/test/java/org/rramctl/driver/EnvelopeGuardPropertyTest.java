package org.rramctl.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyDouble;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import java.util.EnumSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * Random requests thrown at the envelope: every one outside it is refused with a message naming the
 * limit, and the driver behind it is never called; every one inside reaches the driver unchanged.
 */
class EnvelopeGuardPropertyTest {
  static final Limits HARDWARE = TestLimits.EMULATOR_LIKE;
  static final Limits ENVELOPE = Limits.builder()
      .maxPulseVolts(1.5)
      .maxReadVolts(0.3)
      .minPulseWidthNanos(50)
      .maxPulseWidthNanos(1_000_000)
      .maxPulsesPerCommand(1000)
      .maxPulseRateHz(1e6)
      .complianceAmps(1e-4)
      .build();
  static final BoardInfo INFO = new BoardInfo("test-board", "mock", "1", 1, List.of(new ArrayGeometry(0, 4, 5, true)), HARDWARE, 12, 1e-6, 1e-4,
      EnumSet.allOf(Capability.class));

  private static CrossbarDriver mockDriver() {
    CrossbarDriver d = mock(CrossbarDriver.class);
    when(d.info()).thenReturn(INFO);
    return d;
  }

  private static boolean inside(Pulse p, int count) {
    return p.amplitudeVolts() >= ENVELOPE.minPulseVolts() && p.amplitudeVolts() <= ENVELOPE.maxPulseVolts()
        && p.widthNanos() >= ENVELOPE.minPulseWidthNanos() && p.widthNanos() <= ENVELOPE.maxPulseWidthNanos()
        && p.rateHz() <= ENVELOPE.maxPulseRateHz()
        && count >= 1 && count <= ENVELOPE.maxPulsesPerCommand();
  }

  @Provide
  Arbitrary<Pulse> pulses() {
    Arbitrary<Double> volts = Arbitraries.doubles().between(1e-3, 2.0).ofScale(4);
    Arbitrary<Long> width = Arbitraries.longs().between(1, 2_000_000);
    Arbitrary<Long> extra = Arbitraries.longs().between(0, 2_000_000);
    Arbitrary<Polarity> pol = Arbitraries.of(Polarity.class);
    return Combinators.combine(pol, volts, width, extra).as((p, v, w, e) -> new Pulse(p, v, w, w + e));
  }

  @Property(tries = 1000, seed = "20261129")
  @StatisticsReport(onFailureOnly = true)
  void pulsesOutsideTheEnvelopeNeverReachTheDriver(@ForAll("pulses") Pulse p, @ForAll("counts") int count) throws Exception {
    Statistics.label("inside").collect(inside(p, count));
    Statistics.label("inside").coverage(c -> {
      c.check(true).percentage(pct -> pct > 10.0);
      c.check(false).percentage(pct -> pct > 10.0);
    });
    CrossbarDriver inner = mockDriver();
    EnvelopedDriver guarded = new EnvelopedDriver(inner, new SafetyEnvelope(ENVELOPE));
    clearInvocations(inner);
    Cell c = Cell.active(0, 1, 2);
    if (inside(p, count)) {
      guarded.pulse(c, p, count);
      verify(inner).pulse(c, p, count);
    } else {
      EnvelopeViolationException e = assertThrows(EnvelopeViolationException.class, () -> guarded.pulse(c, p, count));
      assertTrue(e.getMessage().contains("allowed"), e.getMessage());
      assertThrows(EnvelopeViolationException.class, () -> guarded.pulseThenRead(c, p, count, 0.1));
      StochasticUpdate u = StochasticUpdate.uniform(1, 1, p.polarity(), p.withPolarity(Polarity.UP), p.withPolarity(Polarity.DOWN));
      if (!inside(p, 1)) assertThrows(EnvelopeViolationException.class, () -> guarded.parallelUpdate(new Tile(0, 0, 0, 1, 1), Plane.ACTIVE, u));
    }
    verifyNoMoreInteractions(inner);
  }

  @Provide
  Arbitrary<Integer> counts() {
    return Arbitraries.integers().between(-5, 1500);
  }

  @Property(tries = 1000, seed = "20261129")
  void readVoltagesOutsideTheEnvelopeNeverReachTheDriver(@ForAll("volts") double v) throws Exception {
    CrossbarDriver inner = mockDriver();
    EnvelopedDriver guarded = new EnvelopedDriver(inner, new SafetyEnvelope(ENVELOPE));
    clearInvocations(inner);
    Cell c = Cell.reference(0, 3, 4);
    Tile t = new Tile(0, 1, 1, 3, 4);
    double[] rowVolts = {0.1, v, -0.05};
    if (v > 0 && v <= ENVELOPE.maxReadVolts()) {
      guarded.read(c, v);
      verify(inner).read(c, v);
      guarded.forwardRead(t, ReadMode.DIFFERENTIAL, rowVolts);
      verify(inner).forwardRead(t, ReadMode.DIFFERENTIAL, rowVolts);
    } else {
      assertThrows(EnvelopeViolationException.class, () -> guarded.read(c, v));
      assertThrows(EnvelopeViolationException.class, () -> guarded.readRow(0, Plane.ACTIVE, 0, v));
      assertThrows(EnvelopeViolationException.class, () -> guarded.readArray(0, Plane.ACTIVE, v));
      if (!(Math.abs(v) <= ENVELOPE.maxReadVolts())) {
        assertThrows(EnvelopeViolationException.class, () -> guarded.forwardRead(t, ReadMode.ACTIVE, rowVolts));
      }
    }
    verifyNoMoreInteractions(inner);
  }

  @Provide
  Arbitrary<Double> volts() {
    return Arbitraries.oneOf(Arbitraries.doubles().between(-1, 1).ofScale(6), Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, 0.0, -0.0, 0.3, 0.3000001));
  }

  @Property(tries = 500, seed = "20261129")
  void addressesOutsideTheBoardNeverReachTheDriver(@ForAll("coords") int row, @ForAll("coords") int col, @ForAll("coords") int array) throws Exception {
    CrossbarDriver inner = mockDriver();
    EnvelopedDriver guarded = new EnvelopedDriver(inner, new SafetyEnvelope(ENVELOPE));
    clearInvocations(inner);
    Cell c = Cell.active(array, row, col);
    boolean valid = array == 0 && row < 4 && col < 5;
    if (valid) {
      guarded.read(c, 0.2);
      verify(inner).read(c, 0.2);
    } else {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> guarded.read(c, 0.2));
      assertTrue(e.getMessage().startsWith("cell ") || e.getMessage().startsWith("array:"), e.getMessage());
    }
    verifyNoMoreInteractions(inner);
  }

  @Provide
  Arbitrary<Integer> coords() {
    return Arbitraries.integers().between(0, 8);
  }

  @Property(tries = 200, seed = "20261129")
  void updateProgramsMustMatchTheTile(@ForAll("coords") int rows, @ForAll("coords") int cols) throws Exception {
    CrossbarDriver inner = mockDriver();
    EnvelopedDriver guarded = new EnvelopedDriver(inner, new SafetyEnvelope(ENVELOPE));
    clearInvocations(inner);
    Pulse up = Pulse.up(1.0, java.time.Duration.ofNanos(1000));
    Tile t = new Tile(0, 0, 0, 2, 3);
    if (rows == 0 || cols == 0) return;
    StochasticUpdate u = StochasticUpdate.uniform(rows, cols, Polarity.UP, up, up.withPolarity(Polarity.DOWN));
    if (rows == 2 && cols == 3) {
      guarded.parallelUpdate(t, Plane.ACTIVE, u);
      verify(inner).parallelUpdate(t, Plane.ACTIVE, u);
    } else {
      assertThrows(IllegalArgumentException.class, () -> guarded.parallelUpdate(t, Plane.ACTIVE, u));
    }
    verifyNoMoreInteractions(inner);
  }

  @Property(tries = 1)
  void anEnvelopeWiderThanTheBoardIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new EnvelopedDriver(mockDriver(), new SafetyEnvelope(HARDWARE.withMaxPulseVolts(3.5))));
    assertEquals("safety envelope: maxPulseVolts 3.5 > 3.0 (expected: within the hardware limits of board test-board)", e.getMessage());
  }

  @Property(tries = 1)
  void nothingIsCalledAfterClose() throws Exception {
    CrossbarDriver inner = mockDriver();
    EnvelopedDriver guarded = new EnvelopedDriver(inner, new SafetyEnvelope(ENVELOPE));
    guarded.close();
    clearInvocations(inner);
    assertThrows(IllegalStateException.class, () -> guarded.read(Cell.active(0, 0, 0), 0.2));
    assertThrows(IllegalStateException.class, () -> guarded.pulse(Cell.active(0, 0, 0), Pulse.up(1, java.time.Duration.ofNanos(100)), 1));
    verify(inner, org.mockito.Mockito.never()).read(any(), anyDouble());
    verify(inner, org.mockito.Mockito.never()).pulse(any(), any(), anyInt());
  }
}
