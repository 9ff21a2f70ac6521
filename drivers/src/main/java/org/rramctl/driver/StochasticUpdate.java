package org.rramctl.driver;

/**
 * A parallel stochastic update program (Gokmen and Vlasov 2016; DESIGN.md section 4) for one plane of a
 * tile. In each of {@code bitLength} time slots, row j fires if bit k of {@code rowBits[j]} is set and
 * column i fires if bit k of {@code colBits[i]} is set; each coincidence is one pulse on device (j, i).
 * A device's pulses in one program all share a polarity: UP when {@code rowSigns[j] * colSigns[i] > 0},
 * DOWN when it is negative. Device (j, i) therefore receives
 * {@code Long.bitCount(rowBits[j] & colBits[i])} pulses, with the {@code up} or {@code down} shape.
 *
 * <p>For speed the arrays are not copied: the caller must not modify them until the driver call returns.
 *
 * @param bitLength number of time slots BL, 1..63
 * @param rowBits per tile row, the slots in which it fires (bits 0..BL-1)
 * @param rowSigns per tile row, +1 or -1 (0 allowed only where rowBits is 0)
 * @param colBits per tile column, the slots in which it fires
 * @param colSigns per tile column, +1 or -1 (0 allowed only where colBits is 0)
 * @param up the pulse shape applied for an UP coincidence
 * @param down the pulse shape applied for a DOWN coincidence
 */
public record StochasticUpdate(
    int bitLength, long[] rowBits, byte[] rowSigns, long[] colBits, byte[] colSigns, Pulse up, Pulse down) {

  /** The longest bit stream one program may carry. */
  public static final int MAX_BIT_LENGTH = 63;

  public StochasticUpdate {
    if (bitLength < 1 || bitLength > MAX_BIT_LENGTH) {
      throw new IllegalArgumentException("bitLength: " + bitLength + " (expected: 1.." + MAX_BIT_LENGTH + ")");
    }
    if (rowBits == null || rowSigns == null || rowBits.length != rowSigns.length) {
      throw new IllegalArgumentException("rowBits/rowSigns: lengths differ or null (expected: one entry per tile row)");
    }
    if (colBits == null || colSigns == null || colBits.length != colSigns.length) {
      throw new IllegalArgumentException("colBits/colSigns: lengths differ or null (expected: one entry per tile column)");
    }
    if (up == null || up.polarity() != Polarity.UP) throw new IllegalArgumentException("up: " + up + " (expected: an UP pulse)");
    if (down == null || down.polarity() != Polarity.DOWN) throw new IllegalArgumentException("down: " + down + " (expected: a DOWN pulse)");
    long mask = bitLength == 64 ? -1L : (1L << bitLength) - 1;
    checkStreams("row", rowBits, rowSigns, mask, bitLength);
    checkStreams("col", colBits, colSigns, mask, bitLength);
  }

  private static void checkStreams(String what, long[] bits, byte[] signs, long mask, int bitLength) {
    // One pass without branches on the data finds whether anything is wrong (this runs on every training
    // update); only then the second pass finds the first bad entry for the message.
    long outside = 0;
    boolean signsOk = true;
    for (int k = 0; k < bits.length; k++) {
      long b = bits[k];
      int s = signs[k];
      outside |= b & ~mask;
      signsOk &= (s * s == 1) | ((s | b) == 0);
    }
    if (outside == 0 && signsOk) return;
    for (int k = 0; k < bits.length; k++) {
      if ((bits[k] & ~mask) != 0) {
        throw new IllegalArgumentException(what + "Bits[" + k + "]: 0x" + Long.toHexString(bits[k]) + " (expected: only bits 0.." + (bitLength - 1) + ")");
      }
      byte s = signs[k];
      if (s != 1 && s != -1 && !(s == 0 && bits[k] == 0)) {
        throw new IllegalArgumentException(what + "Signs[" + k + "]: " + s + " (expected: +1 or -1, or 0 where the stream is empty)");
      }
    }
  }

  /**
   * A program that gives every device of a rows x cols tile exactly one pulse of the given polarity:
   * the building block of array-parallel alternating pulses (calibration, DESIGN.md section 3).
   */
  public static StochasticUpdate uniform(int rows, int cols, Polarity polarity, Pulse up, Pulse down) {
    long[] rb = new long[rows];
    byte[] rs = new byte[rows];
    long[] cb = new long[cols];
    byte[] cs = new byte[cols];
    java.util.Arrays.fill(rb, 1L);
    java.util.Arrays.fill(rs, (byte) 1);
    java.util.Arrays.fill(cb, 1L);
    java.util.Arrays.fill(cs, (byte) polarity.sign());
    return new StochasticUpdate(1, rb, rs, cb, cs, up, down);
  }

  /** Pulses this program applies to device (row, col) of the tile, with sign: positive UP, negative DOWN. */
  public int signedPulses(int row, int col) {
    int n = Long.bitCount(rowBits[row] & colBits[col]);
    return rowSigns[row] * colSigns[col] >= 0 ? n : -n;
  }

  public int rows() {
    return rowBits.length;
  }

  public int cols() {
    return colBits.length;
  }
}
