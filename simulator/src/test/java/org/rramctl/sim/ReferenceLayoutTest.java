package org.rramctl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.Tile;

/** References on the same chip: the reference plane mapped onto another region of an array with none. */
class ReferenceLayoutTest {
  private static final Pulse UP = Pulse.up(1.0, Duration.ofNanos(100));

  /** The whole driver contract (reference devices and differential reads included) through a layout. */
  abstract static class LayoutContract extends CrossbarDriverContract {
    abstract String uri();

    @Override
    protected CrossbarDriver openDriver() throws IOException {
      return Boards.open(uri(), null);
    }

    @Override
    protected Specified specified() {
      return new Specified(UP, 0.2);
    }

    @Override
    protected int pairsToSettle() {
      return 6000; // in process, pairs are cheap; some devices of the preset need more than 3000
    }
  }

  @Nested
  class ColumnsContract extends LayoutContract {
    @Override
    String uri() {
      return "sim:rram-imbalanced?arrays=2&rows=6&cols=10&seed=3&referencePlane=false&references=cols+5";
    }
  }

  @Nested
  class RowsContract extends LayoutContract {
    @Override
    String uri() {
      return "sim:rram-imbalanced?rows=8&cols=5&seed=4&referencePlane=false&references=rows+4";
    }
  }

  @Test
  void aReferenceCellIsTheDeviceTheOffsetFurtherOnTheSameArray() throws IOException {
    try (EnvelopedDriver d = Boards.open("sim:rram-imbalanced?rows=4&cols=8&seed=2&referencePlane=false&references=cols+4", null)) {
      assertEquals(4, d.info().array(0).rows());
      assertEquals(4, d.info().array(0).cols());
      assertTrue(d.info().array(0).hasReference());
      assertTrue(d.info().supportsNatively(Capability.REFERENCE_ARRAYS));
      EmulatorDriver emu = (EmulatorDriver) ((org.rramctl.driver.ReferenceLayout.Mapped) d.inner()).inner();
      double before = emu.truth().conductance(Cell.active(0, 1, 6));
      double untouched = emu.truth().conductance(Cell.active(0, 1, 2));
      d.pulse(Cell.reference(0, 1, 2), UP, 300);
      assertTrue(emu.truth().conductance(Cell.active(0, 1, 6)) > before, "the reference of 1,2 is device 1,6 of the chip");
      assertEquals(untouched, emu.truth().conductance(Cell.active(0, 1, 2)), 0.0, "the active device 1,2 did not move");
      ConductanceMap ref = d.readArray(0, Plane.REFERENCE, 0.2);
      assertEquals(emu.truth().conductance(Cell.active(0, 1, 6)), ref.get(1, 2), 0.01 * (emu.info().gMaxSiemens() - emu.info().gMinSiemens()));
      // The emulator's forward reads are noisy (forwardNoiseStd 0.06 weight x input units, about 6e-7 A here): average 50.
      double mean = 0;
      for (int i = 0; i < 50; i++) mean += d.forwardRead(new Tile(0, 0, 0, 4, 4), ReadMode.DIFFERENTIAL, new double[] {0, 0.2, 0, 0})[2] / 50;
      double expect = 0.2 * (emu.truth().conductance(Cell.active(0, 1, 2)) - emu.truth().conductance(Cell.active(0, 1, 6)));
      assertEquals(expect, mean, 5e-7, "a differential read subtracts the reference region's current");
    }
  }

  @Test
  void layoutsThatDoNotFitOrBoardsWithAReferencePlaneAreRefusedWithOneLine() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Boards.open("sim:?rows=4&cols=8&references=cols+4", null));
    assertTrue(e.getMessage().contains("has a reference plane already"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Boards.open("sim:?rows=4&cols=8&referencePlane=false&references=cols+5", null));
    assertTrue(e.getMessage().contains("at least 10"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Boards.open("sim:?rows=4&cols=8&referencePlane=false&references=diagonal", null));
    assertTrue(e.getMessage().contains("cols+N or rows+N"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void anEmulatorWithoutAReferencePlaneRefusesReferenceOperations() throws IOException {
    try (CrossbarDriver d = Boards.open("sim:?rows=4&cols=4&referencePlane=false", null)) {
      assertFalse(d.info().array(0).hasReference());
      assertThrows(IllegalArgumentException.class, () -> d.read(Cell.reference(0, 0, 0), 0.2));
      assertThrows(IllegalArgumentException.class, () -> d.forwardRead(new Tile(0, 0, 0, 2, 2), ReadMode.DIFFERENTIAL, new double[2]));
    }
  }
}
