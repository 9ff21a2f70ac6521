package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CliTest {
  private static CliRun.Result run(String... args) {
    return CliRun.run(args);
  }

  private static void assertOneLineError(CliRun.Result r, int code, String expected) {
    assertEquals(code, r.code(), r.err());
    assertEquals("", r.out());
    assertEquals(1, r.err().lines().count(), "exactly one line: " + r.err());
    assertEquals(expected, r.err().strip());
  }

  @Test
  void infoDescribesTheEmulatedBoard() {
    CliRun.Result r = run("info", "--board", "sim:rram-imbalanced?arrays=2&rows=16&cols=8");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("array 1    16 x 8 + reference array"), r.out());
    assertTrue(r.out().contains("envelope   pulse 0.00100 .. 3.00 V"), r.out());
    // forwardBound 12 weight x input units, a weight unit (100 - 1) / 2 uS, an input unit 0.2 V.
    assertTrue(r.out().contains("ADC 14 bits; vector reads saturate at +-0.000119 A"), r.out());
  }

  @Test
  void pulseMovesTheDeviceInItsDirection() {
    CliRun.Result up = run("pulse", "--board", "sim:ideal?arrays=1&rows=2&cols=2", "--cell", "1,1", "--up", "--amplitude", "1.0", "--width", "100ns", "--count", "100");
    assertEquals(0, up.code(), up.err());
    Matcher m = Pattern.compile("\\(([+-][0-9.]+) uS\\)").matcher(up.out());
    assertTrue(m.find(), up.out());
    // 100 nominal pulses on the ideal device from w = 0: dw = 1 - 0.999^100 = 0.0952 weight units, 49.5 uS per unit.
    assertEquals(0.0952 * 49.5, Double.parseDouble(m.group(1)), 0.01);
    CliRun.Result down = run("pulse", "--board", "sim:ideal?arrays=1&rows=2&cols=2", "--cell", "0:1,1", "--reference", "--down", "--amplitude", "1.0", "--width", "100ns");
    assertEquals(0, down.code(), down.err());
    assertTrue(down.out().startsWith("0:1,1 (reference)  1 x DOWN"), down.out());
  }

  @Test
  void readReportsTheConductance() {
    CliRun.Result r = run("read", "--board", "sim:ideal?arrays=1&rows=2&cols=2", "--cell", "0,1", "--vread", "0.1");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("(50.500 uS)") && r.out().contains("at 0.100 V"), r.out());
  }

  @Test
  void aCellOutsideTheArrayIsOneLineAndExitTwo() {
    assertOneLineError(run("read", "--board", "sim:?arrays=1&rows=4&cols=4", "--cell", "9,9"), 2,
        "rramctl: cell 0:9,9: outside array 0 (expected: row 0..3, col 0..3)");
  }

  @Test
  void aVoltageOverTheLimitIsRefusedBeforeAnyPulse() {
    assertOneLineError(run("pulse", "--board", "sim:?arrays=1&rows=4&cols=4", "--cell", "1,1", "--up", "--amplitude", "5", "--width", "100ns"), 2,
        "rramctl: pulse amplitude: 5.00000 V (allowed: 0.00100000 V <= V <= 3.00000 V)");
    assertOneLineError(run("read", "--board", "sim:?arrays=1&rows=4&cols=4", "--cell", "1,1", "--vread", "0.9"), 2,
        "rramctl: read voltage: 0.900000 V (allowed: 0 < V <= 0.500000 V)");
  }

  @Test
  void aMalformedDurationIsOneLine() {
    assertOneLineError(run("pulse", "--cell", "1,1", "--board", "sim:?arrays=1&rows=4&cols=4", "--down", "--amplitude", "1", "--width", "100xs"), 2,
        "rramctl: duration: '100xs' (expected: a number with a unit ns, us, ms or s, e.g. 100ns or 1.5us)");
  }

  @Test
  void anUnknownBoardNamesTheKnownSchemes() {
    CliRun.Result r = run("info", "--board", "foo:bar");
    assertEquals(2, r.code());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("rramctl: board: 'foo:bar': unknown scheme 'foo:' (expected: "), r.err());
    for (String scheme : new String[] {"sim:[PRESET]", "scpi:serial:"}) assertTrue(r.err().contains(scheme), "names " + scheme + ": " + r.err());
  }

  @Test
  void usageErrorsExitTwo() {
    CliRun.Result r = run("pulse", "--cell", "1,1");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("rramctl: "), r.err());
  }

  @Test
  void verboseAddsTheStackTrace() {
    CliRun.Result r = run("read", "--verbose", "--board", "sim:?arrays=1&rows=4&cols=4", "--cell", "9,9");
    assertEquals(2, r.code());
    assertTrue(r.err().lines().count() > 3, r.err());
  }

  @Test
  void demoShowsDevicesSettlingAtTheirSymmetryPoints() {
    CliRun.Result r = run("demo", "--settling-only", "--rows", "4", "--cols", "4", "--pairs", "6000");
    assertEquals(0, r.code(), r.err());
    Matcher m = Pattern.compile("All 16 devices: mean error ([0-9.]+)%, worst ([0-9.]+)%").matcher(r.out());
    assertTrue(m.find(), r.out());
    assertTrue(Double.parseDouble(m.group(1)) < 1.0, r.out());
    assertFalse(r.out().contains("Zero-shifting experiment"), "--settling-only stops after part 1: " + r.out());
  }

  @Test
  @org.junit.jupiter.api.Timeout(180)
  void demoEndsInTheZeroShiftingTableForRatiosOneAndThree(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    CliRun.Result r = run("demo", "--rows", "4", "--cols", "4", "--pairs", "2000", "--epochs", "1", "--train-limit", "60", "--out", dir.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("All 16 devices: mean error"), r.out());
    String pct = "[0-9]+\\.[0-9]{2} %";
    String table = r.out().substring(r.out().indexOf("# Zero-shifting experiment"));
    assertTrue(Pattern.compile("(?m)^\\| 1 \\| " + pct + " \\| " + pct + " \\|$").matcher(table).find(), table);
    assertTrue(Pattern.compile("(?m)^\\| 3 \\| " + pct + " \\| " + pct + " \\|$").matcher(table).find(), table);
    assertTrue(Pattern.compile("(?m)^\\| floating point \\(no devices\\) \\| " + pct + " \\| \\|$").matcher(table).find(), table);
    assertTrue(table.contains("Regime: Network 49-16-10"), table);
  }

  @Test
  void versionAndHelpWork() {
    assertEquals(0, run("--version").code());
    CliRun.Result h = run("--help");
    assertEquals(0, h.code());
    assertTrue(h.out().contains("demo") && h.out().contains("pulse"), h.out());
  }
}
