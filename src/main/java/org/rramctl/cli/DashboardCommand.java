package org.rramctl.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.rramctl.dashboard.DashboardServer;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.journal.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code rramctl dashboard}: a web dashboard for the bench until Ctrl-C (the board's conductance map, identity,
 * limits and status; the runs directory's runs, live; a calibration record; a training run or experiment). Loopback only unless a token is used; on exit the board is set idle and closed.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
    description = {"Serve a web dashboard until Ctrl-C: the board (conductance heatmaps, identity, limits, status), its runs (live), a calibration record, a training run or experiment.",
        "Loopback only by default; any other --bind address needs --token (printed at start, required on every request)."})
final class DashboardCommand implements Callable<Integer> {
  @Mixin BoardOptions board;
  @Spec CommandSpec spec;

  @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs",
      description = "Runs directory whose runs the runs page shows and where runs started from the page go (default: ${DEFAULT-VALUE}).")
  Path runs;

  @Option(names = "--calibration", paramLabel = "FILE", description = "A calibration record (calibrate --out) for the calibration page; the page can open others.")
  Path calibration;

  @Option(names = "--training", paramLabel = "DIR", description = "A train --out or experiment zero-shift --out folder for the training page (re-read while training runs).")
  Path training;

  @Option(names = "--subscribe", paramLabel = "ENDPOINT",
      description = "Also show live the documents a publisher sends (procedure --publish, serve --publish), e.g. tcp://127.0.0.1:5556, as rramctl watch receives them.")
  String subscribe;

  @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
      description = "Address and port to serve on (default: ${DEFAULT-VALUE}; port 0 picks a free one).")
  String bind;

  @Option(names = "--token", description = "Require a random access token on every request (printed at start); needed for any non-loopback --bind.")
  boolean token;

  @Option(names = "--allow-pulses", description = "Let the page start procedures that pulse devices (inside the envelope). Default: read-only.")
  boolean allowPulses;

  /** Counted down to stop serving (Ctrl-C, or a test). */
  final CountDownLatch stop = new CountDownLatch(1);
  /** Counted down once the server is up; {@link #server} is then set. */
  final CountDownLatch ready = new CountDownLatch(1);
  volatile DashboardServer server;

  /** Parses {@code HOST:PORT} ({@code [v6]:PORT} for IPv6 literals). */
  static InetSocketAddress parseBind(String text) {
    int colon = text.lastIndexOf(':');
    String expected = " (expected: HOST:PORT, e.g. 127.0.0.1:8080, [::1]:8080 or 0.0.0.0:8080 with --token; port 0..65535)";
    if (colon <= 0) throw new IllegalArgumentException("--bind: '" + text + "'" + expected);
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--bind: '" + text + "'" + expected);
    }
    if (port < 0 || port > 65535) throw new IllegalArgumentException("--bind: '" + text + "'" + expected);
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--bind: '" + text + "': unknown host" + expected);
    }
  }

  @Override
  public Integer call() throws Exception {
    InetSocketAddress address = parseBind(bind);
    if (!token && !address.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("--bind: " + bind + " is not a loopback address (expected: --token with it, or 127.0.0.1:PORT)");
    }
    if (Files.exists(runs) && !Files.isDirectory(runs)) {
      throw new IllegalArgumentException("--runs: " + runs + " is a file (expected: the runs folder of earlier runs, or a folder to create)");
    }
    if (calibration != null) org.rramctl.calibration.CalibrationRecords.readChecked(calibration); // a bad record: one line, exit 2, before serving
    if (training != null && !Files.isDirectory(training)) {
      throw new IllegalArgumentException("--training: " + training + (Files.exists(training) ? " is a file" : ": no such folder") + " (expected: a train --out or experiment --out folder)");
    }
    DashboardServer.Options options = new DashboardServer.Options(address, token ? DashboardServer.newToken() : null, allowPulses, calibration, training, subscribe);
    PrintWriter out = spec.commandLine().getOut();
    try (CtrlCHook ctrlC = new CtrlCHook(stop, "rramctl-dashboard-shutdown"); EnvelopedDriver d = board.open()) {
      DashboardServer s = DashboardServer.start(d, board.board, new RunDirectory(runs), options);
      try {
        server = s;
        ctrlC.install();
        out.printf("dashboard of board %s on %s%s; Ctrl-C to stop%n", d.info().boardId(), s.uri(),
            options.token() == null ? " (this host only)" : " (open this address once: it carries the access token)");
        out.printf("pulses from the page: %s%n", allowPulses ? "allowed (inside the envelope)" : "refused (read-only; --allow-pulses to allow)");
        out.flush();
        ready.countDown();
        stop.await();
      } finally {
        s.close();
        d.abort();
      }
      out.printf("stopped; board %s idle and closed%n", d.info().boardId());
    }
    return 0;
  }
}
