package org.rramctl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.data.MnistDataset;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.SafetyEnvelope;

class TrainerTest {
  @TempDir Path dir;

  private static MnistDataset data14;

  private static synchronized MnistDataset data(int side) throws IOException {
    if (data14 == null) data14 = MnistDataset.vendored();
    return data14.withSide(side);
  }

  private static Trainer floatTrainer(int[] sizes, int side, int epochs, double lr, Path out, long seed) throws IOException {
    Rng root = Rng.seeded(seed);
    Network net = Network.floating(sizes, 1.0, root.split());
    return new Trainer(net, data(side), new TrainSettings(epochs, new LearningRateSchedule(lr, 10), out), root.split(), null);
  }

  @Test
  @Timeout(60)
  void theFloatingPointNetworkLearnsDownsampledDigitsAboveEightyFivePercentInTwoEpochs() throws IOException {
    List<EpochMetrics> m = floatTrainer(new int[] {196, 64, 10}, 14, 2, 0.1, null, 1).run(Trainer.QUIET);
    assertEquals(2, m.size());
    assertTrue(m.get(1).testAccuracy() > 0.85, "test accuracy: " + m.get(1));
    assertTrue(m.get(1).trainLoss() < m.get(0).trainLoss(), "loss falls: " + m);
  }

  @Test
  @Timeout(60)
  void aResumedRunFinishesExactlyAsTheUninterruptedOne() throws IOException {
    int[] sizes = {49, 16, 10};
    Path straight = dir.resolve("straight");
    Trainer a = floatTrainer(sizes, 7, 3, 0.1, straight, 9);
    List<EpochMetrics> ma = a.run(Trainer.QUIET);

    Path split = dir.resolve("split");
    floatTrainer(sizes, 7, 1, 0.1, split, 9).run(Trainer.QUIET);
    // a different seed: everything that matters must come from the checkpoint
    Trainer b = floatTrainer(sizes, 7, 3, 0.1, split, 12345);
    b.resume(split.resolve("checkpoint.json"));
    assertEquals(1, b.epochsDone());
    List<EpochMetrics> mb = b.run(Trainer.QUIET);

    assertEquals(3, mb.size());
    for (int e = 0; e < 3; e++) {
      assertEquals(ma.get(e).trainLoss(), mb.get(e).trainLoss(), 0.0, "epoch " + (e + 1));
      assertEquals(ma.get(e).testAccuracy(), mb.get(e).testAccuracy(), 0.0, "epoch " + (e + 1));
    }
    for (int k = 0; k < 2; k++) {
      assertArrayEquals(((FloatLayer) a.network().layers().get(k)).weights(), ((FloatLayer) b.network().layers().get(k)).weights(), 0.0);
    }
    assertEquals(3, Files.readAllLines(split.resolve("metrics.jsonl")).size());
    assertEquals(Files.readAllLines(straight.resolve("metrics.jsonl")).size(), Files.readAllLines(split.resolve("metrics.jsonl")).size());
    try (var files = Files.list(split)) {
      assertFalse(files.anyMatch(p -> p.toString().endsWith(".tmp")), "no temp file left behind");
    }
  }

  @Test
  @Timeout(60)
  void aCheckpointOfAnotherNetworkIsRefused() throws IOException {
    floatTrainer(new int[] {49, 16, 10}, 7, 1, 0.1, dir, 1).run(Trainer.QUIET);
    Trainer other = floatTrainer(new int[] {49, 20, 10}, 7, 2, 0.1, dir, 1);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.resume(dir.resolve("checkpoint.json")));
    assertTrue(e.getMessage().contains("a floating-point 49-16-10 run (expected: floating-point 49-20-10"), e.getMessage());
  }

  @Test
  @Timeout(60)
  void anAnalogNetworkOnIdealLinearDevicesLearnsLikeTheFloatingPointOne() throws IOException {
    LinearCrossbar board = new LinearCrossbar(1, 64, 64, 0.001);
    EnvelopedDriver driver = new EnvelopedDriver(board, SafetyEnvelope.of(board.info()));
    int[] sizes = {49, 16, 10};
    Rng root = Rng.seeded(4);
    Network net = Network.of(sizes, AnalogLayer.factory(driver, sizes, AnalogLayerTest.SETTINGS.withInitScale(1.0), root.split(), root.split()));
    Trainer t = new Trainer(net, data(7), new TrainSettings(2, new LearningRateSchedule(0.1, 10), dir), root.split(), driver);
    List<EpochMetrics> m = t.run(Trainer.QUIET);
    assertTrue(m.get(1).testAccuracy() > 0.80, "test accuracy: " + m);
    assertTrue(m.get(1).pulses() > 0, "pulses: " + m.get(1));

    Trainer again = new Trainer(net, data(7), new TrainSettings(3, new LearningRateSchedule(0.1, 10), dir), root.split(), driver);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> again.resume(dir.resolve("checkpoint.json")));
    assertTrue(e.getMessage().contains("cannot resume an analog run on board linear-test"), e.getMessage());
  }
}
