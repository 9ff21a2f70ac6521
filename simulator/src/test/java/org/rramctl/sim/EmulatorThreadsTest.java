package org.rramctl.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rramctl.driver.BoardUri;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;

/** The emulator's results do not depend on its thread count, and its state saves and restores exactly. */
class EmulatorThreadsTest {
  private static final DevicePreset PRESET = DevicePreset.named("rram-imbalanced");
  private static final List<int[]> GEOMETRY = List.of(new int[] {300, 260}, new int[] {40, 30});

  private static EmulatorDriver emulator(int threads) {
    return EmulatorDriver.open(PRESET, GEOMETRY, EmulatorSettings.seed(11).withThreads(threads));
  }

  private static Pulse up(EmulatorDriver d) {
    return Pulse.up(d.preset().pulseVolts(), java.time.Duration.ofNanos(d.preset().pulseWidthNanos()));
  }

  /** A random program with the given chance per row / column of firing and per slot of a bit. */
  private static StochasticUpdate program(SplittableRandom r, Tile t, double rowChance, double colChance, double bitChance, Pulse up) {
    int bl = 31;
    long[] rb = new long[t.rows()];
    byte[] rs = new byte[t.rows()];
    long[] cb = new long[t.cols()];
    byte[] cs = new byte[t.cols()];
    for (int j = 0; j < rb.length; j++) {
      if (r.nextDouble() < rowChance) {
        for (int k = 0; k < bl; k++) if (r.nextDouble() < bitChance) rb[j] |= 1L << k;
      }
      rs[j] = (byte) (rb[j] == 0 ? 0 : r.nextBoolean() ? 1 : -1);
    }
    for (int i = 0; i < cb.length; i++) {
      if (r.nextDouble() < colChance) {
        for (int k = 0; k < bl; k++) if (r.nextDouble() < bitChance) cb[i] |= 1L << k;
      }
      cs[i] = (byte) (cb[i] == 0 ? 0 : r.nextBoolean() ? 1 : -1);
    }
    return new StochasticUpdate(bl, rb, rs, cb, cs, up, up.withPolarity(Polarity.DOWN));
  }

