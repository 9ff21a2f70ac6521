package org.rramctl.train;

import java.nio.file.Path;

/**
 * What a training run does apart from the network itself.
 *
 * @param epochs last epoch to train (1-based, inclusive); a resumed run continues up to it
 * @param schedule the learning rate per epoch
 * @param outDir where {@code metrics.jsonl} and {@code checkpoint.json} go; null writes nothing
 */
public record TrainSettings(int epochs, LearningRateSchedule schedule, Path outDir) {
  public TrainSettings {
    if (epochs < 1) throw new IllegalArgumentException("epochs: " + epochs + " (expected: >= 1)");
    if (schedule == null) throw new IllegalArgumentException("schedule: null");
  }

  /** The metrics file: one JSON object per epoch. */
  public Path metricsFile() {
    return outDir == null ? null : outDir.resolve("metrics.jsonl");
  }

  /** The checkpoint, rewritten atomically after every epoch. */
  public Path checkpointFile() {
    return outDir == null ? null : outDir.resolve("checkpoint.json");
  }
}
