package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code rramctl dashboard}: serves until stopped, prints its address (with the token when asked), refuses bad options. */
class DashboardCommandTest {
  private static CliRun.Result run(DashboardCommand command, String... args) {
    CommandLine cl = Main.commandLine();
    cl.getCommandSpec().removeSubcommand("dashboard");
    cl.addSubcommand("dashboard", command);
    String[] all = new String[args.length + 1];
    all[0] = "dashboard";
    System.arraycopy(args, 0, all, 1, args.length);
    return CliRun.run(cl, new StringWriter(), all);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void servesWithATokenUntilStoppedThenSetsTheBoardIdle(@TempDir Path dir) throws Exception {
    DashboardCommand dash = new DashboardCommand();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<CliRun.Result> served = pool.submit(() -> run(dash, "--board", "sim:ideal?arrays=1&rows=2&cols=2", "--bind", "127.0.0.1:0", "--token",
          "--runs", dir.resolve("runs").toString()));
      assertTrue(dash.ready.await(30, TimeUnit.SECONDS), "the dashboard comes up");
      URI uri = dash.server.uri();
      assertTrue(uri.getQuery().matches("token=[0-9a-f]{32}"), uri.toString());
      HttpClient http = HttpClient.newHttpClient();
      URI api = uri.resolve("/api/board");
      assertEquals(401, http.send(HttpRequest.newBuilder(api).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      HttpResponse<String> board = http.send(HttpRequest.newBuilder(URI.create(api + "?" + uri.getQuery())).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, board.statusCode(), board.body());
      assertTrue(board.body().contains("\"id\":\"emulator-ideal-seed1\""), board.body());
      dash.stop.countDown();
      CliRun.Result done = served.get(30, TimeUnit.SECONDS);
      assertEquals(0, done.code(), done.err());
      assertTrue(done.out().contains("dashboard of board emulator-ideal-seed1 on " + uri + " (open this address once: it carries the access token)"), done.out());
      assertTrue(done.out().contains("pulses from the page: refused (read-only; --allow-pulses to allow)"), done.out());
      assertTrue(done.out().contains("stopped; board emulator-ideal-seed1 idle and closed"), done.out());
    } finally {
      dash.stop.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void badOptionsAreOneLineAndExit2BeforeServing(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    String[][] cases = {
        {"--bind 0.0.0.0:0", "rramctl: --bind: 0.0.0.0:0 is not a loopback address (expected: --token with it, or 127.0.0.1:PORT)"},
        {"--bind localhost", "rramctl: --bind: 'localhost' (expected: HOST:PORT"},
        {"--bind 127.0.0.1:99999", "rramctl: --bind: '127.0.0.1:99999' (expected: HOST:PORT"},
        {"--runs " + file, "rramctl: --runs: " + file + " is a file"},
        {"--training " + dir.resolve("none"), "rramctl: --training: " + dir.resolve("none") + ": no such folder"},
        {"--calibration " + file, "rramctl: " + file + ": not a calibration record"},
    };
    for (String[] c : cases) {
      CliRun.Result r = run(new DashboardCommand(), (c[0] + " --board sim:ideal?arrays=1&rows=2&cols=2").split(" "));
      assertEquals(2, r.code(), c[0] + ": " + r.err());
      assertTrue(r.err().startsWith(c[1]), c[0] + ": " + r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
  }
}
