package org.rramctl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.Tile;

class AnalogLayerTest {
  private static final double DW = 0.001;
  /** The linear test board has no nominal pulse: say which one to use. */
  static final AnalogSettings SETTINGS = AnalogSettings.defaults().withPulses(
      Pulse.up(1.0, Duration.ofNanos(100)), Pulse.down(1.0, Duration.ofNanos(100)));

  private static EnvelopedDriver enveloped(LinearCrossbar board) {
    return new EnvelopedDriver(board, SafetyEnvelope.of(board.info()));
  }

  /** Writes weights w (row-major rows x cols) into the layer's tiles on the board. */
  private static void program(LinearCrossbar board, AnalogLayer layer, double[] w) {
    for (TileLayout.Block b : layer.blocks()) {
      Tile t = b.tile();
      for (int r = 0; r < t.rows(); r++) {
        for (int c = 0; c < t.cols(); c++) {
          board.setWeight(t.array(), t.row0() + r, t.col0() + c, w[(b.rowOffset() + r) * layer.cols() + b.colOffset() + c]);
        }
      }
    }
  }

  private static double[] read(LinearCrossbar board, AnalogLayer layer) {
    double[] w = new double[layer.rows() * layer.cols()];
    for (TileLayout.Block b : layer.blocks()) {
      Tile t = b.tile();
      for (int r = 0; r < t.rows(); r++) {
        for (int c = 0; c < t.cols(); c++) w[(b.rowOffset() + r) * layer.cols() + b.colOffset() + c] = board.weight(t.array(), t.row0() + r, t.col0() + c);
      }
    }
    return w;
  }

  @Test
  void aLayerSplitOverSeveralTilesReadsForwardAndBackwardLikeTheFloatLayer() throws IOException {
    int rows = 11;
    int cols = 9;
    LinearCrossbar board = new LinearCrossbar(6, 4, 5, DW);
    TileLayout layout = TileLayout.plan(board.info(), new int[] {rows - 1, cols}, true);
    assertTrue(layout.blocks(0).size() >= 6, "blocks: " + layout.blocks(0));
    AnalogLayer analog = AnalogLayer.on(enveloped(board), rows, cols, layout.blocks(0), AnalogLayerTest.SETTINGS, Rng.seeded(1));
    FloatLayer exact = FloatLayer.random(rows, cols, 3.0, Rng.seeded(2));
    program(board, analog, exact.weights());

    double[] x = {0.2, 0, 0.9, 1, 0.1, 0, 0, 0.5, 0.3, 0.7, 1};
    double[] ya = new double[cols];
    double[] yf = new double[cols];
    analog.forward(x, ya);
    exact.forward(x, yf);
    assertArrayEquals(yf, ya, 1e-12);

    double[] d = {0.3, -2.5, 0, 0.01, 1, -1, 0.2, 0.4, -0.6};
    double[] ba = new double[rows];
    double[] bf = new double[rows];
    analog.backward(d, ba);
    exact.backward(d, bf);
    assertArrayEquals(bf, ba, 1e-12);
  }

  @Test
  void theStochasticUpdateMovesWeightsByMinusLrDeltaXInExpectation() throws IOException {
    for (boolean management : new boolean[] {true, false}) {
      int rows = 4;
      int cols = 3;
      LinearCrossbar board = new LinearCrossbar(1, 8, 8, DW);
      TileLayout layout = TileLayout.plan(board.info(), new int[] {rows - 1, cols}, true);
      AnalogSettings s = AnalogLayerTest.SETTINGS.withUpdateManagement(management).withUpdateBlManagement(management);
      AnalogLayer layer = AnalogLayer.on(enveloped(board), rows, cols, layout.blocks(0), s, Rng.seeded(11));
      double[] x = {0.8, 0.25, 0, 1};
      double[] d = {0.5, -0.1, 0.9};
      double lr = 0.01;
      int samples = 20_000;
      for (int n = 0; n < samples; n++) layer.update(x, d, lr);
      double[] w = read(board, layer);
      for (int j = 0; j < rows; j++) {
        for (int i = 0; i < cols; i++) {
          double expected = -lr * x[j] * d[i];
          double mean = w[j * cols + i] / samples;
          // pulses per sample ~ binomial with mean m = |expected| / DW; the mean over N samples has std <= DW sqrt(m / N)
          double sigma = DW * Math.sqrt(Math.abs(expected) / DW / samples);
          assertEquals(expected, mean, 5 * sigma + 0.01 * Math.abs(expected) + 1e-9,
              "management " + management + " W[" + j + "][" + i + "]");
        }
      }
    }
  }

