package org.rramctl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.data.MnistDataset;

/** Whole runs with their reference setup: calibrate first, program, train, checkpoint, resume. */
class TrainingRunTest {
  private static final String BOARD = "sim:rram-imbalanced?ratio=2&geometry=50x16,17x10&seed=3";
  private static final int[] SIZES = {49, 16, 10};

  @TempDir Path dir;

  private static TrainingRun run(int epochs, Path out, ReferenceScheme scheme, double refErrorStd) throws IOException {
    MnistDataset data = TrainCommand.limit(MnistDataset.vendored().withSide(7), 300);
    AnalogSettings a = AnalogSettings.defaults().withGUnitSiemens((1e-4 - 1e-6) / 8).withDwMin(0.004);
    return new TrainingRun(SIZES, data, new TrainSettings(epochs, new LearningRateSchedule(0.05, 10), out), 5, BOARD, a, 1.0, scheme, null, refErrorStd);
  }

  @Test
  @Timeout(120)
  void aZeroShiftedRunResumedFromItsCheckpointFinishesExactlyAsTheUninterruptedOne() throws IOException {
    PrintWriter log = new PrintWriter(new StringWriter());
    List<EpochMetrics> straight = run(2, dir.resolve("a"), ReferenceScheme.ZERO_SHIFTED, 0.02).run(false, Trainer.QUIET, log).metrics();
    run(1, dir.resolve("b"), ReferenceScheme.ZERO_SHIFTED, 0.02).run(false, Trainer.QUIET, log);
    assertTrue(Files.exists(dir.resolve("b").resolve(TrainingRun.CALIBRATION_FILE)));
    StringWriter resumedLog = new StringWriter();
    List<EpochMetrics> resumed = run(2, dir.resolve("b"), ReferenceScheme.ZERO_SHIFTED, 0.02).run(true, Trainer.QUIET, new PrintWriter(resumedLog, true)).metrics();
    assertTrue(!resumedLog.toString().contains("tile(s) of board"), "a resumed run takes its references from the checkpoint: " + resumedLog);
    for (int e = 0; e < 2; e++) {
      assertEquals(straight.get(e).trainLoss(), resumed.get(e).trainLoss(), 0.0, "epoch " + (e + 1));
      assertEquals(straight.get(e).testAccuracy(), resumed.get(e).testAccuracy(), 0.0, "epoch " + (e + 1));
      assertEquals(straight.get(e).pulses(), resumed.get(e).pulses(), "epoch " + (e + 1));
    }
  }

  @Test
  @Timeout(120)
  void resumingWithAnotherSchemeIsRefused() throws IOException {
    PrintWriter log = new PrintWriter(new StringWriter());
    run(1, dir, ReferenceScheme.CONVENTIONAL, 0).run(false, Trainer.QUIET, log);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> run(2, dir, ReferenceScheme.ZERO_SHIFTED, 0).run(true, Trainer.QUIET, log));
    assertEquals("--resume: " + dir.resolve(TrainingRun.REFERENCES_FILE) + " holds a conventional sgd run with reference error std 0.0"
        + " (expected: zero-shifted sgd with 0.0, as asked for now)", e.getMessage());
  }
}
