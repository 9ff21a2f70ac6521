package org.rramctl.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CobsTest {
  private static final HexFormat HEX = HexFormat.of();

  /** The examples of the Wikipedia article "Consistent Overhead Byte Stuffing" (short ones). */
  @ParameterizedTest
  @CsvSource({
      "00, 0101",
      "0000, 010101",
      "001100, 01021101",
      "11220033, 0311220233",
      "11223344, 0511223344",
      "11000000, 0211010101",
  })
  void encodesTheReferenceExamples(String plain, String encoded) {
    byte[] p = HEX.parseHex(plain);
    assertEquals(encoded, HEX.formatHex(Cobs.encode(p, 0, p.length)));
    assertEquals(plain, HEX.formatHex(decode(HEX.parseHex(encoded))));
  }

  @Test
  void fullBlockAtTheEndGetsNoTrailingEmptyBlock() {
    byte[] p = new byte[254];
    for (int i = 0; i < p.length; i++) p[i] = (byte) (i + 1);
    byte[] e = Cobs.encode(p, 0, p.length);
    assertEquals(255, e.length);
    assertEquals((byte) 0xFF, e[0]);
    assertArrayEquals(p, decode(e));
    byte[] withTrailingBlock = Arrays.copyOf(e, 256);
    withTrailingBlock[255] = 1;
    assertArrayEquals(p, decode(withTrailingBlock));
  }

  @Test
  void fullBlockFollowedByMoreDataStartsANewBlock() {
    byte[] p = new byte[255];
    for (int i = 0; i < p.length; i++) p[i] = (byte) (i + 1);
    assertEquals("ff" + HEX.formatHex(p, 0, 254) + "02ff", HEX.formatHex(Cobs.encode(p, 0, p.length)));
  }

  @Test
  void blockCodeRunningPastTheEndIsInvalid() {
    byte[] bad = HEX.parseHex("051122");
    assertEquals(-1, Cobs.decode(bad, 0, bad.length, new byte[bad.length]));
  }


  private static byte[] decode(byte[] e) {
    byte[] out = new byte[e.length];
    int n = Cobs.decode(e, 0, e.length, out);
    return Arrays.copyOf(out, n);
  }
}
