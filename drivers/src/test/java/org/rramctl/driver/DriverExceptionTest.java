package org.rramctl.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.rramctl.driver.DriverException.Kind;

class DriverExceptionTest {
  private static final Cell CELL = Cell.active(0, 1, 2);

  /** A protocol's error codes, as RefusedException.hasCode compares them. */
  private enum Code { OUT_OF_RANGE, BUSY }

  /** One instance of every kind, as a driver would throw it. */
  private static List<DriverException> oneOfEach() {
    return List.of(
        new OutcomeUnknownException("/dev/ttyACM0", "PULSE", 12, Duration.ofMillis(1500), "the link was lost before the board answered", null),
        new RefusedException("/dev/ttyACM0", "PULSE", 13, "OUT_OF_RANGE", "amplitude: 9 V (expected: <= 5 V)", CELL, null),
        new TimeoutNothingRanException("/dev/ttyACM0", "READ", 14, Duration.ofMillis(900), "no answer after 3 attempts", null),
        new LinkLostException("/dev/ttyACM0", "read returned -1"),
        new MalformedMessageException("tcp://127.0.0.1:5555", "reply: 3 bytes (expected: at least 5)", 0x81, 3, null),
        new DriverAbortedException("/dev/ttyACM0", "PULSE (sequence 15) after 31 pulses; outputs idle"));
  }

  @Test
  void theFamilyHasExactlyTheSixKindsAndNoneIsAnInterruptedIoException() {
    Set<Class<?>> permitted = Arrays.stream(DriverException.class.getPermittedSubclasses()).collect(Collectors.toSet());
    assertEquals(Set.of(OutcomeUnknownException.class, RefusedException.class, TimeoutNothingRanException.class, LinkLostException.class,
        MalformedMessageException.class, DriverAbortedException.class), permitted);
    for (Class<?> k : permitted) {
      assertFalse(InterruptedIOException.class.isAssignableFrom(k), k + " would be swallowed by a catch (InterruptedIOException)");
    }
    EnumSet<Kind> seen = EnumSet.noneOf(Kind.class);
    for (DriverException e : oneOfEach()) assertTrue(seen.add(e.kind()), "one class per kind: " + e.kind());
    assertEquals(EnumSet.allOf(Kind.class), seen);
  }

  @Test
  void everyMessageReadsSourceKindDetail() {
    for (DriverException e : oneOfEach()) {
      assertTrue(e.getMessage().startsWith(e.source() + ": " + e.kind().words() + ": "), e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
    assertEquals("aborted: abort requested", new DriverAbortedException("", "abort requested").getMessage(), "no source, no leading colon");
  }

  @Test
  void theContextSurvivesAsGetters() {
    OutcomeUnknownException u = (OutcomeUnknownException) oneOfEach().get(0);
    assertEquals("PULSE", u.operation());
    assertEquals(12, u.sequence());
    assertEquals(Duration.ofMillis(1500), u.waited().orElseThrow());
    assertEquals("/dev/ttyACM0: outcome unknown: PULSE (sequence 12) may or may not have executed: the link was lost before the board answered"
        + " (waited 1500 ms); re-read the devices it touched before relying on them", u.getMessage());

    RefusedException r = (RefusedException) oneOfEach().get(1);
    assertEquals("OUT_OF_RANGE", r.code());
    assertTrue(r.hasCode(Code.OUT_OF_RANGE));
    assertFalse(r.hasCode(Code.BUSY));
    assertEquals(CELL, r.cell().orElseThrow());
    assertEquals(13, r.sequence());
    assertEquals("amplitude: 9 V (expected: <= 5 V)", r.detail());
    assertEquals("/dev/ttyACM0: refused: PULSE (sequence 13, cell " + CELL + "): OUT_OF_RANGE: amplitude: 9 V (expected: <= 5 V)", r.getMessage());

    TimeoutNothingRanException t = (TimeoutNothingRanException) oneOfEach().get(2);
    assertEquals(Duration.ofMillis(900), t.waited());
    assertEquals("READ", t.operation());
    assertEquals("/dev/ttyACM0: timed out, nothing ran: no answer to READ (sequence 14) within 900 ms: no answer after 3 attempts", t.getMessage());

    MalformedMessageException m = (MalformedMessageException) oneOfEach().get(4);
    assertEquals(0x81, m.opcode());
    assertEquals(3, m.offset());
    assertEquals("reply: 3 bytes (expected: at least 5)", m.what());
  }
}
