package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calibrate --check FILE --check-sample N}: symmetry-point drift on a sample against a record (issue 19 point 3). */
class CalibrateCheckSampleTest {
  private static final String BOARD = "sim:rram-imbalanced?arrays=1&rows=8&cols=8&seed=3";

  private final StringBuilder out = new StringBuilder();
  private final StringBuilder err = new StringBuilder();

  private int run(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "calibrate";
    System.arraycopy(args, 0, all, 1, args.length);
    CliRun.Result r = CliRun.run(all);
    out.setLength(0);
    out.append(r.out());
    err.append(r.err());
    return r.code();
  }

  private int movedOf(String text) {
    Matcher m = Pattern.compile("moved beyond 1\\.00 % of the window: (\\d+) of 6").matcher(text);
    assertTrue(m.find(), text);
    return Integer.parseInt(m.group(1));
  }

  @Test
  void theSameDevicesReportNoMoveAndDriftingOnesDo(@TempDir Path dir) {
    Path cal = dir.resolve("cal.json");
    assertEquals(0, run("--board", BOARD, "--fit-devices", "0", "--out", cal.toString()), err.toString());
    // the same chip (a fresh emulator of the same seed: the same devices): nothing moved
    assertEquals(0, run("--check", cal.toString(), "--board", BOARD, "--check-sample", "6"), err.toString());
    assertTrue(out.toString().contains("symmetry points re-measured: 6 devices chosen at random (seed 1"), out.toString());
    assertEquals(0, movedOf(out.toString()), out.toString());
    // the same devices with strong drift: the search's own ~10^4 pulses move ln(up/down) by about 0.5
    assertEquals(0, run("--check", cal.toString(), "--board", BOARD + "&drift=50", "--check-sample", "6"), err.toString());
    assertTrue(movedOf(out.toString()) >= 5, out.toString());
    assertTrue(out.toString().contains("re-calibrate (or train with --recheck-every)"), out.toString());
  }

  @Test
  void aSampleWithoutARecordIsRefused() {
    assertEquals(2, run("--board", BOARD, "--check-sample", "4", "--out", "x.json"));
    assertTrue(err.toString().contains("--check-sample: 4 without --check (expected: --check FILE, the record to compare with)"), err.toString());
  }
}
