package org.rramctl.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EnvelopedDriver} and {@link SafetyEnvelope} at their edges: what the board answers comes back unchanged,
 * every address, shape and limit is refused before the board sees the call (and the value at a limit is allowed),
 * a closed driver refuses everything, and the source-measure role is checked like the rest. The board behind the
 * envelope is a recording stand-in that checks nothing itself, so a check the envelope skips shows up as a call.
 */
class EnvelopedDriverTest {
  private static final Limits HARDWARE = TestLimits.EMULATOR_LIKE;
  /** 1.5 V pulses, 0.3 V reads, widths 50 ns .. 1 ms, 1000 pulses, 1 MHz, 100 uA. */
  private static final Limits LIMITS = EnvelopeGuardPropertyTest.ENVELOPE;
  private static final BoardInfo WITH_REFERENCE = board(true);
  private static final BoardInfo WITHOUT_REFERENCE = board(false);

  private static final double G = 7.25e-6;
  private static final double[] ROW = {1e-6, 2e-6, 3e-6, 4e-6, 5e-6};
  private static final ConductanceMap MAP = new ConductanceMap(4, 5, new double[20]);
  private static final DriverStatus STATUS = new DriverStatus(true, false, 42, "");
  private static final double AMPS = 3.5e-5;
  private static final SweepResult SWEPT = new SweepResult(new double[] {1}, new double[] {2e-5}, 1e-4);

  private final List<String> reached = new ArrayList<>();
  private boolean confirms = true;

  private static BoardInfo board(boolean reference) {
    return new BoardInfo("test-board", "mock", "1", 1, List.of(new ArrayGeometry(0, 4, 5, reference)), HARDWARE, 12, 1e-6, 1e-4,
        EnumSet.allOf(Capability.class));
  }

