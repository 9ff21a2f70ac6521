package org.rramctl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;

/**
 * Presets without a {@code switching} block behave bit for bit as before the switching physics existed (issue 18):
 * a fixed workload of nominal and off-nominal pulses, parallel updates, single and vector reads on each built-in
 * soft-bound preset hashes every result and the final state. The digests were recorded with the emulator as it was
 * before the change (commit 0af62d3) and must never move.
 */
class PresetCompatibilityTest {
  @ParameterizedTest
  @CsvSource({
      "ideal, 584b4ea03eb5d9804920ab6ccc031634a87159297a9c77d735494596b7442ec0",
      "aihwkit-like, ca995f8decf15053dc46cf448f917b65933e35464445b206606686f27aa6dd28",
      "rram-imbalanced, 70c032da09e02bd1d5c554dc2fa94521c4fb428087b59bb72a4d221b8c3f4cba"})
  void presetsWithoutSwitchingPhysicsGiveTheResultsTheyGaveBefore(String preset, String digest) throws Exception {
    assertEquals(digest, workloadDigest(DevicePreset.named(preset)), preset);
  }

  static String workloadDigest(DevicePreset p) throws IOException, java.security.NoSuchAlgorithmException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    SplittableRandom r = new SplittableRandom(42);
    try (EmulatorDriver d = EmulatorDriver.open(p, List.of(new int[] {8, 8}), 3)) {
      Pulse up = Pulse.up(1.0, Duration.ofNanos(100));
      Pulse down = Pulse.down(1.0, Duration.ofNanos(100));
      for (int i = 0; i < 200; i++) {
        Cell c = new Cell(0, i % 3 == 0 ? Plane.REFERENCE : Plane.ACTIVE, r.nextInt(8), r.nextInt(8));
        Pulse shape = (i % 2 == 0 ? up : down);
        if (i % 5 == 0) shape = shape.withAmplitudeVolts(0.5 + r.nextDouble()).withWidthNanos(50 + r.nextInt(200));
        out.writeDouble(d.pulseThenRead(c, shape, 1 + r.nextInt(20), 0.2));
      }
      for (int u = 0; u < 20; u++) {
        long[] rb = new long[8];
        long[] cb = new long[8];
        byte[] rs = new byte[8];
        byte[] cs = new byte[8];
        for (int k = 0; k < 8; k++) {
          rb[k] = r.nextLong() & ((1L << 31) - 1);
          cb[k] = r.nextLong() & ((1L << 31) - 1);
          rs[k] = (byte) (r.nextBoolean() ? 1 : -1);
          cs[k] = (byte) (r.nextBoolean() ? 1 : -1);
        }
        d.parallelUpdate(new Tile(0, 0, 0, 8, 8), u % 2 == 0 ? Plane.ACTIVE : Plane.REFERENCE, new StochasticUpdate(31, rb, rs, cb, cs, up, down));
      }
      double[] v = new double[8];
      for (int k = 0; k < 8; k++) v[k] = 0.2 * (r.nextDouble() * 2 - 1);
      for (double x : d.forwardRead(new Tile(0, 0, 0, 8, 8), ReadMode.DIFFERENTIAL, v)) out.writeDouble(x);
      for (double x : d.readArray(0, Plane.ACTIVE, 0.2).siemens()) out.writeDouble(x);
      d.writeState(out);
    }
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
  }
}
