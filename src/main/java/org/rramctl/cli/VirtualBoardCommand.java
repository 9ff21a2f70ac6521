package org.rramctl.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.rramctl.driver.BoardUri;
import org.rramctl.journal.RunLock;
import org.rramctl.protocol.WireFormat;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.SimDriverProvider;
import org.rramctl.sim.board.VirtualBoard;
import org.rramctl.sim.pty.PtyTransport;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rramctl virtual-board}: an emulated board that speaks the firmware protocol on a real
 * pseudo-terminal or a TCP port, until Ctrl-C. Any rramctl command then reaches it with
 * {@code --board serial:PATH} or {@code --board tcp://127.0.0.1:PORT}, exactly as it would reach hardware.
 */
@Command(name = "virtual-board", mixinStandardHelpOptions = true,
    description = "Serve an emulated board over the firmware protocol on a pseudo-terminal (--pty) or TCP (--tcp) until Ctrl-C.")
public final class VirtualBoardCommand implements Callable<Integer> {
  @Option(names = "--preset", paramLabel = "NAME", defaultValue = SimDriverProvider.DEFAULT_PRESET,
      description = "Device preset: a built-in name or a preset JSON file (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--geometry", paramLabel = "RxC[,RxC...]", defaultValue = "32x32",
      description = "Arrays, each with a reference array (default: ${DEFAULT-VALUE}). E.g. 785x256,257x128,129x10.")
  String geometry;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of device variation and noise (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--board-id", defaultValue = "VB-0001", description = "Board id the board reports (default: ${DEFAULT-VALUE}).")
  String boardId;

  @Option(names = "--watchdog-ms", defaultValue = "1000", description = "Heartbeat watchdog, ms (default: ${DEFAULT-VALUE}).")
  int watchdogMillis;

  @Option(names = "--protocol", paramLabel = "N", defaultValue = "2",
      description = "Protocol version the board speaks: 2 (SOURCE and SWEEP with a current compliance: form and iv work) or 1 (an older board "
          + "without them) (default: ${DEFAULT-VALUE}).")
  int protocol;

  @Option(names = "--throttle-baud", defaultValue = "0", description = "Pace the board's output to this line rate; 0 for none (default).")
  int throttleBaud;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Where where;

  static final class Where {
    @Option(names = "--pty", paramLabel = "PATH", description = "Create a pseudo-terminal with a symlink at PATH (e.g. /tmp/rramctl-board).")
    Path pty;

    @Option(names = "--tcp", paramLabel = "PORT", description = "Listen on 127.0.0.1:PORT (0 for any free port, printed).")
    Integer tcp;
  }

  @Spec CommandSpec spec;

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch serving = new CountDownLatch(1);

  /** Stops a running {@link #call()} (what Ctrl-C does); any thread. */
  public void stop() {
    stop.countDown();
  }

  /** Counts down once the board serves; for tests and embedding. */
  public CountDownLatch serving() {
    return serving;
  }

  /**
   * Takes the lock that a virtual board (or SMU) holds on its pty link for its whole life ({@code LINK.lock} next
   * to it) and, holding it, removes a link that is still there: its owner died without removing it (kill -9), so it
   * is stale even when the pseudo-terminal it names exists again (the kernel reuses /dev/pts numbers).
   *
   * @throws RunLock.LockedException naming the live board's process
   */
  static RunLock claimLink(Path link) throws java.io.IOException {
    Path abs = link.toAbsolutePath().normalize();
    RunLock lock = RunLock.acquire(abs.resolveSibling(abs.getFileName() + ".lock"), "--pty " + link);
    try {
      if (java.nio.file.Files.isSymbolicLink(abs)) java.nio.file.Files.delete(abs);
    } catch (java.io.IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    return lock;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String uri = "sim:" + preset + "?geometry=" + geometry + "&seed=" + seed;
    EmulatorDriver emulator = (EmulatorDriver) new SimDriverProvider().open(BoardUri.parse(uri));
    if (protocol < WireFormat.MIN_VERSION || protocol > WireFormat.MAX_VERSION) {
      throw new IllegalArgumentException("--protocol: " + protocol + " (expected: " + WireFormat.MIN_VERSION + ".." + WireFormat.MAX_VERSION + ")");
    }
    VirtualBoard.Config config = VirtualBoard.Config.defaults().withBoardId(boardId).withWatchdogMillis(watchdogMillis).withThrottleBaud(throttleBaud)
        .withFirmware(protocol + ".0.0", protocol);
    Thread hook = new Thread(this::stop, "virtual-board-ctrl-c");
    RunLock link = null;
    try (VirtualBoard board = new VirtualBoard(emulator, config)) {
      Runtime.getRuntime().addShutdownHook(hook);
      if (where.pty != null) {
        link = claimLink(where.pty);
        PtyTransport pty = PtyTransport.open(where.pty);
        board.serve(pty);
        out.printf("virtual board %s (%s, %s) on %s -> %s%n", boardId, preset, geometry, pty.clientPath(), pty.terminal().slavePath());
        out.printf("use: rramctl info --board serial:%s%n", pty.clientPath());
      } else {
        if (where.tcp < 0 || where.tcp > 65_535) throw new IllegalArgumentException("--tcp: " + where.tcp + " (expected: a port 0..65535, 0 for any free one)");
        int port = board.listen(new InetSocketAddress("127.0.0.1", where.tcp));
        out.printf("virtual board %s (%s, %s) on tcp://127.0.0.1:%d%n", boardId, preset, geometry, port);
        out.printf("use: rramctl info --board tcp://127.0.0.1:%d%n", port);
      }
      out.flush();
      serving.countDown();
      stop.await();
    } finally {
      if (link != null) link.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is what got us here.
      }
    }
    return 0;
  }
}
