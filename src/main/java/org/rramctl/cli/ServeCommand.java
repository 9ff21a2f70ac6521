package org.rramctl.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.rramctl.driver.Durations;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.remote.CurveKeyPair;
import org.rramctl.driver.remote.CurveSecurity;
import org.rramctl.driver.remote.DriverServer;
import org.rramctl.driver.remote.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code rramctl serve}: serves a board to other processes and hosts until Ctrl-C; clients open it as
 * {@code --board zmq+tcp://HOST:PORT}. On exit the board is set idle and closed.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve a board over ZeroMQ until Ctrl-C; other commands use it with --board zmq+tcp://HOST:PORT.",
        "Loopback only unless CURVE keys and an allow-list are given (rramctl keys generate)."})
final class ServeCommand implements Callable<Integer> {
  @Mixin BoardOptions board;
  @Spec CommandSpec spec;

  @Option(names = "--bind", paramLabel = "ENDPOINT", defaultValue = "tcp://127.0.0.1:5555",
      description = "ROUTER endpoint for requests (default: ${DEFAULT-VALUE}; port * picks a free one).")
  String bind;

  @Option(names = "--publish", paramLabel = "ENDPOINT", description = "PUB endpoint for status and run documents, e.g. tcp://127.0.0.1:5556.")
  String publish;

  @Option(names = "--curve-keys", paramLabel = "DIR", description = "Directory with server.public and server.secret (rramctl keys generate --name server).")
  Path curveKeys;

  @Option(names = "--allow", paramLabel = "FILE", description = "Allow-list: one client public key per line.")
  Path allow;

  @Option(names = "--lease-timeout", paramLabel = "DURATION", defaultValue = "10s",
      description = "A programming lease lapses this long after its holder's last message; the board is then set idle (default: ${DEFAULT-VALUE}).")
  String leaseTimeout;

  @Option(names = "--heartbeat", paramLabel = "DURATION", defaultValue = "1s", description = "Heartbeat and status interval (default: ${DEFAULT-VALUE}).")
  String heartbeat;

  /** Counted down to stop serving (Ctrl-C, or a test). */
  final CountDownLatch stop = new CountDownLatch(1);
  /** Counted down once the server is up; {@link #server} is then set. */
  final CountDownLatch ready = new CountDownLatch(1);
  volatile DriverServer server;

  void stop() {
    stop.countDown();
  }

  @Override
  public Integer call() throws Exception {
    if ((curveKeys == null) != (allow == null)) {
      throw new IllegalArgumentException("--curve-keys and --allow: " + (curveKeys == null ? "only --allow" : "only --curve-keys") + " given (expected: both, or neither)");
    }
    Duration lease = Duration.ofNanos(Durations.parseNanos(leaseTimeout));
    Duration beat = Duration.ofNanos(Durations.parseNanos(heartbeat));
    if (beat.compareTo(lease) > 0) throw new IllegalArgumentException("--heartbeat: " + heartbeat + " (expected: at most the lease timeout " + leaseTimeout + ")");
    ServerOptions opts = ServerOptions.of(bind).withPublish(publish).withLeaseTimeout(lease).withHeartbeat(beat);
    if (curveKeys != null) {
      Set<String> allowed = CurveKeyPair.readAllowList(allow);
      opts = opts.withCurve(CurveSecurity.of(CurveKeyPair.read(curveKeys, "server"), allowed));
    }
    PrintWriter out = spec.commandLine().getOut();
    try (CtrlCHook ctrlC = new CtrlCHook(stop, "rramctl-serve-shutdown"); EnvelopedDriver d = board.open()) {
      DriverServer s = DriverServer.start(d, opts.withEnvelope(d.envelope()));
      try {
        server = s;
        ctrlC.install();
        out.printf("serving board %s on %s%s%s; Ctrl-C to stop%n", d.info().boardId(), s.endpoint(),
            s.publishEndpoint().map(p -> ", status on " + p).orElse(""), curveKeys == null ? " (this host only)" : " (CURVE, " + opts.curve().allowedClientKeys().size() + " allowed keys)");
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
