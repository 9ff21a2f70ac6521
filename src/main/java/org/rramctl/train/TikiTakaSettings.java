package org.rramctl.train;

/**
 * The parameters of Tiki-Taka (Gokmen and Haensch, "Algorithm for Training Neural Networks on Resistive Device
 * Arrays", arXiv 1909.07908, 2019; DESIGN.md section 9), named after the paper's quantities.
 *
 * @param transferEvery samples between two transfers from A to C (the paper's transfer period), >= 1
 * @param columnsPerTransfer columns of A read and transferred to C at each transfer, sequentially and wrapping
 *     around (a column of A in the paper's orientation is the weights of one input: one row of the tile here), >= 1
 * @param learningRateA learning rate of A, the SGD update's, as a multiple of the schedule's rate, > 0
 * @param learningRateC learning rate of the transfer into C, as a multiple of the schedule's rate (so it follows the
 *     same schedule), > 0
 * @param gamma the network's weights are {@code W = gamma * A + C}; 0 reads C alone (the first version's choice,
 *     as DESIGN.md section 9 and aihwkit's TransferCompound default), 0..1
 */
public record TikiTakaSettings(int transferEvery, int columnsPerTransfer, double learningRateA, double learningRateC, double gamma) {
  public TikiTakaSettings {
    if (transferEvery < 1) throw new IllegalArgumentException("--transfer-every: " + transferEvery + " (expected: >= 1 samples)");
    if (columnsPerTransfer < 1) throw new IllegalArgumentException("--columns-per-transfer: " + columnsPerTransfer + " (expected: >= 1)");
    if (!(learningRateA > 0 && learningRateA < 1e6)) throw new IllegalArgumentException("--lr-a: " + learningRateA + " (expected: > 0, a multiple of --lr)");
    if (!(learningRateC > 0 && learningRateC < 1e6)) throw new IllegalArgumentException("--lr-c: " + learningRateC + " (expected: > 0, a multiple of --lr)");
    if (!(gamma >= 0 && gamma <= 1)) throw new IllegalArgumentException("--gamma: " + gamma + " (expected: 0..1)");
  }

  /** Transfer one column every sample, A at the SGD rate, C at {@link #DEFAULT_LR_C} times it, W = C. */
  public static TikiTakaSettings defaults() {
    return new TikiTakaSettings(1, 1, 1.0, DEFAULT_LR_C, 0.0);
  }

  /**
   * The default learning rate of C, a multiple of the schedule's rate: 100, so that at the default rate 0.01 a
   * transfer adds the column of A as read (lr_C = 1). Chosen from 3-epoch runs of 784-256-128-10 at ratio 2, seed 1
   * (src/EXPERIMENT-NOTES.md: test accuracy after 3 epochs 65.40 / 86.35 / 89.85 % at 1 / 10 / 100).
   */
  public static final double DEFAULT_LR_C = 100.0;
  /** {@link #DEFAULT_LR_C} as written in help texts. */
  public static final String DEFAULT_LR_C_TEXT = "100";

  /** One line for regimes and logs. */
  public String describe() {
    return String.format(java.util.Locale.ROOT, "Tiki-Taka: transfer every %d sample(s), %d column(s) per transfer, learning rate of A %s x and of C %s x the schedule's, W = %s",
        transferEvery, columnsPerTransfer, fmt(learningRateA), fmt(learningRateC), gamma == 0 ? "C" : fmt(gamma) + " A + C");
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.valueOf(v);
  }
}
