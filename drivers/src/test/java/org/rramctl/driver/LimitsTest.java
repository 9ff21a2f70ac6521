package org.rramctl.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class LimitsTest {
  private static Limits.Builder full() {
    return TestLimits.EMULATOR_LIKE.toBuilder();
  }

  @Test
  void everyLimitIsSetByItsNameAndReadBackUnderIt() {
    Limits l = full().build();
    assertEquals(3.0, l.maxPulseVolts());
    assertEquals(0.5, l.maxReadVolts());
    assertEquals(10, l.minPulseWidthNanos());
    assertEquals(10_000_000, l.maxPulseWidthNanos());
    assertEquals(100_000, l.maxPulsesPerCommand());
    assertEquals(50e6, l.maxPulseRateHz());
    assertEquals(1e-3, l.complianceAmps());
    assertEquals(Limits.DEFAULT_MIN_PULSE_VOLTS, l.minPulseVolts(), "the optional floor, left unset");
    assertEquals(0.02, full().minPulseVolts(0.02).build().minPulseVolts());
    Limits tiny = Limits.builder().maxPulseVolts(0.5e-3).maxReadVolts(0.5).minPulseWidthNanos(10).maxPulseWidthNanos(100).maxPulsesPerCommand(1)
        .maxPulseRateHz(1e6).complianceAmps(1e-3).build();
    assertEquals(0.5e-3, tiny.minPulseVolts(), "a default floor never above the maximum");
    assertEquals(l, l.toBuilder().build());
    assertNotEquals(l, l.withMinPulseVolts(0.02));
    assertEquals(l.hashCode(), full().build().hashCode());
    assertNotEquals(l, l.withComplianceAmps(2e-3));
  }

  @Test
  void aLimitLeftUnsetIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Limits.builder().maxPulseVolts(3.0).maxReadVolts(0.5).build());
    assertEquals("minPulseWidthNanos: not set (expected: every limit named in Limits.builder())", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> full().maxReadVolts(Double.NaN).build());
    assertEquals("maxReadVolts: NaN (expected: finite and > 0)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> full().minPulseVolts(4.0).build());
    assertEquals("minPulseVolts: 4.0 (expected: <= maxPulseVolts 3.0)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> full().minPulseVolts(0).build());
    assertEquals("minPulseVolts: 0.0 (expected: finite and > 0)", e.getMessage());
  }

  @Test
  void jsonCarriesTheLimitsByNameBothWays() throws Exception {
    ObjectNode n = new ObjectMapper().valueToTree(full().minPulseVolts(0.02).build());
    List<String> names = new java.util.ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    assertEquals(List.of("maxPulseVolts", "maxReadVolts", "minPulseWidthNanos", "maxPulseWidthNanos", "maxPulsesPerCommand", "maxPulseRateHz", "complianceAmps",
        "minPulseVolts"), names);
    assertTrue(n.get("maxPulseRateHz").asDouble() == 50e6, n.toString());
    assertEquals(full().minPulseVolts(0.02).build(), new ObjectMapper().treeToValue(n, Limits.class), "read back from JSON");
  }

  @Test
  void aJournalWrittenBeforeTheAmplitudeFloorStillLoadsWithTheDefaultFloor() throws Exception {
    String old = "{\"maxPulseVolts\":3.0,\"maxReadVolts\":0.5,\"minPulseWidthNanos\":10,\"maxPulseWidthNanos\":10000000,"
        + "\"maxPulsesPerCommand\":100000,\"maxPulseRateHz\":5.0E7,\"complianceAmps\":0.001}";
    Limits l = new ObjectMapper().readValue(old, Limits.class);
    assertEquals(full().build(), l);
    assertEquals(Limits.DEFAULT_MIN_PULSE_VOLTS, l.minPulseVolts());
  }
}
