package org.rramctl.train;

import picocli.CommandLine.Option;

/** The Tiki-Taka options shared by {@code train --algorithm tiki-taka} and {@code experiment zero-shift} (a picocli mixin). */
public final class TikiTakaOptions {
  @Option(names = "--transfer-every", defaultValue = "1", paramLabel = "SAMPLES", description = "Tiki-Taka: samples between two transfers from A to C. Default: ${DEFAULT-VALUE}.")
  int transferEvery;

  @Option(names = "--columns-per-transfer", defaultValue = "1", paramLabel = "N", description = "Tiki-Taka: columns of A transferred at each transfer. Default: ${DEFAULT-VALUE}.")
  int columnsPerTransfer;

  @Option(names = "--lr-a", defaultValue = "1", paramLabel = "FACTOR", description = "Tiki-Taka: learning rate of A, times the schedule's. Default: ${DEFAULT-VALUE}.")
  double lrA;

  @Option(names = "--lr-c", paramLabel = "FACTOR", description = "Tiki-Taka: learning rate of the transfer into C, times the schedule's. Default: " + TikiTakaSettings.DEFAULT_LR_C_TEXT + ".")
  Double lrC;

  @Option(names = "--gamma", defaultValue = "0", description = "Tiki-Taka: the network reads W = gamma A + C. Default: ${DEFAULT-VALUE} (C alone).")
  double gamma;

  /** True when any option differs from its default. */
  public boolean given() {
    return transferEvery != 1 || columnsPerTransfer != 1 || lrA != 1 || lrC != null || gamma != 0;
  }

  /** The settings, validated. */
  public TikiTakaSettings settings() {
    return new TikiTakaSettings(transferEvery, columnsPerTransfer, lrA, lrC == null ? TikiTakaSettings.DEFAULT_LR_C : lrC, gamma);
  }
}
