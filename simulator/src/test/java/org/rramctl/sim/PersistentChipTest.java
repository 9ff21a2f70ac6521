package org.rramctl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.SourceMeasure;

/** {@code sim:...&state=FILE}: the emulated chip outlives the command that opened it. */
class PersistentChipTest {
  @TempDir Path dir;

  @Test
  void aFormedDeviceIsStillFormedWhenTheNextCommandOpensTheBoard() throws Exception {
    Path f = dir.resolve("chip.state");
    String uri = "sim:hfox-pristine?arrays=1&rows=2&cols=2&seed=4&state=" + f;
    Cell c = Cell.active(0, 1, 1);
    double g;
    try (EnvelopedDriver d = Boards.open(uri, null)) {
      assertTrue(d.read(c, 0.2) < 1e-7, "pristine");
      SourceMeasure.of(d).source(c, 2.9, 1_000, 1e-4);
      g = d.read(c, 0.2);
      assertTrue(g > 1e-6, "formed");
    }
    try (EnvelopedDriver d = Boards.open(uri.replace("seed=4", "seed=4&threads=1"), null)) {
      assertEquals(g, ((EmulatorDriver) d.inner()).truth().conductance(c), 2e-6, "still formed, about the same conductance");
      assertFalse(((EmulatorDriver) d.inner()).truth().pristine(c));
      assertTrue(((EmulatorDriver) d.inner()).truth().pristine(Cell.active(0, 0, 0)));
    }
    // A board opened with references= on the same chip does not map the role: declared absent, and absent.
    try (EnvelopedDriver d = Boards.open("sim:hfox-pristine?rows=4&cols=8&seed=2&referencePlane=false&references=cols+4", null)) {
      assertFalse(d.info().supportsNatively(org.rramctl.driver.Capability.SOURCE_MEASURE));
      assertTrue(d.sourceMeasure().isEmpty());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Boards.open(uri.replace("seed=4", "seed=5"), null));
    assertTrue(e.getMessage().contains("expected: the state of board"), e.getMessage());
  }
}