  private static double[] volts(SplittableRandom r, int n, double nonZero) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) if (r.nextDouble() < nonZero) v[i] = 0.2 * (2 * r.nextDouble() - 1);
    return v;
  }

  /**
   * The same sequence of updates (small ones on the caller's thread, whole-array ones split over threads) and
   * reads of every mode gives bit-identical results and device states on one, two and three threads.
   */
  @Test
  void resultsAreIdenticalForAnyThreadCount() throws Exception {
    try (EmulatorDriver one = emulator(1); EmulatorDriver two = emulator(2); EmulatorDriver three = emulator(3)) {
      EmulatorDriver[] ds = {one, two, three};
      Tile big = new Tile(0, 0, 0, 300, 260);
      Tile part = new Tile(0, 10, 7, 250, 240);
      Tile small = new Tile(1, 0, 0, 40, 30);
      SplittableRandom r = new SplittableRandom(3);
      for (int step = 0; step < 40; step++) {
        Tile t = step % 3 == 0 ? big : step % 3 == 1 ? part : small;
        // dense programs reach every device (parallel); sparse ones stay on the caller's thread
        StochasticUpdate u = step % 2 == 0 ? program(r, t, 0.9, 0.9, 0.3, up(one)) : program(r, t, 0.2, 0.3, 0.05, up(one));
        Plane plane = step % 5 == 4 ? Plane.REFERENCE : Plane.ACTIVE;
        double[] rowVolts = volts(r, t.rows(), step % 2 == 0 ? 1.0 : 0.15);
        double[] colVolts = volts(r, t.cols(), 1.0);
        ReadMode mode = ReadMode.values()[step % ReadMode.values().length];
        double[][] fwd = new double[3][];
        double[][] tr = new double[3][];
        for (int i = 0; i < 3; i++) {
          ds[i].parallelUpdate(t, plane, u);
          fwd[i] = ds[i].forwardRead(t, mode, rowVolts);
          tr[i] = ds[i].transposeRead(t, mode, colVolts);
        }
        for (int i = 1; i < 3; i++) {
          assertArrayEquals(fwd[0], fwd[i], "forward read, step " + step + ", " + ds[i].threads() + " threads");
          assertArrayEquals(tr[0], tr[i], "transpose read, step " + step + ", " + ds[i].threads() + " threads");
          assertEquals(one.status().pulsesApplied(), ds[i].status().pulsesApplied(), "pulses, step " + step);
        }
      }
      assertTrue(one.status().pulsesApplied() > 1_000_000, "the test reached the parallel path: " + one.status().pulsesApplied() + " pulses");
      for (int a = 0; a < 2; a++) {
        for (Plane p : Plane.values()) {
          int rows = GEOMETRY.get(a)[0];
          int cols = GEOMETRY.get(a)[1];
          for (int row = 0; row < rows; row++) {
            for (int col = 0; col < cols; col++) {
              Cell c = new Cell(a, p, row, col);
              double w = one.truth().weight(c);
              assertEquals(w, two.truth().weight(c), 0, "device " + c);
              assertEquals(w, three.truth().weight(c), 0, "device " + c);
            }
          }
        }
      }
    }
  }

  /** The incrementally kept G_active - G_reference stays equal to the two planes' conductances. */
  @Test
  void theIncrementalDifferentialMatchesTheTwoPlanes() throws Exception {
    try (EmulatorDriver d = emulator(2)) {
      Tile t = new Tile(0, 0, 0, 300, 260);
      SplittableRandom r = new SplittableRandom(5);
      for (int step = 0; step < 60; step++) {
        d.parallelUpdate(t, step % 4 == 3 ? Plane.REFERENCE : Plane.ACTIVE, program(r, t, 0.9, 0.9, 0.4, up(d)));
      }
      d.truth().setWeight(Cell.active(0, 3, 4), 0.25);
      d.pulse(new Cell(0, Plane.REFERENCE, 3, 4), up(d), 7);
      double range = PRESET.gMaxSiemens() - PRESET.gMinSiemens();
      double worst = 0;
      for (int row = 0; row < 300; row++) {
        for (int col = 0; col < 260; col++) {
          double exact = d.truth().conductance(Cell.active(0, row, col)) - d.truth().conductance(new Cell(0, Plane.REFERENCE, row, col));
          worst = Math.max(worst, Math.abs(d.differential(0, row, col) - exact));
        }
      }
      assertTrue(worst < 1e-12 * range, "incremental G_act - G_ref off by " + worst + " S after 60 whole-array updates");
    }
  }

  /**
   * The buffered reads give exactly what the allocating ones give (two emulators with the same seed, the same
   * calls), write only the tile's entries, and go through the envelope's checks when opened through Boards.
   */
  @Test
  void bufferedReadsEqualTheAllocatingOnes() throws Exception {
    try (EmulatorDriver a = emulator(2); EmulatorDriver b = emulator(2)) {
      SplittableRandom r = new SplittableRandom(17);
      Tile[] tiles = {new Tile(0, 0, 0, 300, 260), new Tile(0, 5, 9, 40, 50), new Tile(1, 0, 0, 40, 30)};
      for (int step = 0; step < 12; step++) {
        Tile t = tiles[step % 3];
        StochasticUpdate u = program(r, t, 0.5, 0.5, 0.2, up(a));
        a.parallelUpdate(t, Plane.ACTIVE, u);
        b.parallelUpdate(t, Plane.ACTIVE, u);
        double[] rowVolts = volts(r, t.rows(), step % 2 == 0 ? 1.0 : 0.2);
        double[] colVolts = volts(r, t.cols(), 1.0);
        ReadMode mode = ReadMode.values()[step % ReadMode.values().length];
        double[] fwd = new double[t.cols() + 3];
        double[] tr = new double[t.rows() + 3];
        java.util.Arrays.fill(fwd, 99);
        java.util.Arrays.fill(tr, 99);
        b.forwardRead(t, mode, rowVolts, fwd);
        b.transposeRead(t, mode, colVolts, tr);
        assertArrayEquals(a.forwardRead(t, mode, rowVolts), java.util.Arrays.copyOf(fwd, t.cols()), "forward, step " + step);
        assertArrayEquals(a.transposeRead(t, mode, colVolts), java.util.Arrays.copyOf(tr, t.rows()), "transpose, step " + step);
        for (int k = t.cols(); k < fwd.length; k++) assertEquals(99, fwd[k], 0, "beyond the tile");
        for (int k = t.rows(); k < tr.length; k++) assertEquals(99, tr[k], 0, "beyond the tile");
      }
    }
    try (org.rramctl.driver.EnvelopedDriver d = org.rramctl.driver.Boards.open("sim:ideal?arrays=1&rows=4&cols=4", null)) {
      Tile t = new Tile(0, 0, 0, 4, 4);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.forwardRead(t, ReadMode.ACTIVE, new double[] {0, 0, 0, 9}, new double[4]));
      assertTrue(e.getMessage().contains("rowVolts[3]"), e.getMessage()); // refused before the emulator saw it
      e = assertThrows(IllegalArgumentException.class, () -> d.transposeRead(t, ReadMode.ACTIVE, new double[4], new double[3]));
      assertTrue(e.getMessage().startsWith("currentsOut"), e.getMessage());
    }
  }

  /** A restored emulator continues exactly as the original (devices, differential and every generator). */
  @Test
  void stateRoundTripContinuesBitForBit() throws Exception {
    try (EmulatorDriver a = emulator(2); EmulatorDriver b = emulator(1)) {
      Tile t = new Tile(0, 0, 0, 300, 260);
      SplittableRandom r = new SplittableRandom(9);
      for (int step = 0; step < 6; step++) a.parallelUpdate(t, Plane.ACTIVE, program(r, t, 0.9, 0.9, 0.3, up(a)));
      a.read(Cell.active(0, 1, 1), 0.2);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      a.writeState(new DataOutputStream(bytes));
      b.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      for (int step = 0; step < 6; step++) {
        StochasticUpdate u = program(r, t, 0.9, 0.9, 0.3, up(a));
        a.parallelUpdate(t, Plane.ACTIVE, u);
        b.parallelUpdate(t, Plane.ACTIVE, u);
        double[] v = volts(r, 300, 0.5);
        assertArrayEquals(a.forwardRead(t, ReadMode.DIFFERENTIAL, v), b.forwardRead(t, ReadMode.DIFFERENTIAL, v), "step " + step);
        assertEquals(a.read(Cell.active(0, step, step), 0.2), b.read(Cell.active(0, step, step), 0.2), 0);
      }
      assertEquals(a.status().pulsesApplied(), b.status().pulsesApplied());
    }
  }

  @Test
  void stateOfAnotherFormatIsRefusedWithAClearMessage() {
    try (EmulatorDriver d = emulator(1)) {
      byte[] old = new byte[64]; // the previous format began with the array count
      old[3] = 2;
      IOException e = assertThrows(IOException.class, () -> d.readState(new DataInputStream(new ByteArrayInputStream(old))));
      assertTrue(e.getMessage().startsWith("emulator state: not format 3"), e.getMessage());
      byte[] v2 = new byte[64]; // format 2 (weights instead of conductances) had the same magic
      java.nio.ByteBuffer.wrap(v2).putInt(0x524D4553).putInt(2).putInt(1);
      e = assertThrows(IOException.class, () -> d.readState(new DataInputStream(new ByteArrayInputStream(v2))));
      assertTrue(e.getMessage().startsWith("emulator state: not format 3"), e.getMessage());
    }
  }

  @Test
  void threadsComeFromTheUriAndBadValuesAreRefused() {
    SimDriverProvider provider = new SimDriverProvider();
    try (EmulatorDriver d = (EmulatorDriver) provider.open(BoardUri.parse("sim:ideal?rows=4&cols=4&arrays=1&threads=3"))) {
      assertEquals(3, d.threads());
    }
    try (EmulatorDriver d = (EmulatorDriver) provider.open(BoardUri.parse("sim:ideal?rows=4&cols=4&arrays=1"))) {
      assertEquals(Math.min(2, Runtime.getRuntime().availableProcessors()), d.threads());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.open(BoardUri.parse("sim:ideal?threads=0")));
    assertTrue(e.getMessage().contains("threads"), e.getMessage());
  }

  /** The read-out can be changed from the URI for studies (the saturation of the vector reads and the ADC). */
  @Test
  void forwardBoundAndAdcBitsComeFromTheUriAndBadValuesAreRefused() throws Exception {
    SimDriverProvider provider = new SimDriverProvider();
    DevicePreset base = DevicePreset.named("rram-imbalanced");
    try (EmulatorDriver d = (EmulatorDriver) provider.open(BoardUri.parse("sim:rram-imbalanced?rows=4&cols=4&arrays=1&forwardBound=3.5&adcBits=8"))) {
      assertEquals(3.5, d.preset().forwardBound(), 0);
      assertEquals(8, d.preset().adcBits());
      assertEquals(8, d.info().adcBits());
      assertEquals(base.dwMin(), d.preset().dwMin(), 0);
      // every output saturates at the bound: 3.5 weight x input units at the nominal read voltage
      double[] y = d.forwardRead(new Tile(0, 0, 0, 4, 4), ReadMode.ACTIVE, new double[] {0.2, 0.2, 0.2, 0.2});
      double bound = 3.5 * (base.gMaxSiemens() - base.gMinSiemens()) / 2 * EmulatorDriver.NOMINAL_READ_VOLTS;
      for (double v : y) assertTrue(Math.abs(v) <= bound * (1 + 1e-12), "read " + v + " within the bound " + bound);
    }
    try (EmulatorDriver d = (EmulatorDriver) provider.open(BoardUri.parse("sim:rram-imbalanced?rows=4&cols=4&arrays=1"))) {
      assertEquals(base.forwardBound(), d.preset().forwardBound(), 0);
      assertEquals(base.adcBits(), d.preset().adcBits());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.open(BoardUri.parse("sim:ideal?forwardBound=-1")));
    assertTrue(e.getMessage().startsWith("board: 'sim:ideal?forwardBound=-1': forwardBound=-1 (expected: a number > 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> provider.open(BoardUri.parse("sim:ideal?adcBits=30")));
    assertTrue(e.getMessage().contains("adcBits=30 (expected: an integer 4..24)"), e.getMessage());
  }
}
