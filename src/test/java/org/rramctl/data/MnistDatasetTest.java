package org.rramctl.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class MnistDatasetTest {
  @Test
  void vendoredDigitsSplitIntoEightThousandTrainAndTwoThousandTestWithEveryClassInBoth() throws IOException {
    MnistDataset d = MnistDataset.vendored();
    assertEquals(8_000, d.train().count());
    assertEquals(2_000, d.test().count());
    assertEquals(784, d.inputSize());
    for (Digits set : new Digits[] {d.train(), d.test()}) {
      int[] perClass = new int[10];
      for (int i = 0; i < set.count(); i++) perClass[set.label(i)]++;
      for (int c = 0; c < 10; c++) assertTrue(perClass[c] > set.count() / 20, set + " class " + c + ": " + perClass[c]);
    }
  }

  @Test
  void vendoredPixelsAreScaledIntoZeroOneAndMostlyZero() throws IOException {
    MnistDataset d = MnistDataset.vendored().withSide(7);
    assertEquals(49, d.inputSize());
    double[] x = new double[784];
    MnistDataset full = MnistDataset.vendored();
    full.test().input(0, x);
    int zeros = 0;
    double max = 0;
    for (double v : x) {
      assertTrue(v >= 0 && v <= 1);
      if (v == 0) zeros++;
      max = Math.max(max, v);
    }
    assertTrue(zeros > 392, "zeros: " + zeros);
    assertTrue(max > 0.9, "max: " + max);
  }
}
