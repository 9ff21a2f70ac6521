package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
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

/** serve and keys, through Main's command line and error handling. */
class ServeCommandTest {
  private static CliRun.Result run(Object command, String name, String... args) {
    // Main registers a fresh instance; swap in this one so the test can watch and stop it.
    CommandLine cl = Main.commandLine();
    cl.getCommandSpec().removeSubcommand(name);
    cl.addSubcommand(name, command);
    String[] all = new String[args.length + 1];
    all[0] = name;
    System.arraycopy(args, 0, all, 1, args.length);
    return CliRun.run(cl, new StringWriter(), all);
  }

  @Test
  void keysGenerateWritesZ85FilesAndNeverOverwrites(@TempDir Path dir) throws Exception {
    CliRun.Result r = run(new KeysCommand(), "keys", "generate", "--out", dir.toString(), "--name", "alice");
    assertEquals(0, r.code(), r.err());
    String pub = Files.readString(dir.resolve("alice.public")).strip();
    assertEquals(40, pub.length());
    assertEquals(40, Files.readString(dir.resolve("alice.secret")).strip().length());
    assertTrue(r.out().contains("public key " + pub), r.out());
    CliRun.Result again = run(new KeysCommand(), "keys", "generate", "--out", dir.toString(), "--name", "alice");
    assertEquals(2, again.code(), "an existing file is bad input (one rule for file errors)");
    assertEquals(1, again.err().lines().count(), again.err());
    assertTrue(again.err().contains("alice.public"), again.err());
  }

  @Test
  void servingBeyondLoopbackWithoutKeysIsOneLineAndExitTwo() {
    CliRun.Result r = run(new ServeCommand(), "serve", "--board", "sim:?arrays=1&rows=2&cols=2", "--bind", "tcp://0.0.0.0:*");
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("rramctl: bind: tcp://0.0.0.0:* is not a loopback address"), r.err());
    CliRun.Result half = run(new ServeCommand(), "serve", "--curve-keys", "/tmp");
    assertEquals(2, half.code());
    assertTrue(half.err().contains("--curve-keys and --allow"), half.err());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void otherCommandsUseAServedBoardThroughItsUri() throws Exception {
    ServeCommand serve = new ServeCommand();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<CliRun.Result> served = pool.submit(() -> run(serve, "serve", "--board", "sim:ideal?arrays=1&rows=2&cols=2", "--bind", "tcp://127.0.0.1:*",
          "--lease-timeout", "2s"));
      assertTrue(serve.ready.await(30, TimeUnit.SECONDS), "the server comes up");
      String uri = "zmq+" + serve.server.endpoint();
      CliRun.Result read = CliRun.run("read", "--board", uri, "--cell", "0,1", "--vread", "0.1");
      assertEquals(0, read.code(), read.err());
      assertTrue(read.out().contains("(50.500 uS)"), read.out());
      CliRun.Result pulse = CliRun.run("pulse", "--board", uri, "--cell", "1,1", "--up", "--amplitude", "1.0", "--width", "100ns", "--count", "100");
      assertEquals(0, pulse.code(), pulse.err());
      CliRun.Result tooHigh = CliRun.run("pulse", "--board", uri, "--cell", "1,1", "--up", "--amplitude", "5", "--width", "100ns");
      assertEquals(2, tooHigh.code());
      assertEquals("rramctl: pulse amplitude: 5.00000 V (allowed: 0.00100000 V <= V <= 3.00000 V)", tooHigh.err().strip());
      serve.stop();
      CliRun.Result done = served.get(30, TimeUnit.SECONDS);
      assertEquals(0, done.code(), done.err());
      assertTrue(done.out().contains("idle and closed"), done.out());
    } finally {
      serve.stop();
      pool.shutdownNow();
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void anAbortSentToTheServerStopsAProcedureDrivingTheBoardFromAnotherClient(@TempDir Path runs) throws Exception {
    try (org.rramctl.driver.EnvelopedDriver d = org.rramctl.driver.Boards.open("sim:ideal?arrays=1&rows=1&cols=1", null);
        org.rramctl.driver.remote.DriverServer server = org.rramctl.driver.remote.DriverServer.start(d,
            org.rramctl.driver.remote.ServerOptions.of("tcp://127.0.0.1:*"))) {
      CharacterizationCliTest.LatchWriter out = new CharacterizationCliTest.LatchWriter("abort with Ctrl-C");
      java.util.concurrent.CompletableFuture<CliRun.Result> running = java.util.concurrent.CompletableFuture.supplyAsync(() -> CliRun.run(out,
          "procedure", "pulse-response", "--board", "zmq+" + server.endpoint(), "--runs", runs.toString(), "--pulses", "5000", "--cycles", "1"));
      assertTrue(out.seen.await(30, TimeUnit.SECONDS), "the run started");
      try (org.rramctl.driver.remote.RemoteDriver operator = org.rramctl.driver.remote.RemoteDriver.open(server.endpoint(),
          org.rramctl.driver.remote.ClientOptions.defaults().withLabel("operator"))) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (operator.status().pulsesApplied() < 10) assertTrue(System.nanoTime() < deadline, "the procedure pulses through the server");
        // abort() waits one second for the server's acknowledgement (a new connection, HELLO, ABORT); on a loaded
        // machine that can pass first. An abort is idempotent: repeat until the server confirms it.
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!operator.abortAndConfirm()) assertTrue(System.nanoTime() < deadline, "the server acknowledges the abort");
        // Status is queued behind the operation in progress, so this counts it too.
        org.rramctl.driver.DriverStatus atAbort = operator.status();
        assertTrue(atAbort.aborted(), "the status flag is set");
        CliRun.Result r = running.get(60, TimeUnit.SECONDS);
        assertEquals(130, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("aborted by operator#"), r.err());
        assertEquals(atAbort.pulsesApplied(), operator.status().pulsesApplied(), "no pulse after the abort beyond the one in progress");
        assertTrue(atAbort.pulsesApplied() < 10_000, "stopped early: " + atAbort.pulsesApplied());
      }
    }
  }
}
