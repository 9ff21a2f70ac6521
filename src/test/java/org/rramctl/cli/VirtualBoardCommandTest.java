package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code rramctl virtual-board --pty} serves a board that {@code --board serial:PATH} and {@code ports --probe} reach. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VirtualBoardCommandTest {
  @TempDir Path dir;

  @Test
  void aVirtualBoardOnAPtyAnswersInfoAndProbe() throws Exception {
    Path link = dir.resolve("board");
    VirtualBoardCommand serve = new VirtualBoardCommand();
    CommandLine cl = new CommandLine(serve);
    StringWriter served = new StringWriter();
    cl.setOut(new PrintWriter(served, true));
    CompletableFuture<Integer> board = CompletableFuture.supplyAsync(() -> cl.execute("--pty", link.toString(), "--geometry", "4x4,2x2", "--board-id", "VB-CLI", "--protocol", "1"));
    assertTrue(serve.serving().await(30, TimeUnit.SECONDS), "the board serves: " + served);
    try {
      CliRun.Result info = CliRun.run("info", "--board", "serial:" + link);
      assertEquals(0, info.code(), info.err());
      assertTrue(info.out().contains("board      VB-CLI"), info.out());
      assertTrue(info.out().contains("array 1    2 x 2 + reference array"), info.out());

      CommandLine ports = new CommandLine(new PortsCommand());
      StringWriter out = new StringWriter();
      ports.setOut(new PrintWriter(out, true));
      assertEquals(0, ports.execute("--probe", link.toString()));
      assertTrue(out.toString().contains("answers: VB-CLI"), out.toString());
      assertTrue(out.toString().contains("firmware 1.0.0, protocol 1, arrays 4x4, 2x2"), out.toString());
    } finally {
      serve.stop();
    }
    assertEquals(0, board.get(10, TimeUnit.SECONDS));
    assertTrue(served.toString().contains("use: rramctl info --board serial:" + link), served.toString());
  }

  @Test
  void probingAPathWithNoBoardSaysSoOnOneLine() {
    CommandLine ports = new CommandLine(new PortsCommand());
    StringWriter out = new StringWriter();
    ports.setOut(new PrintWriter(out, true));
    assertEquals(0, ports.execute("--probe", dir.resolve("nothing-here").toString()));
    assertTrue(out.toString().contains("no board: "), out.toString());
  }
}
