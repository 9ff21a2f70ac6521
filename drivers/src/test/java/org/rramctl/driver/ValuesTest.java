package org.rramctl.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValuesTest {
  @Test
  void durationsParseWithUnitsAndRefuseEverythingElse() {
    assertEquals(100, Durations.parseNanos("100ns"));
    assertEquals(1500, Durations.parseNanos("1.5us"));
    assertEquals(10_000_000, Durations.parseNanos("10 ms"));
    assertEquals(2_000_000_000L, Durations.parseNanos("2s"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parseNanos("100"));
    assertEquals("duration: '100' (expected: a number with a unit ns, us, ms or s, e.g. 100ns or 1.5us)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Durations.parseNanos("0.5ns"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parseNanos("-1us"));
    assertEquals("100ns", Durations.format(100));
    assertEquals("2us", Durations.format(2000));
  }

  @Test
  void cellsParseFromTheCliForm() {
    assertEquals(Cell.active(0, 3, 4), Cell.parse("3,4", Plane.ACTIVE));
    assertEquals(Cell.reference(2, 3, 4), Cell.parse("2:3,4", Plane.REFERENCE));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cell.parse("3;4", Plane.ACTIVE));
    assertEquals("cell: '3;4' (expected: ROW,COL or ARRAY:ROW,COL, zero-based integers)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Cell.parse("-1,2", Plane.ACTIVE));
  }

  @Test
  void boardUrisSplitSchemePathAndParameters() {
    BoardUri u = BoardUri.parse("sim:rram-imbalanced?arrays=3&rows=256&cols=785&seed=7");
    assertEquals("sim", u.scheme());
    assertEquals("rram-imbalanced", u.path());
    assertEquals(256, u.intParam("rows", 0, 1, 1000));
    assertEquals("//host:5555", BoardUri.parse("zmq+tcp://host:5555").path());
    assertEquals("serial:/dev/ttyUSB0", BoardUri.parse("scpi:serial:/dev/ttyUSB0?baud=9600").path());
    assertThrows(IllegalArgumentException.class, () -> BoardUri.parse("nocolon"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BoardUri.parse("sim:?rows=x").intParam("rows", 1, 1, 10));
    assertEquals("board: 'sim:?rows=x': rows=x (expected: an integer 1..10)", e.getMessage());
  }

  @Test
  void stochasticUpdatesRefuseBitsBeyondTheBitLengthAndBadSigns() {
    Pulse up = Pulse.up(1, java.time.Duration.ofNanos(100));
    Pulse down = up.withPolarity(Polarity.DOWN);
    assertThrows(IllegalArgumentException.class, () -> new StochasticUpdate(4, new long[] {0x10}, new byte[] {1}, new long[] {1}, new byte[] {1}, up, down));
    assertThrows(IllegalArgumentException.class, () -> new StochasticUpdate(4, new long[] {1}, new byte[] {0}, new long[] {1}, new byte[] {1}, up, down));
    assertThrows(IllegalArgumentException.class, () -> new StochasticUpdate(64, new long[] {1}, new byte[] {1}, new long[] {1}, new byte[] {1}, up, down));
    assertThrows(IllegalArgumentException.class, () -> new StochasticUpdate(4, new long[] {1}, new byte[] {1}, new long[] {1}, new byte[] {1}, down, up));
    // the first bad entry is named, wherever it is
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new StochasticUpdate(4, new long[] {1, 0, 3}, new byte[] {1, 0, 2}, new long[] {1}, new byte[] {-1}, up, down));
    assertEquals("rowSigns[2]: 2 (expected: +1 or -1, or 0 where the stream is empty)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new StochasticUpdate(4, new long[] {1}, new byte[] {1}, new long[] {0, 0, 0x30}, new byte[] {0, 1, -1}, up, down));
    assertEquals("colBits[2]: 0x30 (expected: only bits 0..3)", e.getMessage());
    // valid: an empty stream with sign 0, or with a sign
    new StochasticUpdate(4, new long[] {0, 0, 0xF}, new byte[] {0, -1, 1}, new long[] {0xF}, new byte[] {-1}, up, down);
  }

  @Test
  void boardProfilesLoadAndNameTheBadKey(@TempDir Path dir) throws IOException {
    Path ok = dir.resolve("ok.json");
    Files.writeString(ok, "{\"maxPulseVolts\": 1.5, \"maxReadVolts\": 0.3, \"minPulseWidth\": \"100ns\", \"maxPulseWidth\": \"10ms\","
        + " \"maxPulsesPerCommand\": 10000, \"maxPulseRateHz\": 1e6, \"complianceAmps\": 1e-3}");
    SafetyEnvelope env = SafetyEnvelope.load(ok);
    assertEquals(1.5, env.limits().maxPulseVolts());
    assertEquals(10_000_000, env.limits().maxPulseWidthNanos());
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"maxPulseVolts\": \"high\"}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetyEnvelope.load(bad));
    assertEquals(bad + ": maxPulseVolts: \"high\" (expected: a number)", e.getMessage());
    Path notJson = dir.resolve("x.json");
    Files.writeString(notJson, "{{{");
    // Malformed is bad input like a bad key (one rule for file errors: exit 2), not an I/O failure.
    IllegalArgumentException io = assertThrows(IllegalArgumentException.class, () -> SafetyEnvelope.load(notJson));
    assertEquals(true, io.getMessage().startsWith(notJson + ": not a readable JSON board profile"));
  }

  @Test
  void theEnvelopeRefusesAnAmplitudeBelowItsFloorInsteadOfRoundingIt(@TempDir Path dir) throws IOException {
    Limits board = TestLimits.EMULATOR_LIKE;
    assertEquals(Limits.DEFAULT_MIN_PULSE_VOLTS, board.minPulseVolts(), "the 1 mV floor of limits that state none");
    SafetyEnvelope env = new SafetyEnvelope(board);
    // An i64 1 read as a double: 4.9e-324 V, a finite amplitude > 0 that no board can produce.
    EnvelopeViolationException e = assertThrows(EnvelopeViolationException.class, () -> env.checkPulse(Pulse.up(Double.MIN_VALUE, Duration.ofNanos(100))));
    assertEquals("pulse amplitude", e.limit());
    assertEquals("0.00100000 V <= V <= 3.00000 V", e.allowed());
    env.checkPulse(Pulse.up(1e-3, Duration.ofNanos(100)));
    Path profile = dir.resolve("floor.json");
    Files.writeString(profile, "{\"maxPulseVolts\": 1.5, \"maxReadVolts\": 0.3, \"minPulseWidth\": \"100ns\", \"maxPulseWidth\": \"10ms\","
        + " \"maxPulsesPerCommand\": 10000, \"maxPulseRateHz\": 1e6, \"complianceAmps\": 1e-3, \"minPulseVolts\": 0.05}");
    SafetyEnvelope strict = SafetyEnvelope.load(profile);
    assertEquals("pulse amplitude", assertThrows(EnvelopeViolationException.class, () -> strict.checkPulse(Pulse.up(0.04, Duration.ofNanos(1000)))).limit());
    strict.checkPulse(Pulse.up(0.05, Duration.ofNanos(1000)));
    BoardInfo coarse = new BoardInfo("coarse", "m", "f", 0, java.util.List.of(new ArrayGeometry(0, 2, 2, false)), board.withMinPulseVolts(0.1), 12, 1e-6, 1e-4,
        java.util.Set.of());
    IllegalArgumentException wider = assertThrows(IllegalArgumentException.class, () -> strict.within(coarse));
    assertTrue(wider.getMessage().contains("minPulseVolts 0.05 < 0.1"), wider.getMessage());
  }
}
