package org.rramctl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.data.MnistDataset;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.sim.EmulatorDriver;

/** The same training loop on the soft-bound emulator (DESIGN.md sections 2 and 4). */
class EmulatorTrainingTest {
  /** Symmetric (ratio 1) noisy soft-bound devices, +-1 range, one 64 x 64 array with its reference. */
  private static final String BOARD = "sim:rram-imbalanced?ratio=1&arrays=1&rows=64&cols=64&seed=3";
  private static final int[] SIZES = {49, 16, 10};

  @TempDir Path dir;

  /**
   * A small network needs larger weights than one device range holds: read each device at a quarter of the
   * usual conductance unit (weights up to about +-4), with the nominal step scaled alike.
   */
  private static AnalogSettings smallNetworkSettings(EnvelopedDriver d) {
    double window = d.info().gMaxSiemens() - d.info().gMinSiemens();
    return AnalogSettings.defaults().withGUnitSiemens(window / 8).withDwMin(0.004);
  }

  private static Trainer trainer(EnvelopedDriver driver, int epochs, Path out) throws IOException {
    Rng root = Rng.seeded(5);
    Network net = Network.of(SIZES, AnalogLayer.factory(driver, SIZES, smallNetworkSettings(driver), root.split(), root.split()));
    return new Trainer(net, MnistDataset.vendored().withSide(7), new TrainSettings(epochs, new LearningRateSchedule(0.05, 10), out), root.split(), driver);
  }

  @Test
  @Timeout(120)
  void aSmallAnalogNetworkTrainsWellAboveChanceOnTheEmulator() throws IOException {
    try (EnvelopedDriver driver = Boards.open(BOARD, null)) {
      List<EpochMetrics> m = trainer(driver, 2, null).run(Trainer.QUIET);
      assertTrue(m.get(1).testAccuracy() > 0.35, "test accuracy (chance is 0.10): " + m);
      assertTrue(m.get(1).pulses() > 100_000, "pulses: " + m.get(1));
    }
  }

  @Test
  @Timeout(120)
  void anAnalogRunResumedOnTheEmulatorFinishesExactlyAsTheUninterruptedOne() throws IOException {
    List<EpochMetrics> straight;
    double[] straightDevices;
    try (EnvelopedDriver driver = Boards.open(BOARD, null)) {
      straight = trainer(driver, 2, dir.resolve("a")).run(Trainer.QUIET);
      straightDevices = devices((EmulatorDriver) driver.inner());
    }
    try (EnvelopedDriver driver = Boards.open(BOARD, null)) {
      trainer(driver, 1, dir.resolve("b")).run(Trainer.QUIET);
    }
    List<EpochMetrics> resumed;
    double[] resumedDevices;
    try (EnvelopedDriver driver = Boards.open(BOARD, null)) {
      Trainer t = trainer(driver, 2, dir.resolve("b"));
      t.resume(dir.resolve("b").resolve("checkpoint.json"));
      resumed = t.run(Trainer.QUIET);
      resumedDevices = devices((EmulatorDriver) driver.inner());
    }
    for (int e = 0; e < 2; e++) {
      assertEquals(straight.get(e).trainLoss(), resumed.get(e).trainLoss(), 0.0, "epoch " + (e + 1));
      assertEquals(straight.get(e).testAccuracy(), resumed.get(e).testAccuracy(), 0.0, "epoch " + (e + 1));
      assertEquals(straight.get(e).pulses(), resumed.get(e).pulses(), "epoch " + (e + 1));
    }
    assertArrayEquals(straightDevices, resumedDevices, 0.0);
  }

  private static double[] devices(EmulatorDriver emu) {
    double[] w = new double[64 * 64];
    for (int r = 0; r < 64; r++) {
      for (int c = 0; c < 64; c++) w[r * 64 + c] = emu.truth().weight(Cell.active(0, r, c));
    }
    return w;
  }
}
