package org.rramctl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.data.MnistDataset;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.SafetyEnvelope;

/** Tiki-Taka (issue 16 point 2): the transfer, the planning of A and C, whole runs with checkpoint and resume. */
class TikiTakaTest {
  private static final int[] SIZES = {49, 16, 10};
  private static final String BOARD = "sim:rram-imbalanced?ratio=2&geometry=50x16,17x10,50x16,17x10&seed=3";

  @TempDir Path dir;

  private static AnalogSettings linearSettings() {
    return AnalogSettings.defaults().withPulses(Pulse.up(1.0, Duration.ofNanos(100)), Pulse.down(1.0, Duration.ofNanos(100)));
  }

  /** A 4-4 layer's A and C on a board of two ideal linear 5 x 4 arrays. */
  private record Linear(LinearCrossbar board, TileLayout layout, AnalogLayer a, AnalogLayer c, int aArray, int cArray) {}

  private static Linear linear() {
    LinearCrossbar board = new LinearCrossbar(2, 5, 4, 0.001);
    EnvelopedDriver d = new EnvelopedDriver(board, SafetyEnvelope.of(board.info()));
    TileLayout layout = TikiTakaLayer.plan(board.info(), new int[] {4, 4});
    AnalogLayer a = AnalogLayer.on(d, 5, 4, layout.blocks(0), linearSettings(), Rng.seeded(1));
    AnalogLayer c = AnalogLayer.on(d, 5, 4, layout.blocks(1), linearSettings(), Rng.seeded(2));
    return new Linear(board, layout, a, c, layout.blocks(0).get(0).tile().array(), layout.blocks(1).get(0).tile().array());
  }

  @Test
  void aTransferAddsLrTimesTheColumnOfAToTheSameColumnOfCAndNothingElse() throws IOException {
    Linear l = linear();
    LinearCrossbar board = l.board();
    int aArray = l.aArray();
    int cArray = l.cArray();
    assertTrue(aArray != cArray, "A and C on the two arrays: " + l.layout().blocks(0) + " / " + l.layout().blocks(1));
    double[] v = {0.5, -0.3, 0.1, 0};
    for (int i = 0; i < 4; i++) board.setWeight(aArray, 2, i, v[i]);
    board.setWeight(aArray, 1, 0, 0.9); // another column of A: must not reach C
    TikiTakaLayer tt = new TikiTakaLayer(l.a(), l.c(), TikiTakaSettings.defaults());
    int n = 50;
    double lr = 0.02;
    for (int k = 0; k < n; k++) tt.transfer(2, lr);
    for (int r = 0; r < 5; r++) {
      for (int i = 0; i < 4; i++) {
        double want = r == 2 ? n * lr * v[i] : 0;
        assertEquals(want, board.weight(cArray, r, i), r == 2 ? 0.04 : 0.0, "C row " + r + " col " + i);
        if (r != 1) assertEquals(r == 2 ? v[i] : 0, board.weight(aArray, r, i), 1e-12, "A is only read");
      }
    }
  }

  @Test
  void theGradientGoesToAAndTheWeightsAreReadFromC() throws IOException {
    Linear l = linear();
    LinearCrossbar board = l.board();
    AnalogLayer a = l.a();
    AnalogLayer c = l.c();
    int aArray = l.aArray();
    int cArray = l.cArray();
    board.setWeight(cArray, 0, 0, 0.25);
    board.setWeight(aArray, 0, 0, 0.5);
    TikiTakaLayer tt = new TikiTakaLayer(a, c, new TikiTakaSettings(1000, 1, 1, 1, 0));
    double[] y = new double[4];
    tt.forward(new double[] {1, 0, 0, 0, 0}, y);
    assertEquals(0.25, y[0], 1e-12, "gamma 0 reads C alone");
    tt = new TikiTakaLayer(a, c, new TikiTakaSettings(1000, 1, 1, 1, 0.5));
    tt.forward(new double[] {1, 0, 0, 0, 0}, y);
    assertEquals(0.25 + 0.5 * 0.5, y[0], 1e-12, "W = gamma A + C");
    tt.update(new double[] {1, 0, 0, 0, 0}, new double[] {-1, 0, 0, 0}, 0.01);
    assertEquals(0.5 + 0.01, board.weight(aArray, 0, 0), 0.004, "A received the step");
    assertEquals(0.25, board.weight(cArray, 0, 0), 1e-12, "no transfer before transferEvery samples");
  }

  @Test
  void aBoardWithOneArrayPerLayerIsRefusedNamingTheBlocksTikiTakaNeeds() {
    LinearCrossbar board = new LinearCrossbar(1, 50, 16, 0.001);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TikiTakaLayer.plan(board.info(), new int[] {49, 16}));
    assertTrue(e.getMessage().startsWith("Tiki-Taka network 49-16 (an A and a C block per layer): needs 1600 devices in blocks 50 x 16, 50 x 16"), e.getMessage());
    assertEquals("50x16,17x10,50x16,17x10", TikiTakaLayer.geometry(SIZES));
  }

  private TrainingRun run(int epochs, Path out) throws IOException {
    MnistDataset data = TrainCommand.limit(MnistDataset.vendored().withSide(7), 300);
    AnalogSettings a = AnalogSettings.defaults().withGUnitSiemens((1e-4 - 1e-6) / 8).withDwMin(0.004);
    return new TrainingRun(SIZES, data, new TrainSettings(epochs, new LearningRateSchedule(0.05, 10), out), 5, BOARD, a, 1.0,
        ReferenceScheme.ZERO_SHIFTED, null, 0, null, null, new TikiTakaSettings(1, 2, 1, 1, 0));
  }

  @Test
  @Timeout(180)
  void aTikiTakaRunResumedFromItsCheckpointFinishesExactlyAsTheUninterruptedOne() throws IOException {
    PrintWriter log = new PrintWriter(new StringWriter());
    List<EpochMetrics> straight = run(2, dir.resolve("a")).run(false, Trainer.QUIET, log).metrics();
    run(1, dir.resolve("b")).run(false, Trainer.QUIET, log);
    List<EpochMetrics> resumed = run(2, dir.resolve("b")).run(true, Trainer.QUIET, log).metrics();
    for (int e = 0; e < 2; e++) {
      assertEquals(straight.get(e).trainLoss(), resumed.get(e).trainLoss(), 0.0, "epoch " + (e + 1));
      assertEquals(straight.get(e).testAccuracy(), resumed.get(e).testAccuracy(), 0.0, "epoch " + (e + 1));
      assertEquals(straight.get(e).pulses(), resumed.get(e).pulses(), "epoch " + (e + 1));
    }
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new TrainingRun(SIZES, TrainCommand.limit(MnistDataset.vendored().withSide(7), 300),
        new TrainSettings(3, new LearningRateSchedule(0.05, 10), dir.resolve("b")), 5, BOARD, AnalogSettings.defaults().withGUnitSiemens((1e-4 - 1e-6) / 8).withDwMin(0.004), 1.0,
        ReferenceScheme.ZERO_SHIFTED, null, 0, null, null, null).run(true, Trainer.QUIET, log));
    assertTrue(refused.getMessage().contains("holds a zero-shifted tiki-taka run"), refused.getMessage());
  }
}
