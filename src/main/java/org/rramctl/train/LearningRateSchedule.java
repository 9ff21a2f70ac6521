package org.rramctl.train;

/**
 * A step learning-rate schedule: {@code initial} for the first {@code halveEvery} epochs, then halved every
 * {@code halveEvery} epochs. {@link #paper()} is DESIGN.md section 4's: 0.01 (epochs 1-10), 0.005 (11-20),
 * 0.0025 (21-30).
 */
public record LearningRateSchedule(double initial, int halveEvery) {
  public LearningRateSchedule {
    if (!(initial > 0) || Double.isInfinite(initial)) throw new IllegalArgumentException("learning rate: " + initial + " (expected: finite, > 0)");
    if (halveEvery < 1) throw new IllegalArgumentException("halveEvery: " + halveEvery + " (expected: >= 1 epochs)");
  }

  public static LearningRateSchedule paper() {
    return new LearningRateSchedule(0.01, 10);
  }

  /** The rate for 1-based {@code epoch}. */
  public double rate(int epoch) {
    if (epoch < 1) throw new IllegalArgumentException("epoch: " + epoch + " (expected: >= 1)");
    return initial * Math.pow(0.5, (epoch - 1) / halveEvery);
  }
}