  @Test
  void updateBlManagementShortensTheStreamsForSmallUpdates() {
    assertEquals(10, StochasticPulses.bitLength(0.01, 1, 1, 0.001, 31, true));
    assertEquals(31, StochasticPulses.bitLength(0.1, 1, 1, 0.001, 31, true));
    assertEquals(3, StochasticPulses.bitLength(0.01, 0.5, 0.5, 0.001, 31, true));
    assertEquals(1, StochasticPulses.bitLength(0.01, 1e-3, 1e-3, 0.001, 31, true));
    assertEquals(31, StochasticPulses.bitLength(0.01, 0.5, 0.5, 0.001, 31, false));
    assertEquals(0, StochasticPulses.bitLength(0.01, 0, 0.5, 0.001, 31, true));
  }

  @Test
  void bernoulliBitsFireWithTheRequestedProbability() {
    Rng rng = Rng.seeded(5);
    for (double p : new double[] {0.003, 0.1, 0.5, 0.97}) {
      long ones = 0;
      int draws = 20_000;
      for (int n = 0; n < draws; n++) ones += Long.bitCount(StochasticPulses.bernoulliBits(rng, p, 31));
      double mean = ones / (31.0 * draws);
      double sigma = Math.sqrt(p * (1 - p) / (31.0 * draws));
      assertEquals(p, mean, 5 * sigma + 1.0 / 65536, "p " + p);
    }
    assertEquals((1L << 31) - 1, StochasticPulses.bernoulliBits(rng, 1.2, 31));
    assertEquals(0, StochasticPulses.bernoulliBits(rng, 0, 31));
  }

  /**
   * Every slot fires with probability t/65536 on its own and independently of its neighbour, at the shortest,
   * the training and the longest bit length, from probabilities below 1/256 to nearly 1.
   */
  @Test
  void bernoulliBitsAreIndependentSlotBySlotAtEveryBitLength() {
    Rng rng = Rng.seeded(11);
    for (int t : new int[] {100, 300, 6554, 19661, 32768, 65000}) {
      double p = t / 65536.0;
      for (int bl : new int[] {1, 31, 63}) {
        int draws = bl == 1 ? 400_000 : 40_000;
        long[] ones = new long[64];
        long pairs = 0;
        for (int n = 0; n < draws; n++) {
          long b = StochasticPulses.bernoulliBits(rng, p, bl);
          assertEquals(0, b >>> bl, "bits above bl " + bl);
          for (int k = 0; k < bl; k++) ones[k] += (b >>> k) & 1;
          pairs += Long.bitCount(b & (b >>> 1));
        }
        double sigma = Math.sqrt(p * (1 - p) / draws);
        for (int k = 0; k < bl; k++) assertEquals(p, ones[k] / (double) draws, 5 * sigma, "t " + t + " bl " + bl + " slot " + k);
        if (bl > 1) {
          double both = pairs / ((double) draws * (bl - 1));
          assertEquals(p * p, both, 5 * Math.sqrt(p * p * (1 - p * p) / (draws * (bl - 1.0))) + 1e-9, "t " + t + " adjacent slots");
        }
      }
    }
  }

