package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.rramctl.driver.Cell;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.DriverException;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.MalformedMessageException;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.RefusedException;
import org.rramctl.driver.TimeoutNothingRanException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Each kind of driver error gets one line shaped {@code rramctl: SOURCE: KIND: DETAIL} and its own exit code. */
class DriverErrorExitTest {
  @Command(name = "fail")
  static final class Fail implements Callable<Integer> {
    Exception toThrow;

    @Override
    public Integer call() throws Exception {
      throw toThrow;
    }
  }

  private record Run(int code, String err) {}

  private static Run run(Exception e) {
    CommandLine cl = Main.commandLine();
    Fail fail = new Fail();
    fail.toThrow = e;
    cl.addSubcommand("fail", fail);
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    return new Run(cl.execute("fail"), err.toString());
  }

  @Test
  void eachKindHasOneLineAndItsOwnExitCode() {
    Map<DriverException, Integer> expected = Map.of(
        new OutcomeUnknownException("/dev/ttyACM0", "PULSE", 12, Duration.ofMillis(1500), "the link was lost before the board answered", null), 3,
        new RefusedException("/dev/ttyACM0", "PULSE", 13, "OUT_OF_RANGE", "amplitude: 9 V (expected: <= 5 V)", Cell.active(0, 1, 2), null), 4,
        new TimeoutNothingRanException("/dev/ttyACM0", "READ", 14, Duration.ofMillis(900), "no answer after 3 attempts", null), 5,
        new LinkLostException("/dev/ttyACM0", "read returned -1"), 6,
        new MalformedMessageException("tcp://127.0.0.1:5555", "reply: 3 bytes (expected: at least 5)", 0x81, 3, null), 7,
        new DriverAbortedException("/dev/ttyACM0", "PULSE (sequence 15) after 31 pulses; outputs idle"), 130);
    assertEquals(DriverException.Kind.values().length, expected.size(), "every kind is tried");
    for (Map.Entry<DriverException, Integer> e : expected.entrySet()) {
      Run r = run(e.getKey());
      assertEquals(e.getValue(), r.code(), e.getKey().kind() + ": " + r.err());
      assertEquals(e.getValue(), Main.exitCode(e.getKey().kind()));
      assertEquals("rramctl: " + e.getKey().getMessage() + System.lineSeparator(), r.err(), "one line, no class name");
    }
  }

  @Test
  void aWrappedDriverErrorIsReportedAsItsKind() {
    OutcomeUnknownException u = new OutcomeUnknownException("pipe:a", "UPDATE", 3, null, "the board rebooted and does not remember it", null);
    Run r = run(new UncheckedIOException(u));
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().startsWith("rramctl: pipe:a: outcome unknown: UPDATE (sequence 3)"), r.err());
  }
}
