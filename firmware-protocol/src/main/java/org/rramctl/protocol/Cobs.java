package org.rramctl.protocol;

/**
 * Consistent Overhead Byte Stuffing (Cheshire and Baker, IEEE/ACM ToN 1999): removes every 0x00 from a
 * payload so that 0x00 can delimit frames, at a cost of one byte plus one per 254 bytes.
 *
 * <p>The encoder is the widely copied reference form (Wikipedia's {@code cobsEncode}): when the input
 * ends exactly after a full 254-byte block it emits no trailing empty block. The decoder accepts both
 * that and the variant which does emit it (a final 0x01).
 */
public final class Cobs {
  private Cobs() {}

  /** Upper bound of the encoded length of {@code n} bytes, delimiter excluded. */
  public static int maxEncodedLength(int n) {
    return n + 1 + n / 254;
  }

  /** Encodes {@code len} bytes of {@code src} from {@code off}; the result contains no 0x00. */
  public static byte[] encode(byte[] src, int off, int len) {
    byte[] dst = new byte[maxEncodedLength(len)];
    int codeAt = 0;
    int out = 1;
    int code = 1;
    for (int i = off; i < off + len; i++) {
      byte b = src[i];
      if (b != 0) {
        dst[out++] = b;
        code++;
      }
      if (b == 0 || code == 0xFF) {
        dst[codeAt] = (byte) code;
        code = 1;
        codeAt = out;
        if (b == 0 || i < off + len - 1) out++;
      }
    }
    if (codeAt < out) dst[codeAt] = (byte) code;
    return out == dst.length ? dst : java.util.Arrays.copyOf(dst, out);
  }

  /**
   * Decodes {@code len} encoded bytes (no delimiter) into {@code dst}, which must hold {@code len} bytes.
   *
   * @return the decoded length, or -1 when the input is not valid COBS (a 0x00 inside, or a block code
   *     that runs past the end)
   */
  public static int decode(byte[] src, int off, int len, byte[] dst) {
    int in = off;
    int end = off + len;
    int out = 0;
    while (in < end) {
      int code = src[in++] & 0xFF;
      if (code == 0 || in + code - 1 > end) return -1;
      for (int k = 1; k < code; k++) {
        byte b = src[in++];
        if (b == 0) return -1;
        dst[out++] = b;
      }
      if (code != 0xFF && in < end) dst[out++] = 0;
    }
    return out;
  }
}
