package org.rramctl.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class WireUnitsTest {

  @Test
  void voltagesRoundToTheNearestLsb() {
    assertEquals(1500, WireUnits.pulseMillivolts(1.5004));
    assertEquals(2000, WireUnits.readCode(0.2));
    assertEquals(-500, WireUnits.readCode(-0.05));
    assertEquals(Short.MAX_VALUE, WireUnits.readCode(3.2767));
    assertEquals(0.2, WireUnits.readVolts(2000), 1e-12);
    assertEquals(30.85e-6, WireUnits.siemens(1234, 2.5e-8f), 1e-12);
  }

  @Test
  void nanInfinityAndOutOfRangeAreRefusedNotClamped() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WireUnits.pulseMillivolts(Double.NaN));
    assertEquals("amplitudeVolts: NaN (expected: 0.001..65.535, in steps of 0.001)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> WireUnits.pulseMillivolts(0.0004));
    assertThrows(IllegalArgumentException.class, () -> WireUnits.pulseMillivolts(70));
    assertThrows(IllegalArgumentException.class, () -> WireUnits.readCode(Double.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> WireUnits.readCode(3.3));
  }
}
