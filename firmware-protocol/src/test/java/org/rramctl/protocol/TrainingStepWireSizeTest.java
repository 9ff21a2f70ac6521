package org.rramctl.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The wire sizes PROTOCOL.md quotes for one training step of the first layer of a 784-256-128-10
 * network (a 785 x 256 tile: 784 inputs and a bias row), with MNIST-like sparsity: 151 of 785 rows carry
 * a non-zero input (the bias and about 19 % of the pixels, the MNIST mean), half of the 256 columns
 * carry a non-zero delta stream, BL = 31.
 */
class TrainingStepWireSizeTest {
  private static final TileAddress TILE = new TileAddress(0, 0, 0, 785, 256);
  private static final PulseShape SHAPE = new PulseShape(1000, 100, 200);

  /** {@code fire} of {@code n} entries spread evenly, with non-zero pseudo-random slot patterns; every third negative. */
  private static long[] streams(int n, int fire, int salt) {
    long[] s = new long[n];
    for (int k = 0; k < fire; k++) {
      long bits = ((k + salt) * 0x9E3779B97F4A7C15L >>> 17) & 0x7FFF_FFFFL;
      s[(int) ((long) k * n / fire)] = (bits == 0 ? 1 : bits) * (k % 3 == 0 ? -1 : 1);
    }
    return s;
  }

  private static int wire(Message m) {
    return MessageCodec.frame(m, 1).length;
  }

  @Test
  void forwardReadOfA785By256TileIsTwoFramesOfAboutOneAndAHalfAndOneKilobyte() {
    short[] x = new short[785];
    for (int k = 0; k < 151; k++) x[k * 785 / 151] = (short) (200 + 37 * k % 1800);
    assertEquals(1591, wire(new Command.ForwardRead(TILE, WireReadMode.DIFFERENTIAL, x)));
    float[] out = new float[256];
    for (int k = 0; k < out.length; k++) out[k] = 1e-6f * (k + 1) / 7;
    assertEquals(1041, wire(new Response.Currents(0, false, 0, out)));
  }

  @Test
  void transposeReadOfA785By256TileIsTwoFramesOfHalfAndThreeKilobytes() {
    short[] d = new short[256];
    for (int k = 0; k < d.length; k++) d[k] = (short) ((k % 2 == 0 ? 1 : -1) * (50 + 13 * k % 900));
    assertEquals(533, wire(new Command.TransposeRead(TILE, WireReadMode.DIFFERENTIAL, d)));
    float[] out = new float[785];
    for (int k = 0; k < out.length; k++) out[k] = -1e-6f * (k + 1) / 7;
    assertEquals(3161, wire(new Response.Currents(0, false, 0, out)));
  }

  @Test
  void sparseUpdateOfA785By256TileIsOneFrameOfAboutOneKilobyteAndOneShortReply() {
    assertEquals(1326, wire(new Command.Update(TILE, WirePlane.ACTIVE, 31, SHAPE, SHAPE, streams(785, 151, 1), streams(256, 128, 2))));
    assertEquals(4475, wire(new Command.Update(TILE, WirePlane.ACTIVE, 31, SHAPE, SHAPE, streams(785, 785, 1), streams(256, 256, 2))));
    assertEquals(18, wire(new Response.UpdateProgress(0, false, 31, 123_456)));
  }
}
