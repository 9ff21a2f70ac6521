package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.calibration.CalibrationSettings;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Boards;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.SafetyEnvelope;

/**
 * The pulse period is a stated parameter: {@code --period}, or by default twice the width unless the board's
 * (or envelope's) maximum pulse rate needs longer. A board limited to 1 MHz therefore works with the default
 * 100 ns width (period 1 us), where the old fixed rule (period = 2 x width = 200 ns, 5 MHz) was refused.
 */
class PulsePeriodTest {
  private static final String BOARD = "sim:ideal?arrays=1&rows=2&cols=2&seed=3";

  @TempDir Path tmp;

  private String oneMegahertzProfile() throws Exception {
    return oneMegahertzProfile("profile.json", 10000);
  }

  private String oneMegahertzProfile(String name, int maxPulsesPerCommand) throws Exception {
    Path f = tmp.resolve(name);
    Files.writeString(f, "{ \"maxPulseVolts\": 1.5, \"maxReadVolts\": 0.3, \"minPulseWidth\": \"100ns\", \"maxPulseWidth\": \"10ms\","
        + " \"maxPulsesPerCommand\": " + maxPulsesPerCommand + ", \"maxPulseRateHz\": 1e6, \"complianceAmps\": 1e-3 }");
    return f.toString();
  }

  @Test
  void aOneMegahertzBoardTakesTheDefault100NanosecondPulseAtAOneMicrosecondPeriod() throws Exception {
    CliRun.Result r = CliRun.run("pulse", "--board", BOARD, "--envelope", oneMegahertzProfile(), "--cell", "0,0", "--up", "--amplitude", "1.0",
        "--width", "100ns", "--count", "3");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("(period 1us)"), r.out());
  }

  @Test
  void aStatedPeriodIsUsedAndOneTooShortForTheRateLimitIsRefusedBeforeAnythingIsSent() throws Exception {
    CliRun.Result ok = CliRun.run("pulse", "--board", BOARD, "--envelope", oneMegahertzProfile(), "--cell", "0,0", "--up", "--amplitude", "1.0",
        "--width", "100ns", "--period", "2us", "--count", "3");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("(period 2us)"), ok.out());
    CliRun.Result fast = CliRun.run("pulse", "--board", BOARD, "--envelope", oneMegahertzProfile(), "--cell", "0,0", "--up", "--amplitude", "1.0",
        "--width", "100ns", "--period", "500ns");
    assertEquals(2, fast.code(), fast.err());
    assertTrue(fast.err().startsWith("rramctl: pulse rate"), fast.err());
    CliRun.Result shorter = CliRun.run("pulse", "--board", BOARD, "--cell", "0,0", "--up", "--amplitude", "1.0", "--width", "100ns", "--period", "50ns");
    assertEquals(2, shorter.code(), shorter.err());
    assertTrue(shorter.err().startsWith("rramctl: --period: 50ns (expected: at least the width 100ns)"), shorter.err());
  }

  @Test
  void aProcedureWithTheDefaultWidthRunsOnAOneMegahertzBoard() throws Exception {
    CliRun.Result r = CliRun.run("procedure", "pulse-response", "--board", BOARD, "--envelope", oneMegahertzProfile(), "--cells", "0,0",
        "--runs", tmp.resolve("runs").toString(), "--pulses", "5", "--cycles", "1");
    assertEquals(0, r.code(), r.err());
  }

  private int runs;

  private CliRun.Result trainOnOneMegahertz(String... pulse) throws Exception {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", "--side", "7", "--layers", "49-16-10", "--epochs", "1",
        "--train-limit", "20", "--test-limit", "20", "--out", tmp.resolve("train" + runs++).toString(), "--no-progress",
        "--board", "sim:rram-imbalanced?ratio=1&geometry=50x16,17x10&seed=2", "--envelope", oneMegahertzProfile("train-profile.json", 100_000),
        "--pulse-volts", "1.0"));
    args.addAll(java.util.List.of(pulse));
    return CliRun.run(args.toArray(String[]::new));
  }

  @Test
  @org.junit.jupiter.api.Timeout(120)
  void trainingWithAGivenWidthTakesTheBoardsPeriodAndAStatedPeriodIsKeptOrRefused() throws Exception {
    CliRun.Result r = trainOnOneMegahertz("--pulse-width", "100ns");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("pulse 1.0 V / 100ns, read 0.2 V (pulse as given), period 1us"), r.out());
    CliRun.Result stated = trainOnOneMegahertz("--pulse-width", "100ns", "--pulse-period", "2us");
    assertEquals(0, stated.code(), stated.err());
    assertTrue(stated.out().contains("period 2us"), stated.out());
    CliRun.Result fast = trainOnOneMegahertz("--pulse-width", "100ns", "--pulse-period", "200ns");
    assertEquals(2, fast.code(), fast.err());
    assertTrue(fast.err().startsWith("rramctl: pulse rate"), fast.err());
    CliRun.Result alone = trainOnOneMegahertz("--pulse-period", "2us");
    assertEquals(2, alone.code(), alone.err());
    assertTrue(alone.err().startsWith("rramctl: --pulse-volts/--pulse-width: only one given"), alone.err());
  }

  @Test
  void calibrationPulsesKeepTheBoardsRateLimit() throws Exception {
    try (EnvelopedDriver d = Boards.open(BOARD, null)) {
      BoardInfo sim = d.info();
      assertEquals(200, CalibrationSettings.defaults(sim).upPulse().periodNanos(), "50 % duty where the rate allows it");
      BoardInfo oneMegahertz = new BoardInfo(sim.boardId(), sim.model(), sim.firmwareVersion(), sim.protocolVersion(), sim.arrays(),
          sim.hardwareLimits().withMaxPulseRateHz(1e6), sim.adcBits(), sim.gMinSiemens(), sim.gMaxSiemens(), sim.nativeOps());
      CalibrationSettings s = CalibrationSettings.defaults(oneMegahertz);
      assertEquals(1000, s.upPulse().periodNanos());
      assertEquals(1000, s.downPulse().periodNanos());
      SafetyEnvelope.of(oneMegahertz).checkPulses(s.upPulse(), 1);
    }
  }
}
