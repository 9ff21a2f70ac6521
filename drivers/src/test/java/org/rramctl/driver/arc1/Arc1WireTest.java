package org.rramctl.driver.arc1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rramctl.driver.BoardUri;

class Arc1WireTest {
  @Test
  void realNumbersAreWrittenAsPythonsPercentFWritesThem() {
    // Expected texts printed by CPython 3.11: print('%f' % v) for each v.
    assertEquals("0.100000", Arc1Wire.sixDecimals(0.1));
    assertEquals("0.000000", Arc1Wire.sixDecimals(1e-7));
    assertEquals("0.000000", Arc1Wire.sixDecimals(5e-7));
    assertEquals("1.000001", Arc1Wire.sixDecimals(1.0000005));
    assertEquals("2.675000", Arc1Wire.sixDecimals(2.675));
    assertEquals("0.000100", Arc1Wire.sixDecimals(100e-6));
    assertEquals("-2.500000", Arc1Wire.sixDecimals(-2.5));
    assertEquals("12.000000", Arc1Wire.sixDecimals(12));
  }

  @Test
  void widthsAreWholeMicrosecondsOrRefused() {
    assertEquals("0.000100", Arc1Wire.seconds(100_000));
    assertEquals("0.000001", Arc1Wire.seconds(1_000));
    assertEquals("10.000000", Arc1Wire.seconds(10_000_000_000L));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Arc1Wire.seconds(500));
    assertTrue(e.getMessage().contains("0.000000 s"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Arc1Wire.seconds(90));
    assertThrows(IllegalArgumentException.class, () -> Arc1Wire.seconds(100_500));
  }

  @Test
  void amplitudesMustSurviveSixDecimals() {
    assertEquals("2.500000", Arc1Wire.exact("pulse amplitude", 2.5, "V"));
    assertEquals("1.100000", Arc1Wire.exact("pulse amplitude", 1.1, "V"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Arc1Wire.exact("pulse amplitude", 1.1234567, "V"));
    assertTrue(e.getMessage().startsWith("pulse amplitude: 1.1234567 V") && e.getMessage().contains("nearest: 1.123457"), e.getMessage());
  }

  @Test
  void commandsAreLinesAndRepliesLittleEndianFloat32() {
    assertEquals("3\n2\n7\n2.500000\n0.000100\n", new String(Arc1Wire.command("3", "2", "7", "2.500000", "0.000100"), java.nio.charset.StandardCharsets.US_ASCII));
    byte[] f = Arc1Wire.float32(19183.84f);
    assertEquals("ae df 95 46", java.util.HexFormat.ofDelimiter(" ").formatHex(f));
    assertEquals(19183.84f, Arc1Wire.float32(f, 0));
    assertEquals("01 00 00 00", java.util.HexFormat.ofDelimiter(" ").formatHex(Arc1Wire.version(1, 0)));
  }

  @Test
  void uriOptionsBecomeSettingsAndBadOnesAreNamed() {
    Arc1Settings s = Arc1DriverProvider.settings(BoardUri.parse("arc1:/dev/ttyACM0?words=16&bits=8&readVolts=0.2&readMode=tia&readCycles=50&sneakPath=half&writeDelay=0.5"));
    assertEquals(16, s.words());
    assertEquals(8, s.bits());
    assertEquals(0.2, s.readVolts());
    assertEquals(Arc1Settings.ReadMode.TIA, s.readMode());
    assertEquals(50, s.readCycles());
    assertEquals(Arc1Settings.SneakPath.HALF, s.sneakPath());
    assertEquals(500_000, s.writeDelay().toNanos());
    assertEquals(Arc1Settings.defaults(), Arc1DriverProvider.settings(BoardUri.parse("arc1:/dev/ttyACM0")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Arc1DriverProvider.settings(BoardUri.parse("arc1:/dev/x?words=33")));
    assertTrue(e.getMessage().contains("words=33") && e.getMessage().contains("1..32"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Arc1DriverProvider.settings(BoardUri.parse("arc1:/dev/x?sneakPath=quarter")));
    assertTrue(e.getMessage().contains("third, half, float"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Arc1DriverProvider.settings(BoardUri.parse("arc1:/dev/x?readVolts=0.1234567")));
    assertTrue(e.getMessage().contains("six decimals"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Arc1DriverProvider().open(BoardUri.parse("arc1:/dev/x?speed=9")));
    assertTrue(e.getMessage().contains("unknown parameter 'speed'"), e.getMessage());
  }
}
