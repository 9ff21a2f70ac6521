package org.rramctl.sim.arc1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.DriverException;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.RefusedException;
import org.rramctl.driver.TimeoutNothingRanException;
import org.rramctl.driver.arc1.Arc1Driver;
import org.rramctl.driver.arc1.Arc1Settings;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.pty.PtyTransport;

/** The ArC ONE driver's handshake, refusals and failures, against the virtual board on an in-memory link. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Arc1DriverTest {
  private static final Arc1Settings FAST = Arc1Settings.defaults().withResetWait(Duration.ZERO).withWriteDelay(Duration.ZERO)
      .withReplyTimeout(Duration.ofMillis(300));
  /** One write per command (a write delay, however short, turns off the driver's collecting of commands). */
  private static final Arc1Settings PACED = FAST.withWriteDelay(Duration.ofNanos(1_000));
  private static final Pulse NOMINAL = Pulse.up(2.5, Duration.ofNanos(100_000));

  private static VirtualArc1 board() {
    return new VirtualArc1(VirtualArc1.arcScale(DevicePreset.named("rram-imbalanced")), 32, 32, 3);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.US_ASCII);
  }

  @Test
  void infoReportsTheBoardsLimitsAndNoNativeVectorOperationsButTheWholeArrayRead() throws IOException {
    try (Arc1Driver d = Arc1Driver.open(Arc1Link.to(board()), FAST.withGeometry(16, 8), 1e-6, 1e-4)) {
      assertEquals(16, d.info().array(0).rows());
      assertEquals(8, d.info().array(0).cols());
      assertFalse(d.info().array(0).hasReference());
      assertEquals(12.0, d.info().hardwareLimits().maxPulseVolts());
      assertEquals(1_000, d.info().hardwareLimits().minPulseWidthNanos());
      assertEquals(10_000_000_000L, d.info().hardwareLimits().maxPulseWidthNanos());
      assertEquals("1.0", d.info().firmwareVersion());
      assertTrue(d.info().supportsNatively(Capability.READ_ARRAY));
      for (Capability c : new Capability[] {Capability.READ_ROW, Capability.READ_COLUMN, Capability.FORWARD_READ, Capability.TRANSPOSE_READ,
          Capability.PARALLEL_UPDATE, Capability.REFERENCE_ARRAYS}) {
        assertFalse(d.info().supportsNatively(c), c.name());
      }
    }
  }

  @Test
  void readsAnswerTheInverseOfTheBoardsResistance() throws IOException {
    VirtualArc1 b = board();
    try (Arc1Driver d = Arc1Driver.open(Arc1Link.to(b), FAST, 1e-6, 1e-4)) {
      double truth = b.devices().truth().conductance(Cell.active(0, 3, 4));
      double g = 0;
      for (int i = 0; i < 50; i++) g += d.read(Cell.active(0, 3, 4), 0.5) / 50;
      assertEquals(truth, g, 0.01 * truth, "mean of 50 reads against the emulator's exact conductance");
    }
  }

  @Test
  void polarityIsTheAmplitudesSignAndAReadAtAnotherVoltageSetsItFirst() throws IOException {
    Arc1Link link = Arc1Link.to(board());
    try (Arc1Driver d = Arc1Driver.open(link, FAST, 1e-6, 1e-4)) {
      link.takeWritten();
      d.pulse(Cell.active(0, 0, 31), NOMINAL.withPolarity(org.rramctl.driver.Polarity.DOWN).withWidthNanos(2_000_000), 2);
      assertEquals("02\n1\n32\n04\n-2.500000\n0.002000\n04\n-2.500000\n0.002000\n", text(link.takeWritten()));
      d.read(Cell.active(0, 31, 0), 0.25);
      assertEquals("01\n2\n0.250000\n1\n32\n1\n", text(link.takeWritten()));
      d.read(Cell.active(0, 31, 0), 0.25);
      assertEquals("1\n32\n1\n", text(link.takeWritten()), "the read voltage is set once");
    }
  }

  @Test
  void consecutiveTrainsToTheSelectedDeviceSendNoSecondSelect() throws IOException {
    Arc1Link link = Arc1Link.to(board());
    try (Arc1Driver d = Arc1Driver.open(link, FAST, 1e-6, 1e-4)) {
      link.takeWritten();
      Cell c = Cell.active(0, 2, 3);
      d.pulse(c, NOMINAL, 1);
      d.pulse(c, NOMINAL.withPolarity(org.rramctl.driver.Polarity.DOWN), 1);
      assertEquals("02\n3\n4\n04\n2.500000\n0.000100\n04\n-2.500000\n0.000100\n", text(link.takeWritten()));
      d.read(c, 0.5); // a read addresses a device: the next train selects again
      d.pulse(c, NOMINAL, 1);
      assertEquals("1\n3\n4\n02\n3\n4\n04\n2.500000\n0.000100\n", text(link.takeWritten()));
      d.pulse(Cell.active(0, 2, 4), NOMINAL, 1);
      assertEquals("02\n3\n5\n04\n2.500000\n0.000100\n", text(link.takeWritten()));
    }
  }

  @Test
  void abortConfirmsIdleOutputsOnlyWhenNoPulseIsUnanswered() throws IOException {
    try (CrossbarDriver d = org.rramctl.driver.ReferenceLayout.parse("cols+16").apply(Arc1Driver.open(Arc1Link.to(board()), FAST, 1e-6, 1e-4))) {
      assertTrue(d.abortAndConfirm(), "nothing sent: idle");
      d.pulse(Cell.active(0, 0, 0), NOMINAL, 3);
      assertFalse(d.abortAndConfirm(), "three pulses written and not yet answered for: they may still be running");
      d.read(Cell.reference(0, 0, 0), 0.5);
      assertTrue(d.abortAndConfirm(), "the read's answer came after them");
    }
  }

  @Test
  void widthsAndVoltagesTheWireCannotCarryAreRefusedBeforeAByteIsSent() throws IOException {
    Arc1Link link = Arc1Link.to(board());
    try (Arc1Driver d = Arc1Driver.open(link, FAST, 1e-6, 1e-4)) {
      link.takeWritten();
      Cell c = Cell.active(0, 0, 0);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.pulse(c, NOMINAL.withWidthNanos(1_500), 1));
      assertTrue(e.getMessage().contains("1500 ns") && e.getMessage().contains("whole number of microseconds"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> d.pulse(c, NOMINAL.withWidthNanos(500), 1));
      e = assertThrows(IllegalArgumentException.class, () -> d.pulseThenRead(c, NOMINAL.withAmplitudeVolts(2.0000005), 1, 0.5));
      assertTrue(e.getMessage().contains("six decimals"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> d.read(c, 0.1234567));
      assertThrows(IllegalArgumentException.class, () -> d.pulse(c, NOMINAL.withAmplitudeVolts(12.5), 1));
      assertEquals("", text(link.takeWritten()), "nothing reached the board");
    }
  }

  @Test
  void aLevelComputedInFloatingPointGoesOutAsItsSixDecimals() throws IOException {
    Arc1Link link = Arc1Link.to(board());
    try (Arc1Driver d = Arc1Driver.open(link, FAST, 1e-6, 1e-4)) {
      link.takeWritten();
      double ramp = 0.1 + 0.2; // 0.30000000000000004: a ramp's level, not a value between two microvolts
      d.pulse(Cell.active(0, 0, 0), NOMINAL.withAmplitudeVolts(ramp), 1);
      assertEquals("02\n1\n1\n04\n0.300000\n0.000100\n", text(link.takeWritten()));
      d.read(Cell.active(0, 0, 0), ramp);
      assertEquals("01\n2\n0.300000\n1\n1\n1\n", text(link.takeWritten()));
    }
  }

  @Test
  void aBoardThatDoesNotAnswerTheInitialisationIsOneClearTimeoutAndTheLinkIsClosed() {
    Arc1Link silent = new Arc1Link(b -> new byte[0]);
    TimeoutNothingRanException e = assertThrows(TimeoutNothingRanException.class, () -> Arc1Driver.open(silent, FAST, 1e-6, 1e-4));
    assertTrue(e.getMessage().contains("timed out") && e.getMessage().contains("initialisation"), e.getMessage());
    assertFalse(silent.isOpen());
  }

  @Test
  void aWrongConfirmationIsRefused() {
    Arc1Link wrong = new Arc1Link(b -> text(b).startsWith("0\n") ? "0\n".getBytes(StandardCharsets.US_ASCII) : new byte[0]);
    RefusedException e = assertThrows(RefusedException.class, () -> Arc1Driver.open(wrong, FAST, 1e-6, 1e-4));
    assertTrue(e.getMessage().contains("refused") && e.getMessage().contains("confirmation '0'"), e.getMessage());
    assertFalse(wrong.isOpen());
  }

  @Test
  void aBoardThatIgnoresTheVersionQueryIsUsableAndConfirmsWithARead() throws IOException {
    VirtualArc1 b = board();
    // firmware that ignores the query: the board never sees it (the driver may send it together with other commands)
    Arc1Link link = new Arc1Link(x -> {
      byte[] y = text(x).endsWith("999\n") ? java.util.Arrays.copyOf(x, x.length - 4) : x;
      return b.feed(y, 0, y.length);
    });
    try (Arc1Driver d = Arc1Driver.open(link, FAST, 1e-6, 1e-4)) {
      assertTrue(d.info().firmwareVersion().startsWith("unknown"), d.info().firmwareVersion());
      link.takeWritten();
      d.pulse(Cell.active(0, 1, 1), NOMINAL, 1);
      assertEquals("02\n2\n2\n04\n2.500000\n0.000100\n", text(link.takeWritten()), "libarc1's select + pulse_active, nothing more");
      d.confirm();
      assertEquals("1\n1\n1\n", text(link.takeWritten()), "a read confirms what went before");
      assertEquals(1, b.pulsesApplied());
    }
  }

  @Test
  void theNextAnswerConfirmsPulsesAndWhenItDoesNotComeTheyAreOutcomeUnknown() throws IOException {
    VirtualArc1 b = board();
    boolean[] mute = {false};
    Arc1Link link = new Arc1Link(x -> mute[0] ? new byte[0] : b.feed(x, 0, x.length));
    try (Arc1Driver d = Arc1Driver.open(link, FAST, 1e-6, 1e-4)) {
      d.pulse(Cell.active(0, 0, 0), NOMINAL, 3);
      d.read(Cell.active(0, 0, 0), 0.5); // answered: the three pulses ran
      d.pulse(Cell.active(0, 0, 0), NOMINAL, 5);
      mute[0] = true;
      OutcomeUnknownException e = assertThrows(OutcomeUnknownException.class, () -> d.read(Cell.active(0, 5, 5), 0.5));
      assertTrue(e.getMessage().contains("outcome unknown") && e.getMessage().contains("5 pulse(s)"), e.getMessage());
      assertInstanceOf(TimeoutNothingRanException.class, e.getCause(), "the read's own timeout is the cause");
      LinkLostException again = assertThrows(LinkLostException.class, d::confirm);
      assertTrue(again.getMessage().contains("reopen"), again.getMessage());
    }
  }

  @Test
  void aLinkLostDuringAPulseTrainIsOutcomeUnknownNeverResentAndTheDriverRefusesFurtherUse() throws IOException {
    VirtualArc1 b = board();
    Arc1Link link = Arc1Link.to(b);
    Arc1Driver d = Arc1Driver.open(link, PACED, 1e-6, 1e-4);
    link.takeWritten();
    link.loseLinkAtWrite(5); // select, three pulses, then the fourth pulse's write fails
    OutcomeUnknownException e = assertThrows(OutcomeUnknownException.class, () -> d.pulse(Cell.active(0, 2, 2), NOMINAL, 10));
    assertTrue(e.getMessage().contains("outcome unknown"), e.getMessage());
    assertEquals(3, b.pulsesApplied(), "three pulses reached the board; none was sent again");
    // the stream's position is unknown: the driver is as good as unplugged, the same kind (and exit code) as a lost link
    LinkLostException again = assertThrows(LinkLostException.class, () -> d.read(Cell.active(0, 2, 2), 0.5));
    assertTrue(again.getMessage().startsWith("arc1-link: link lost: ") && again.getMessage().contains("reopen"), again.getMessage());
    assertThrows(LinkLostException.class, () -> d.pulse(Cell.active(0, 2, 2), NOMINAL, 1));
    assertEquals(3, b.pulsesApplied(), "nothing more was sent");
    assertTrue(d.status().outputsIdle());
    d.close();
  }

  @Test
  void anIoErrorOfThePortIsALostLinkOnAReadAndAnUnknownOutcomeOnAPulseNeverAPlainIoException() throws IOException {
    IOException eio = new IOException("Input/output error");
    Arc1Link link = Arc1Link.to(board());
    try (Arc1Driver d = Arc1Driver.open(link, FAST, 1e-6, 1e-4)) {
      link.failWith(eio);
      DriverException e = assertThrows(DriverException.class, () -> d.read(Cell.active(0, 1, 1), 0.5));
      assertEquals(DriverException.Kind.LINK_LOST, e.kind(), e.toString());
      assertEquals("arc1-link: link lost: Input/output error", e.getMessage());
      assertSame(eio, e.getCause());
    }
    Arc1Link other = Arc1Link.to(board());
    try (Arc1Driver d = Arc1Driver.open(other, PACED, 1e-6, 1e-4)) {
      other.failWith(eio);
      OutcomeUnknownException e = assertThrows(OutcomeUnknownException.class, () -> d.pulse(Cell.active(0, 1, 1), NOMINAL, 2));
      assertSame(eio, e.getCause());
    }
  }

  @Test
  void anInterruptWhileTheBoardRestartsIsAnAbortThatKeepsTheInterruptAndClosesTheLink() {
    Arc1Link link = Arc1Link.to(board());
    Thread.currentThread().interrupt();
    try {
      DriverAbortedException e = assertThrows(DriverAbortedException.class, () -> Arc1Driver.open(link, FAST.withResetWait(Duration.ofSeconds(30)), 1e-6, 1e-4));
      assertTrue(e.getMessage().startsWith("arc1-link: aborted: ") && e.getMessage().contains("restart"), e.getMessage());
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
    } finally {
      Thread.interrupted();
    }
    assertFalse(link.isOpen());
  }

  @Test
  void anUnansweredReadTimesOutAndIsNotRetried() throws IOException {
    VirtualArc1 b = board();
    boolean[] mute = {false};
    Arc1Link link = new Arc1Link(x -> mute[0] ? new byte[0] : b.feed(x, 0, x.length));
    try (Arc1Driver d = Arc1Driver.open(link, FAST, 1e-6, 1e-4)) {
      link.takeWritten();
      mute[0] = true;
      TimeoutNothingRanException e = assertThrows(TimeoutNothingRanException.class, () -> d.read(Cell.active(0, 0, 0), 0.5));
      assertTrue(e.getMessage().contains("timed out"), e.getMessage());
      assertEquals("1\n1\n1\n", text(link.takeWritten()), "sent once");
    }
  }

  @Test
  void abortStopsAPulseTrainBetweenTwoCommands() throws IOException {
    VirtualArc1 b = board();
    AtomicReference<Arc1Driver> driver = new AtomicReference<>();
    int[] pulses = {0};
    Arc1Link link = new Arc1Link(x -> {
      if (text(x).startsWith("04\n") && ++pulses[0] == 10) driver.get().abort();
      return b.feed(x, 0, x.length);
    });
    try (Arc1Driver d = Arc1Driver.open(link, PACED, 1e-6, 1e-4)) {
      driver.set(d);
      DriverAbortedException e = assertThrows(DriverAbortedException.class, () -> d.pulse(Cell.active(0, 0, 0), NOMINAL, 100));
      assertTrue(e.getMessage().contains("after 10 pulse(s)"), e.getMessage());
      assertEquals(10, b.pulsesApplied());
      assertTrue(d.status().aborted());
      assertTrue(d.status().outputsIdle());
      d.read(Cell.active(0, 0, 0), 0.5); // still usable
    }
  }

  @Test
  void anAbortWhileCommandsAreCollectedCountsOnlyThePulsesWritten() throws IOException {
    VirtualArc1 b = board();
    AtomicReference<Arc1Driver> driver = new AtomicReference<>();
    Arc1Link link = new Arc1Link(x -> {
      if (text(x).contains("04\n")) driver.get().abort();
      return b.feed(x, 0, x.length);
    });
    try (Arc1Driver d = Arc1Driver.open(link, FAST, 1e-6, 1e-4)) {
      driver.set(d);
      long before = d.status().pulsesApplied();
      DriverAbortedException e = assertThrows(DriverAbortedException.class, () -> d.pulse(Cell.active(0, 0, 0), NOMINAL, 1000));
      assertTrue(e.getMessage().contains("after " + b.pulsesApplied() + " pulse(s)"), e.getMessage() + " vs " + b.pulsesApplied());
      assertTrue(b.pulsesApplied() > 0 && b.pulsesApplied() < 1000, "stopped part-way: " + b.pulsesApplied());
      assertEquals(before + b.pulsesApplied(), d.status().pulsesApplied(), "the driver counts what the board got");
    }
  }

  @Test
  void aPortHeldByAnotherProgramIsOneClearLine() throws IOException {
    try (PtyTransport pty = PtyTransport.open();
        VirtualArc1Server server = new VirtualArc1Server(board(), pty);
        CrossbarDriver first = Boards.open("arc1:" + pty.clientPath() + "?resetWait=0&writeDelay=0", null)) {
      IOException e = assertThrows(IOException.class, () -> Boards.open("arc1:" + pty.clientPath() + "?resetWait=0&writeDelay=0", null));
      assertTrue(e.getMessage().contains(pty.clientPath()) && !e.getMessage().contains("\n"), e.getMessage());
      first.read(Cell.active(0, 0, 0), 0.5); // the holder is undisturbed
    }
  }
}
