package org.rramctl.sim.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.OutcomeUnknownException;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.RefusedException;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.driver.transport.FaultyTransport;
import org.rramctl.driver.transport.PipeTransport;
import org.rramctl.protocol.Outcome;
import org.rramctl.protocol.ProtocolVersionException;

/** The session's rules seen from the driver: version window, abort, a link that dies mid-command, reconnect, TCP. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SerialSessionTest {
  private static final Cell CELL = Cell.active(0, 1, 1);

  private VirtualBoard board;
  private final AtomicReference<FaultyTransport> line = new AtomicReference<>();
  private final AtomicReference<PipeTransport> hostEnd = new AtomicReference<>();

  @AfterEach
  void closeBoard() {
    if (board != null) board.close();
  }

  /** Opens a driver whose every connection runs through a fresh fault-injecting pipe, seeded. */
  private SerialBoardDriver connect(SessionSettings settings) throws IOException {
    return SerialBoardDriver.open(() -> {
      PipeTransport.Pair pair = PipeTransport.pair();
      FaultyTransport faulty = new FaultyTransport(pair.b(), 17);
      line.set(faulty);
      hostEnd.set(pair.a());
      board.serve(faulty);
      return pair.a();
    }, settings);
  }

  @Test
  void aBoardOutsideTheVersionWindowIsRefusedNamingBothVersions() {
    board = new VirtualBoard(Boards4Test.emulator(1), VirtualBoard.Config.defaults().withBoardId("RB-0042").withFirmware("3.0.0", 3));
    RefusedException e = assertThrows(RefusedException.class, () -> connect(Boards4Test.pipeSettings()));
    assertEquals("VERSION_MISMATCH", e.code());
    assertInstanceOf(ProtocolVersionException.class, e.getCause());
    assertEquals("board RB-0042 (firmware 3.0.0) speaks protocol version 3 (expected: a version in 1..2, the window of this host)", e.getCause().getMessage());
    assertTrue(e.getMessage().contains(": refused: HELLO: VERSION_MISMATCH: the host refuses the board: board RB-0042 (firmware 3.0.0)"), e.getMessage());
    assertFalse(hostEnd.get().isOpen(), "the port is closed again");
  }

  @Test
  void abortFromAnotherThreadStopsARunningPulseTrainPromptly() throws Exception {
    board = new VirtualBoard(Boards4Test.emulator(2), VirtualBoard.Config.defaults().withRealTimePulses(true));
    try (SerialBoardDriver driver = connect(Boards4Test.pipeSettings())) {
      // 100,000 pulses of 20 us period: 2 s of board time.
      Pulse slow = new Pulse(org.rramctl.driver.Polarity.UP, 1.0, 100, 20_000);
      CompletableFuture<Void> train = CompletableFuture.runAsync(() -> {
        try {
          driver.pulse(CELL, slow, 100_000);
        } catch (IOException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      awaitLogEntry();
      driver.abort();
      // Promptly, without a wall-clock bound: abort() returned and the train ended while the board had not
      // finished it (2 s of board time), i.e. the ABORT reached it mid-train, not at the end.
      ExecutionException e = assertThrows(ExecutionException.class, () -> train.get(5, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof DriverAbortedException, "the train ends as aborted: " + e.getCause());
      VirtualBoard.LogEntry entry = board.executionLog().get(0);
      assertEquals(Outcome.ABORTED, entry.outcome());
      assertTrue(entry.pulsesApplied() < 100_000, "stopped part-way: " + entry.pulsesApplied());
      assertTrue(driver.status().outputsIdle());
      driver.pulse(CELL, Boards4Test.NOMINAL_UP, 1);
    }
  }

  private void awaitLogEntry() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (board.executionLog().isEmpty()) {
      if (System.nanoTime() > deadline) throw new AssertionError("the pulse train never started");
      Thread.onSpinWait();
    }
  }

  @Test
  void aLineThatGoesDeadMidPulseReportsTheOutcomeUnknownWithinBoundedTimeAndTheDriverReconnects() throws IOException {
    board = Boards4Test.board(3);
    try (SerialBoardDriver driver = connect(Boards4Test.pipeSettings())) {
      driver.pulse(CELL, Boards4Test.NOMINAL_UP, 3);
      line.get().stall();
      // Bounded by the session's timeouts and heartbeats; the class's @Timeout catches a hang.
      OutcomeUnknownException e = assertThrows(OutcomeUnknownException.class, () -> driver.pulse(CELL, Boards4Test.NOMINAL_UP, 4));
      assertEquals("PULSE", e.operation());
      assertTrue(driver.session().isDead(), "the session declared the link lost");
      // The next operation reconnects on a fresh line.
      driver.pulse(CELL, Boards4Test.NOMINAL_UP, 5);
      assertEquals(1, driver.reconnects());
      long four = board.executionLog().stream().filter(x -> ((org.rramctl.protocol.Command.Pulse) x.command()).count() == 4).count();
      // A read already waiting when the stall began may have taken the frame in: then it ran, once.
      assertTrue(four <= 1, "the pulse whose outcome was unknown ran at most once: " + four);
    }
  }

  /**
   * A board that reboots in the middle of a pulse train (a power cycle, not a lost cable) never answers for it; the
   * host must report the outcome unknown, not re-send it (the board has forgotten the sequence number, so a re-send
   * could pulse the devices twice), and carry on after a new handshake.
   */
  @Test
  void aBoardThatRebootsMidTrainLeavesTheOutcomeUnknownAndTheTrainIsNotResent() throws Exception {
    board = new VirtualBoard(Boards4Test.emulator(6), VirtualBoard.Config.defaults().withRealTimePulses(true));
    try (SerialBoardDriver driver = connect(Boards4Test.pipeSettings())) {
      driver.pulse(CELL, Boards4Test.NOMINAL_UP, 3);
      // 50,000 pulses of 20 us period: 1 s of board time.
      Pulse slow = new Pulse(org.rramctl.driver.Polarity.UP, 1.0, 100, 20_000);
      CompletableFuture<Void> train = CompletableFuture.runAsync(() -> {
        try {
          driver.pulse(CELL, slow, 50_000);
        } catch (IOException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (board.executionLog().size() < 2) {
        if (System.nanoTime() > deadline) throw new AssertionError("the pulse train never started");
        Thread.onSpinWait();
      }
      board.reset();
      ExecutionException e = assertThrows(ExecutionException.class, () -> train.get(10, TimeUnit.SECONDS));
      OutcomeUnknownException unknown = assertInstanceOf(OutcomeUnknownException.class, e.getCause(), "the train's outcome: " + e.getCause());
      assertEquals("PULSE", unknown.operation());
      VirtualBoard.LogEntry stopped = board.executionLog().get(1);
      assertTrue(stopped.pulsesApplied() < 50_000, "the reboot stopped it part-way: " + stopped.pulsesApplied());
      // After a new handshake the driver works again, and the train was never sent a second time.
      driver.pulse(CELL, Boards4Test.NOMINAL_UP, 5);
      assertEquals(3, board.executionLog().size(), "log: " + board.executionLog());
      assertEquals(5, ((org.rramctl.protocol.Command.Pulse) board.executionLog().get(2).command()).count());
      assertTrue(driver.status().outputsIdle());
    }
  }

  /**
   * A board configured with a line rate sends no faster than that rate: a whole-array read of 48 u16 codes puts at
   * least 96 bytes (960 bits) on the wire, 100 ms at 9,600 baud, however the codes are framed. (A lower bound only:
   * a busy machine can make it slower, never faster.) The host, told the same rate, waits for it without timing out.
   */
  @Test
  void aThrottledBoardSendsNoFasterThanItsLineRate() throws IOException {
    board = new VirtualBoard(Boards4Test.emulator(7), VirtualBoard.Config.defaults().withThrottleBaud(9_600));
    SessionSettings slowLine = Boards4Test.pipeSettings().withBaudRate(9_600).withResponseTimeout(Duration.ofSeconds(2));
    try (SerialBoardDriver driver = connect(slowLine)) {
      long t0 = System.nanoTime();
      org.rramctl.driver.ConductanceMap g = driver.readArray(0, org.rramctl.driver.Plane.ACTIVE, Boards4Test.READ_VOLTS);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(48, g.siemens().length);
      assertTrue(g.get(7, 5) > 0, "the last device was read");
      assertTrue(millis >= 100, "48 codes arrived in " + millis + " ms (at 9,600 baud they need at least 100 ms)");
    }
  }

  @Test
  void aBoardBehindTcpOpensThroughItsUri() throws IOException {
    board = Boards4Test.board(4);
    int port = board.listen(new InetSocketAddress("127.0.0.1", 0));
    try (CrossbarDriver driver = Boards.open("tcp://127.0.0.1:" + port + "?timeout=500", null)) {
      assertEquals("VB-0001", driver.info().boardId());
      driver.pulse(CELL, Boards4Test.NOMINAL_UP, 2);
      assertTrue(driver.read(CELL, Boards4Test.READ_VOLTS) > 0);
      assertEquals(2, driver.status().pulsesApplied());
    }
  }

  @Test
  void aQuietHostIsKeptAliveByHeartbeats() throws IOException {
    board = new VirtualBoard(Boards4Test.emulator(5), VirtualBoard.Config.defaults().withWatchdogMillis(300));
    try (SerialBoardDriver driver = connect(Boards4Test.pipeSettings())) {
      // Seven watchdog periods without a command: the session's heartbeats must keep the board armed.
      LockSupport.parkNanos(Duration.ofMillis(2100).toNanos());
      driver.pulse(CELL, Boards4Test.NOMINAL_UP, 1);
      assertFalse(driver.status().aborted());
    }
  }

  /**
   * The board's side of a line whose board-to-host direction is held (a stalled USB adapter, a starved board
   * thread) from the first FORWARD_READ until the board has received the host's re-send of it: the first
   * attempt is then still running (its answer cannot leave) when the second arrives, and the board answers
   * that one BUSY.
   */
  private static final class HeldUntilResent extends org.rramctl.driver.transport.ForwardingTransport {
    private final org.rramctl.protocol.FrameDecoder decoder = org.rramctl.protocol.FrameDecoder.create();
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean holding;
    private int forwardReads;

    HeldUntilResent(org.rramctl.driver.transport.Transport inner) {
      super(inner);
    }

    @Override
    public void write(byte[] bytes, int offset, int len) throws IOException {
      if (holding) {
        try {
          released.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException();
        }
      }
      inner.write(bytes, offset, len);
    }

    @Override
    public int read(byte[] buffer, int offset, int len, Duration timeout) throws IOException {
      int n = inner.read(buffer, offset, len, timeout);
      decoder.feed(buffer, offset, n, ev -> {
        if (!(ev instanceof org.rramctl.protocol.FrameEvent.Frame f)) return;
        try {
          if (!(org.rramctl.protocol.MessageCodec.decode(f.packet(), org.rramctl.protocol.WireFormat.MAX_VERSION).message() instanceof org.rramctl.protocol.Command.ForwardRead)) return;
        } catch (org.rramctl.protocol.ProtocolException e) {
          return;
        }
        if (++forwardReads == 1) holding = true;
        if (forwardReads == 2) released.countDown(); // its BUSY, and the first attempt's answer, may leave now
      });
      return n;
    }

    @Override
    public void close() {
      released.countDown();
      super.close();
    }
  }

  /**
   * A repeatable command whose first attempt timed out while the board still ran it gets BUSY for its re-send.
   * The host waits until the board is idle and sends it again; it used to report the read refused (BUSY), which
   * ended a training run on a loaded machine ("refused: FORWARD_READ (sequence N): BUSY: busy: FORWARD_READ
   * (sequence N-2) is running").
   */
  @Test
  @Timeout(60)
  void aReadWhoseEarlierAttemptIsStillRunningWaitsForTheBoardInsteadOfReportingBusy() throws IOException {
    // One current per part: the first attempt is still running (its first part cannot leave) when the re-send
    // arrives, as a board still computing is on a starved or slow machine.
    board = new VirtualBoard(Boards4Test.emulator(1), VirtualBoard.Config.defaults().withWatchdogMillis(10_000).withMaxValuesPerPart(1));
    try (SerialBoardDriver d = SerialBoardDriver.open(() -> {
      PipeTransport.Pair pair = PipeTransport.pair();
      board.serve(new HeldUntilResent(pair.b()));
      return pair.a();
    }, Boards4Test.pipeSettings())) {
      org.rramctl.driver.Tile tile = new org.rramctl.driver.Tile(0, 0, 0, 2, 2);
      double[] volts = {0.1, 0.1};
      double[] currents = d.forwardRead(tile, org.rramctl.driver.ReadMode.ACTIVE, volts);
      assertEquals(2, currents.length);
      assertTrue(Math.abs(currents[0]) > 0, "a real answer: " + java.util.Arrays.toString(currents));
      assertTrue(d.status().outputsIdle());
    }
  }
}