  @Test
  void aLayerBiggerThanAnArrayIsSplitIntoBlocksThatCoverItOnceWithoutOverlap() {
    LinearCrossbar board = new LinearCrossbar(4, 256, 256, DW);
    int[] sizes = {784, 256, 128, 10};
    TileLayout layout = TileLayout.plan(board.info(), sizes, true);
    Set<String> used = new HashSet<>();
    for (int k = 0; k < 3; k++) {
      int rows = sizes[k] + 1;
      int cols = sizes[k + 1];
      int[] cover = new int[rows * cols];
      for (TileLayout.Block b : layout.blocks(k)) {
        Tile t = b.tile();
        board.info().checkTile(t);
        for (int r = 0; r < t.rows(); r++) {
          for (int c = 0; c < t.cols(); c++) {
            cover[(b.rowOffset() + r) * cols + b.colOffset() + c]++;
            assertTrue(used.add(t.array() + ":" + (t.row0() + r) + "," + (t.col0() + c)), "device used twice: " + t);
          }
        }
      }
      for (int n : cover) assertEquals(1, n, "layer " + (k + 1) + " coverage");
    }
    assertTrue(layout.blocks(0).size() >= 4, "785 rows need at least 4 blocks of 256: " + layout.blocks(0));
  }

  @Test
  void aNetworkThatDoesNotFitIsRefusedNamingItsNeedAndTheBoard() {
    LinearCrossbar board = new LinearCrossbar(2, 256, 256, DW);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TileLayout.plan(board.info(), new int[] {784, 256, 128, 10}, true));
    assertEquals("network 784-256-128-10: needs 235146 devices (layer 1: 785 x 256, layer 2: 257 x 128, layer 3: 129 x 10)"
        + " in arrays with reference arrays; board linear-test has 2 array(s): 256 x 256 (with reference), 256 x 256 (with reference),"
        + " of which 2 usable with 131072 devices; too few devices (expected: a smaller network, e.g. downsampled inputs, or a larger board)",
        e.getMessage());
  }

  @Test
  void initialisationSpreadsWeightsLikeTheRequestedUniformRange() throws IOException {
    LinearCrossbar board = new LinearCrossbar(1, 64, 64, DW);
    TileLayout layout = TileLayout.plan(board.info(), new int[] {49, 16}, true);
    AnalogLayer layer = AnalogLayer.on(enveloped(board), 50, 16, layout.blocks(0), AnalogLayerTest.SETTINGS, Rng.seeded(3));
    layer.initialize(3.0, Rng.seeded(4));
    double[] w = read(board, layer);
    double sum = 0;
    double sq = 0;
    for (double v : w) {
      sum += v;
      sq += v * v;
    }
    double mean = sum / w.length;
    double std = Math.sqrt(sq / w.length - mean * mean);
    double target = 3.0 / Math.sqrt(3 * 50);
    assertEquals(target, std, 0.15 * target);
    assertEquals(0, mean, 0.2 * target);
  }

  @Test
  void analogSettingsRefuseNonsenseWithTheNameAndTheRange() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SETTINGS.withBitLength(64));
    assertEquals("bitLength: 64 (expected: 1..63)", e.getMessage());
    LinearCrossbar board = new LinearCrossbar(1, 8, 8, DW);
    List<TileLayout.Block> blocks = TileLayout.plan(board.info(), new int[] {3, 3}, true).blocks(0);
    e = assertThrows(IllegalArgumentException.class,
        () -> AnalogLayer.on(enveloped(board), 4, 3, blocks, SETTINGS.withReadVolts(0.5), Rng.seeded(1)));
    assertTrue(e.getMessage().startsWith("readVolts: 0.5 V (expected: <= 0.3 V"), e.getMessage());
  }

  @Test
  void aBoardWithoutANominalPulseTrainsWithTheHouseDefaultMovedIntoItsLimits() {
    LinearCrossbar board = new LinearCrossbar(1, 8, 8, DW);
    AnalogLayer.Resolved r = AnalogLayer.resolve(enveloped(board), AnalogSettings.defaults());
    assertEquals(org.rramctl.driver.Pulse.up(1.0, java.time.Duration.ofNanos(100)), r.up());
    assertEquals(org.rramctl.driver.Polarity.DOWN, r.down().polarity());
    // An envelope whose shortest pulse is 2 us: the nearest width it allows.
    SafetyEnvelope narrow = new SafetyEnvelope(board.info().hardwareLimits().withPulseWidthNanos(2_000, 1_000_000));
    r = AnalogLayer.resolve(new EnvelopedDriver(board, narrow), AnalogSettings.defaults());
    assertEquals(2_000, r.up().widthNanos());
    assertEquals(1.0, r.up().amplitudeVolts());
  }
}
