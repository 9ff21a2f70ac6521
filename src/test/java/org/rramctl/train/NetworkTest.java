package org.rramctl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkTest {
  private static Network copyOf(int[] sizes, List<double[]> weights) throws IOException {
    return Network.of(sizes, (k, rows, cols) -> FloatLayer.of(rows, cols, weights.get(k)));
  }

  @Test
  void backpropGradientMatchesCentralFiniteDifferencesForEveryWeight() throws IOException {
    int[] sizes = {5, 4, 3, 3};
    Rng rng = Rng.seeded(7);
    Network net = Network.floating(sizes, 3.0, rng);
    List<double[]> w0 = net.layers().stream().map(l -> ((FloatLayer) l).weights()).toList();
    double[] x = {0.9, 0.0, 0.3, 1.0, 0.55};
    int label = 2;

    // one step with lr = 1 moves every weight by exactly -dLoss/dW
    net.trainStep(x, label, 1.0);
    double eps = 1e-6;
    int checked = 0;
    for (int k = 0; k < w0.size(); k++) {
      FloatLayer after = (FloatLayer) net.layers().get(k);
      int rows = sizes[k] + 1;
      int cols = sizes[k + 1];
      for (int j = 0; j < rows; j++) {
        for (int i = 0; i < cols; i++) {
          double analytic = w0.get(k)[j * cols + i] - after.weight(j, i);
          Network probe = copyOf(sizes, w0);
          FloatLayer pl = (FloatLayer) probe.layers().get(k);
          double orig = pl.weight(j, i);
          pl.setWeight(j, i, orig + eps);
          probe.forward(x);
          double lossPlus = probe.loss(label);
          pl.setWeight(j, i, orig - eps);
          probe.forward(x);
          double lossMinus = probe.loss(label);
          double numeric = (lossPlus - lossMinus) / (2 * eps);
          assertEquals(numeric, analytic, 1e-7 + 1e-5 * Math.abs(numeric), "layer " + (k + 1) + " W[" + j + "][" + i + "]");
          checked++;
        }
      }
    }
    assertEquals(6 * 4 + 5 * 3 + 4 * 3, checked);
  }

  @Test
  void softmaxProbabilitiesSumToOneAndLossIsTheirNegativeLog() throws IOException {
    Network net = Network.floating(new int[] {3, 2, 4}, 1.0, Rng.seeded(1));
    int pred = net.forward(new double[] {1, 0, 0.5});
    double sum = 0;
    double max = 0;
    for (double p : net.probabilities()) {
      sum += p;
      max = Math.max(max, p);
    }
    assertEquals(1.0, sum, 1e-12);
    assertEquals(max, net.probabilities()[pred]);
    assertEquals(-Math.log(net.probabilities()[1]), net.loss(1), 1e-12);
  }

  @Test
  void layerSizesAreParsedAndBadOnesNamed() {
    assertEquals("784-256-128-10", Network.format(Network.parseSizes("784-256-128-10")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Network.parseSizes("784-x"));
    assertTrue(e.getMessage().startsWith("layers: '784-x' (expected:"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Network.parseSizes("784"));
    assertTrue(e.getMessage().startsWith("layers: '784' (expected: at least two sizes"), e.getMessage());
  }

  @Test
  void seededRngIsReproducibleAndRestoresFromItsState() {
    Rng a = Rng.seeded(42);
    a.nextLong();
    Rng b = Rng.restored(a.state());
    for (int k = 0; k < 100; k++) assertEquals(a.nextLong(), b.nextLong());
    int[] counts = new int[7];
    Rng r = Rng.seeded(3);
    for (int k = 0; k < 70_000; k++) counts[r.nextInt(7)]++;
    for (int c : counts) assertEquals(10_000, c, 400);
  }
}