  private EnvelopedDriver enveloped(BoardInfo info, Limits limits) {
    SourceMeasure sm = new SourceMeasure() {
      @Override
      public double source(Cell cell, double volts, long durationNanos, double complianceAmps) {
        reached.add("source");
        return AMPS;
      }

      @Override
      public SweepResult sweep(Cell cell, Sweep sweep) {
        reached.add("sweep");
        return SWEPT;
      }
    };
    CrossbarDriver inner = (CrossbarDriver) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {CrossbarDriver.class}, (p, m, args) -> {
      if (m.getName().equals("info")) return info;
      reached.add(m.getName());
      switch (m.getName()) {
        case "forwardRead", "transposeRead" -> {
          if (args.length == 4) {
            ((double[]) args[3])[0] = G;
            return null;
          }
          return ROW;
        }
        case "readRow", "readColumn" -> {
          return ROW;
        }
        case "readArray" -> {
          return MAP;
        }
        case "status" -> {
          return STATUS;
        }
        case "abortAndConfirm" -> {
          return confirms;
        }
        case "sourceMeasure" -> {
          return Optional.of(sm);
        }
        case "defaultEnvelope" -> {
          return new SafetyEnvelope(LIMITS);
        }
        default -> {
          return m.getReturnType() == double.class ? G : null;
        }
      }
    });
    return new EnvelopedDriver(inner, new SafetyEnvelope(limits));
  }

  private EnvelopedDriver enveloped() {
    return enveloped(WITH_REFERENCE, LIMITS);
  }

  private static Pulse pulse(double volts, long widthNanos, long periodNanos) {
    return new Pulse(Polarity.UP, volts, widthNanos, periodNanos);
  }

  private static final Pulse OK = pulse(1.0, 100, 1000);

  /** Refused with {@code type}, and the board saw nothing. */
  private <T extends Throwable> T refused(Class<T> type, Executable call) {
    int before = reached.size();
    T e = assertThrows(type, call);
    assertEquals(before, reached.size(), "the board was called: " + reached);
    return e;
  }

  @Test
  void whatTheBoardAnswersComesBackUnchanged() throws IOException {
    EnvelopedDriver d = enveloped();
    Cell c = Cell.active(0, 3, 4);
    assertEquals(G, d.read(c, 0.3));
    assertEquals(G, d.pulseThenRead(c, OK, 2, 0.3));
    assertSame(ROW, d.readRow(0, Plane.ACTIVE, 3, 0.3));
    assertSame(ROW, d.readColumn(0, Plane.REFERENCE, 4, 0.3));
    assertSame(MAP, d.readArray(0, Plane.ACTIVE, 0.3));
    Tile t = new Tile(0, 1, 1, 3, 2);
    assertSame(ROW, d.forwardRead(t, ReadMode.ACTIVE, new double[3]));
    assertSame(ROW, d.transposeRead(t, ReadMode.DIFFERENTIAL, new double[2]));
    double[] out = new double[2];
    d.forwardRead(t, ReadMode.REFERENCE, new double[] {0.3, -0.3, 0}, out);
    assertEquals(G, out[0]);
    out = new double[3];
    d.transposeRead(t, ReadMode.ACTIVE, new double[] {0.3, -0.3}, out);
    assertEquals(G, out[0]);
    assertSame(STATUS, d.status());
    assertTrue(d.abortAndConfirm());
    confirms = false;
    assertFalse(d.abortAndConfirm());
    d.abort();
    assertEquals(List.of("read", "pulseThenRead", "readRow", "readColumn", "readArray", "forwardRead", "transposeRead", "forwardRead",
        "transposeRead", "status", "abortAndConfirm", "abortAndConfirm", "abort"), reached);
    assertEquals(LIMITS, d.envelope().limits());
    assertEquals(LIMITS, d.defaultEnvelope().limits(), "the board's own default, not the envelope");
    assertSame(WITH_REFERENCE, d.info());
    assertEquals(WITH_REFERENCE, d.inner().info());
  }

  @Test
  void addressesOutsideTheBoardAreRefusedBeforeItSeesThem() {
    EnvelopedDriver d = enveloped();
    for (Cell c : new Cell[] {Cell.active(0, 4, 0), Cell.active(0, 0, 5), Cell.active(1, 0, 0)}) {
      refused(IllegalArgumentException.class, () -> d.read(c, 0.2));
      refused(IllegalArgumentException.class, () -> d.pulse(c, OK, 1));
      refused(IllegalArgumentException.class, () -> d.pulseThenRead(c, OK, 1, 0.2));
    }
    refused(IllegalArgumentException.class, () -> d.readRow(0, Plane.ACTIVE, 4, 0.2));
    refused(IllegalArgumentException.class, () -> d.readColumn(0, Plane.ACTIVE, 5, 0.2));
    refused(IllegalArgumentException.class, () -> d.readRow(1, Plane.ACTIVE, 0, 0.2));
    refused(IllegalArgumentException.class, () -> d.readColumn(1, Plane.ACTIVE, 0, 0.2));
    refused(IllegalArgumentException.class, () -> d.readArray(1, Plane.ACTIVE, 0.2));
    Tile outside = new Tile(0, 2, 0, 3, 2); // rows 2..4 of 4
    refused(IllegalArgumentException.class, () -> d.forwardRead(outside, ReadMode.ACTIVE, new double[3]));
    refused(IllegalArgumentException.class, () -> d.transposeRead(outside, ReadMode.ACTIVE, new double[2]));
    refused(IllegalArgumentException.class, () -> d.forwardRead(outside, ReadMode.ACTIVE, new double[3], new double[2]));
    refused(IllegalArgumentException.class, () -> d.parallelUpdate(outside, Plane.ACTIVE, StochasticUpdate.uniform(3, 2, Polarity.UP, OK, OK.withPolarity(Polarity.DOWN))));
    refused(IllegalArgumentException.class, () -> d.forwardRead(new Tile(0, 0, 0, 2, 2), null, new double[2]));
  }

  @Test
  void aBoardWithoutReferencesIsRefusedEveryReferenceAndDifferentialOperationButNotActiveOnes() throws IOException {
    EnvelopedDriver d = enveloped(WITHOUT_REFERENCE, LIMITS);
    Tile t = new Tile(0, 0, 0, 2, 3);
    refused(IllegalArgumentException.class, () -> d.readRow(0, Plane.REFERENCE, 0, 0.2));
    refused(IllegalArgumentException.class, () -> d.readColumn(0, Plane.REFERENCE, 0, 0.2));
    refused(IllegalArgumentException.class, () -> d.readArray(0, Plane.REFERENCE, 0.2));
    for (ReadMode m : new ReadMode[] {ReadMode.REFERENCE, ReadMode.DIFFERENTIAL}) {
      refused(IllegalArgumentException.class, () -> d.forwardRead(t, m, new double[2]));
      refused(IllegalArgumentException.class, () -> d.transposeRead(t, m, new double[3], new double[2]));
    }
    refused(IllegalArgumentException.class, () -> d.parallelUpdate(t, Plane.REFERENCE, StochasticUpdate.uniform(2, 3, Polarity.UP, OK, OK.withPolarity(Polarity.DOWN))));
    d.forwardRead(t, ReadMode.ACTIVE, new double[2]);
    d.transposeRead(t, ReadMode.ACTIVE, new double[3], new double[2]);
    d.parallelUpdate(t, Plane.ACTIVE, StochasticUpdate.uniform(2, 3, Polarity.UP, OK, OK.withPolarity(Polarity.DOWN)));
    assertEquals(List.of("forwardRead", "transposeRead", "parallelUpdate"), reached);
  }

  @Test
  void vectorLengthsFollowTheTileAndItsDirection() throws IOException {
    EnvelopedDriver d = enveloped();
    Tile t = new Tile(0, 0, 0, 2, 3); // 2 rows, 3 columns
    IllegalArgumentException e = refused(IllegalArgumentException.class, () -> d.forwardRead(t, ReadMode.ACTIVE, new double[3]));
    assertEquals("rowVolts: 3 values (expected: 2)", e.getMessage());
    e = refused(IllegalArgumentException.class, () -> d.transposeRead(t, ReadMode.ACTIVE, new double[2]));
    assertEquals("colVolts: 2 values (expected: 3)", e.getMessage());
    refused(IllegalArgumentException.class, () -> d.forwardRead(t, ReadMode.ACTIVE, new double[2], new double[2]));
    refused(IllegalArgumentException.class, () -> d.transposeRead(t, ReadMode.ACTIVE, new double[3], new double[1]));
    refused(IllegalArgumentException.class, () -> d.forwardRead(t, ReadMode.ACTIVE, null));
    d.forwardRead(t, ReadMode.ACTIVE, new double[2]);
    d.transposeRead(t, ReadMode.ACTIVE, new double[3]);
    d.forwardRead(t, ReadMode.ACTIVE, new double[2], new double[3]);
    d.transposeRead(t, ReadMode.ACTIVE, new double[3], new double[2]);
    assertEquals(4, reached.size());
  }

  @Test
  void aClosedDriverRefusesEveryOperationAndClosedTheBoard() throws IOException {
    EnvelopedDriver d = enveloped();
    SourceMeasure sm = d.sourceMeasure().orElseThrow();
    d.close();
    assertEquals(List.of("sourceMeasure", "close"), reached);
    Cell c = Cell.active(0, 0, 0);
    Tile t = new Tile(0, 0, 0, 2, 2);
    refused(IllegalStateException.class, () -> d.read(c, 0.2));
    refused(IllegalStateException.class, () -> d.pulse(c, OK, 1));
    refused(IllegalStateException.class, () -> d.pulseThenRead(c, OK, 1, 0.2));
    refused(IllegalStateException.class, () -> d.readRow(0, Plane.ACTIVE, 0, 0.2));
    refused(IllegalStateException.class, () -> d.readColumn(0, Plane.ACTIVE, 0, 0.2));
    refused(IllegalStateException.class, () -> d.readArray(0, Plane.ACTIVE, 0.2));
    refused(IllegalStateException.class, () -> d.forwardRead(t, ReadMode.ACTIVE, new double[2]));
    refused(IllegalStateException.class, () -> d.transposeRead(t, ReadMode.ACTIVE, new double[2], new double[2]));
    refused(IllegalStateException.class, () -> d.parallelUpdate(t, Plane.ACTIVE, StochasticUpdate.uniform(2, 2, Polarity.UP, OK, OK.withPolarity(Polarity.DOWN))));
    refused(IllegalStateException.class, d::status);
    refused(IllegalStateException.class, () -> sm.source(c, 1.0, 100, 1e-5));
    refused(IllegalStateException.class, () -> sm.sweep(c, new Sweep(new double[] {1.0}, 100, 0, 1e-5)));
  }

  @Test
  void eachPulseLimitAllowsItsOwnValueAndRefusesTheNextOne() throws IOException {
    EnvelopedDriver d = enveloped();
    Cell c = Cell.active(0, 1, 1);
    d.pulse(c, pulse(1.5, 100, 1000), 1); // amplitude at the limit
    d.pulse(c, pulse(1.0, 50, 1000), 1); // shortest width
    d.pulse(c, pulse(1.0, 1_000_000, 2_000_000), 1); // longest width
    d.pulse(c, pulse(1.0, 500, 1000), 1); // 1 MHz exactly
    d.pulse(c, OK, 1000); // most pulses per command
    assertEquals(5, reached.size());
    EnvelopeViolationException e = refused(EnvelopeViolationException.class, () -> d.pulse(c, pulse(1.5000001, 100, 1000), 1));
    assertEquals("pulse amplitude: 1.50000 V (allowed: 0.00100000 V <= V <= 1.50000 V)", e.getMessage());
    d.pulse(c, pulse(LIMITS.minPulseVolts(), 100, 1000), 1); // the amplitude floor itself
    refused(EnvelopeViolationException.class, () -> d.pulse(c, pulse(Math.nextDown(LIMITS.minPulseVolts()), 100, 1000), 1));
    refused(EnvelopeViolationException.class, () -> d.pulse(c, pulse(1.0, 49, 1000), 1));
    refused(EnvelopeViolationException.class, () -> d.pulse(c, pulse(1.0, 1_000_001, 2_000_002), 1));
    e = refused(EnvelopeViolationException.class, () -> d.pulse(c, pulse(1.0, 500, 999), 1));
    assertTrue(e.getMessage().startsWith("pulse rate: 1.00100e+06 Hz"), e.getMessage());
    e = refused(EnvelopeViolationException.class, () -> d.pulse(c, OK, 1001));
    assertEquals("pulse count: 1001 (allowed: 1 .. 1000)", e.getMessage());
    refused(EnvelopeViolationException.class, () -> d.pulse(c, OK, 0));
    refused(EnvelopeViolationException.class, () -> d.pulseThenRead(c, OK, 1001, 0.2));
    e = refused(EnvelopeViolationException.class, () -> d.read(c, 0.4));
    assertEquals("read voltage: 0.400000 V (allowed: 0 < V <= 0.300000 V)", e.getMessage());
    refused(EnvelopeViolationException.class, () -> d.pulseThenRead(c, OK, 1, 0.31));
  }

  @Test
  void anUpdateIsRefusedForEitherPulseAndForMorePulsesPerDeviceThanACommandMayCarry() throws IOException {
    EnvelopedDriver d = enveloped(WITH_REFERENCE, LIMITS.toBuilder().maxPulsesPerCommand(8).build());
    Tile t = new Tile(0, 0, 0, 1, 1);
    Pulse down = OK.withPolarity(Polarity.DOWN);
    Pulse tooHigh = pulse(1.6, 100, 1000);
    refused(EnvelopeViolationException.class, () -> d.parallelUpdate(t, Plane.ACTIVE, StochasticUpdate.uniform(1, 1, Polarity.UP, tooHigh, down)));
    refused(EnvelopeViolationException.class, () -> d.parallelUpdate(t, Plane.ACTIVE, StochasticUpdate.uniform(1, 1, Polarity.UP, OK, tooHigh.withPolarity(Polarity.DOWN))));
    StochasticUpdate eight = new StochasticUpdate(8, new long[] {0xFF}, new byte[] {1}, new long[] {0xFF}, new byte[] {1}, OK, down);
    StochasticUpdate nine = new StochasticUpdate(9, new long[] {0x1FF}, new byte[] {1}, new long[] {0x1FF}, new byte[] {1}, OK, down);
    EnvelopeViolationException e = refused(EnvelopeViolationException.class, () -> d.parallelUpdate(t, Plane.ACTIVE, nine));
    assertEquals("update bit length (pulses per device): 9 (allowed: 1 .. 8)", e.getMessage());
    d.parallelUpdate(t, Plane.ACTIVE, eight);
    assertEquals(List.of("parallelUpdate"), reached);
  }

  @Test
  void sourceAndSweepAreCheckedAtEveryLimit() throws IOException {
    EnvelopedDriver d = enveloped();
    SourceMeasure sm = d.sourceMeasure().orElseThrow();
    reached.clear();
    Cell c = Cell.active(0, 2, 2);
    assertEquals(AMPS, sm.source(c, -1.5, 50, 1e-4));
    assertEquals(AMPS, sm.source(c, 1.5, 1_000_000, 1e-9));
    refused(EnvelopeViolationException.class, () -> sm.source(c, 1.51, 100, 1e-5));
    refused(EnvelopeViolationException.class, () -> sm.source(c, -1.51, 100, 1e-5));
    refused(EnvelopeViolationException.class, () -> sm.source(c, 1.0, 49, 1e-5));
    refused(EnvelopeViolationException.class, () -> sm.source(c, 1.0, 1_000_001, 1e-5));
    EnvelopeViolationException e = refused(EnvelopeViolationException.class, () -> sm.source(c, 1.0, 100, 0));
    assertEquals("current compliance: 0.00000 A (allowed: 0 < I <= 0.000100000 A)", e.getMessage());
    refused(EnvelopeViolationException.class, () -> sm.source(c, 1.0, 100, 1.01e-4));
    refused(EnvelopeViolationException.class, () -> sm.source(c, 1.0, 100, Double.NaN));
    refused(IllegalArgumentException.class, () -> sm.source(Cell.active(0, 4, 0), 1.0, 100, 1e-5));

    assertSame(SWEPT, sm.sweep(c, new Sweep(new double[] {1.5, -1.5}, 50, 0, 1e-4))); // a staircase has no pulse rate
    assertSame(SWEPT, sm.sweep(c, new Sweep(new double[] {1.0}, 500, 500, 1e-4))); // pulsed at 1 MHz exactly
    assertSame(SWEPT, sm.sweep(c, new Sweep(new double[1000], 100, 0, 1e-4)));
    e = refused(EnvelopeViolationException.class, () -> sm.sweep(c, new Sweep(new double[] {0, -1.6}, 100, 0, 1e-5)));
    assertEquals("sweep level 1: -1.60000 V (allowed: |V| <= 1.50000 V)", e.getMessage());
    refused(EnvelopeViolationException.class, () -> sm.sweep(c, new Sweep(new double[] {1.6}, 100, 0, 1e-5)));
    refused(EnvelopeViolationException.class, () -> sm.sweep(c, new Sweep(new double[] {1.0}, 49, 0, 1e-5)));
    refused(EnvelopeViolationException.class, () -> sm.sweep(c, new Sweep(new double[] {1.0}, 100, 0, 2e-4)));
    e = refused(EnvelopeViolationException.class, () -> sm.sweep(c, new Sweep(new double[1001], 100, 0, 1e-5)));
    assertEquals("sweep points: 1001 (allowed: 1 .. 1000)", e.getMessage());
    refused(EnvelopeViolationException.class, () -> sm.sweep(c, new Sweep(new double[] {1.0}, 500, 499, 1e-4)));
    refused(IllegalArgumentException.class, () -> sm.sweep(c, null));
    refused(IllegalArgumentException.class, () -> sm.sweep(Cell.active(0, 0, 5), new Sweep(new double[] {1.0}, 100, 0, 1e-5)));
    assertEquals(List.of("source", "source", "sweep", "sweep", "sweep"), reached);
  }

  @Test
  void aProfileFileLoadsAllSevenLimitsAndTheWidestEnvelopeIsTheHardware(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("board.json");
    Files.writeString(f, "{ \"maxPulseVolts\": 1.5, \"maxReadVolts\": 0.3, \"minPulseWidth\": \"50ns\", \"maxPulseWidth\": \"1ms\","
        + " \"maxPulsesPerCommand\": 1000, \"maxPulseRateHz\": 1e6, \"complianceAmps\": 1e-4 }");
    assertEquals(LIMITS, SafetyEnvelope.load(f).limits());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetyEnvelope.load(dir));
    assertEquals(dir + ": is a folder (expected: a JSON board profile)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SafetyEnvelope.load(dir.resolve("missing.json")));
    assertEquals(dir.resolve("missing.json") + ": no such file (expected: a JSON board profile)", e.getMessage());
    assertEquals(HARDWARE, SafetyEnvelope.of(WITH_REFERENCE).limits());
    assertEquals(HARDWARE, enveloped(WITH_REFERENCE, HARDWARE).envelope().limits());
  }
}
