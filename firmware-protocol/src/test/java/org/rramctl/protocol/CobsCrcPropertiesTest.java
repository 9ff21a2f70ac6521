package org.rramctl.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class CobsCrcPropertiesTest {

  @Property(tries = 300)
  void cobsDecodeInvertsEncodeAndRemovesEveryZero(@ForAll @Size(max = 2000) byte[] bytes) {
    byte[] e = Cobs.encode(bytes, 0, bytes.length);
    for (byte b : e) assertTrue(b != 0);
    assertTrue(e.length <= Cobs.maxEncodedLength(bytes.length));
    byte[] out = new byte[e.length];
    assertArrayEquals(bytes, Arrays.copyOf(out, Cobs.decode(e, 0, e.length, out)));
  }

  @Property(tries = 200)
  void jdkCrcAgreesWithTheBitwiseDefinition(@ForAll byte[] bytes) {
    assertEquals(CrcTest.bitwiseCrc32c(bytes, 0, bytes.length), Crc.crc32c(bytes, 0, bytes.length));
  }
}
