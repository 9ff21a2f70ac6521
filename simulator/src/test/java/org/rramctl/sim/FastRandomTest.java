package org.rramctl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FastRandomTest {
  private static final int N = 2_000_000;

  @Test
  void tableGaussianHasMeanZeroVarianceOneAndBoundedTails() {
    FastRandom r = new FastRandom(42);
    double sum = 0;
    double sumSq = 0;
    double max = 0;
    int beyond2 = 0;
    for (int i = 0; i < N; i++) {
      double g = r.nextGaussian();
      sum += g;
      sumSq += g * g;
      max = Math.max(max, Math.abs(g));
      if (Math.abs(g) > 2) beyond2++;
    }
    double mean = sum / N;
    double var = sumSq / N - mean * mean;
    // five standard errors: 1/sqrt(N) for the mean, sqrt(2/N) for the variance of a normal sample
    assertEquals(0, mean, 5 / Math.sqrt(N), "mean");
    assertEquals(1, var, 5 * Math.sqrt(2.0 / N), "variance");
    assertTrue(max < 3.7, "largest |draw| " + max);
    assertTrue(max > 3.6, "largest |draw| " + max + ": the table's tails should reach about 3.7 sigma");
    // P(|Z| > 2) = 0.0455 for a normal; the table ends at 3.7 sigma
    double p2 = beyond2 / (double) N;
    assertEquals(0.0455, p2, 5 * Math.sqrt(0.0455 * 0.9545 / N) + 0.002, "P(|g| > 2)");
  }

  @Test
  void exactGaussianHasMeanZeroVarianceOne() {
    FastRandom r = new FastRandom(7);
    int n = 400_000;
    double sum = 0;
    double sumSq = 0;
    for (int i = 0; i < n; i++) {
      double g = r.nextGaussianExact();
      sum += g;
      sumSq += g * g;
    }
    assertEquals(0, sum / n, 5 / Math.sqrt(n));
    assertEquals(1, sumSq / n, 5 * Math.sqrt(2.0 / n));
  }

  @Test
  void restoredStateContinuesTheSameSequenceMidPool() {
    FastRandom a = new FastRandom(3);
    for (int i = 0; i < 7; i++) a.nextGaussian(); // leaves draws pooled
    FastRandom b = new FastRandom(99);
    b.restore(a.state());
    for (int i = 0; i < 1000; i++) {
      assertEquals(a.nextGaussian(), b.nextGaussian(), 0, "draw " + i);
      assertEquals(a.nextLong(), b.nextLong(), "long " + i);
    }
  }

  @Test
  void badStatesAreRefused() {
    FastRandom r = new FastRandom(1);
    assertThrows(IllegalArgumentException.class, () -> r.restore(new long[5]));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.restore(new long[] {1, 2, 3, 4, 0, 9}));
    assertTrue(e.getMessage().contains("expected: 0..5"), e.getMessage());
  }
}
