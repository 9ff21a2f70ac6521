package org.rramctl.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CrcTest {

  /**
   * CRC-32C computed bit by bit from its definition (reflected polynomial 0x82F63B78, init and xorout
   * 0xFFFFFFFF), independent of java.util.zip, to check the JDK and the golden vectors against.
   */
  static int bitwiseCrc32c(byte[] b, int off, int len) {
    int crc = 0xFFFFFFFF;
    for (int i = off; i < off + len; i++) {
      crc ^= b[i] & 0xFF;
      for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
    }
    return ~crc;
  }

  @Test
  void checkValueOf123456789IsE3069283() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0xE3069283, Crc.crc32c(check, 0, check.length));
    assertEquals(0xE3069283, bitwiseCrc32c(check, 0, check.length));
  }

}
