package org.rramctl.sim.pty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.transport.TransportClosedException;
import org.rramctl.driver.transport.TransportTesting;

@Timeout(10)
class PseudoTerminalTest {
  private static final Duration WITHIN = Duration.ofSeconds(5);

  /**
   * A client that opens the slave with plain open(2) and configures nothing, so that only the
   * terminal's own raw mode stands between the bytes and the line discipline.
   */
  private static final class BareClient implements AutoCloseable {
    final int fd;
    final Memory buf = new Memory(4096);
    final Memory pollfd = new Memory(8);

    BareClient(String path) {
      fd = LibC.open(path, LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
      assertTrue(fd >= 0, "open " + path + ": errno " + Native.getLastError());
    }

    void write(byte[] bytes) {
      buf.write(0, bytes, 0, bytes.length);
      assertEquals(bytes.length, LibC.write(fd, buf, bytes.length), "client write");
    }

    byte[] readFully(int n) {
      byte[] out = new byte[n];
      int got = 0;
      long deadline = System.nanoTime() + WITHIN.toNanos();
      while (got < n) {
        assertTrue(System.nanoTime() < deadline, "got " + got + " of " + n + " bytes");
        pollfd.setInt(0, fd);
        pollfd.setShort(4, LibC.POLLIN);
        pollfd.setShort(6, (short) 0);
        LibC.poll(pollfd, 1, 200);
        long r = LibC.read(fd, buf, Math.min(4096, n - got));
        if (r > 0) {
          buf.read(0, out, got, (int) r);
          got += (int) r;
        }
      }
      return out;
    }

    @Override
    public void close() {
      LibC.close(fd);
    }
  }

  @Test
  void everyByteValuePassesTheRawLineUnchangedInBothDirections() throws IOException {
    try (PseudoTerminal pty = PseudoTerminal.open(); BareClient client = new BareClient(pty.slavePath())) {
      // NUL, LF, CR, XON/XOFF, DEL, ^C, ^D and ^Z would each be translated or swallowed by a cooked line.
      byte[] all = TransportTesting.allByteValues();
      client.write(all);
      byte[] atMaster = new byte[256];
      int got = 0;
      while (got < 256) got += pty.read(atMaster, got, 256 - got, WITHIN);
      assertArrayEquals(all, atMaster, "slave -> master");
      pty.write(all, 0, all.length);
      assertArrayEquals(all, client.readFully(256), "master -> slave");
      assertEquals(0, pty.read(new byte[1], 0, 1, Duration.ofMillis(20)), "no echo of what the client wrote");
    }
  }

  @Test
  void aSymlinkPointsToTheSlaveAndIsRemovedOnClose(@TempDir Path dir) throws IOException {
    Path link = dir.resolve("board");
    PseudoTerminal pty = PseudoTerminal.open(link);
    assertEquals(Paths.get(pty.slavePath()), Files.readSymbolicLink(link));
    assertEquals(link.toString(), pty.path());
    assertTrue(pty.slavePath().startsWith("/dev/pts/"), pty.slavePath());
    pty.close();
    assertFalse(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aDanglingLinkIsReplacedButALiveOneOrAFileIsRefused(@TempDir Path dir) throws IOException {
    Path link = dir.resolve("board");
    Files.createSymbolicLink(link, dir.resolve("gone"));
    try (PseudoTerminal pty = PseudoTerminal.open(link)) {
      LinkLostException live = assertThrows(LinkLostException.class, () -> PseudoTerminal.open(link));
      assertTrue(live.getMessage().contains("link: " + link + " already points to " + pty.slavePath()), live.getMessage());
    }
    Path file = Files.createFile(dir.resolve("file"));
    LinkLostException e = assertThrows(LinkLostException.class, () -> PseudoTerminal.open(file));
    assertTrue(e.getMessage().endsWith("link: " + file + " exists and is not a symlink (expected: a free path)"), e.getMessage());
  }

  @Test
  void closingFromAnotherThreadUnblocksARead() throws Exception {
    PseudoTerminal pty = PseudoTerminal.open();
    CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
      try {
        return pty.read(new byte[8], 0, 8, Duration.ofMinutes(1));
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    pty.close();
    ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(2, TimeUnit.SECONDS));
    assertTrue(e.getCause().getCause() instanceof TransportClosedException, e.toString());
    assertThrows(TransportClosedException.class, () -> pty.write(new byte[1], 0, 1));
    pty.close();
  }

  @Test
  void closingFromAnotherThreadUnblocksAWriteThatNoClientDrains() throws Exception {
    PseudoTerminal pty = PseudoTerminal.open();
    byte[] big = TransportTesting.randomBytes(1 << 20, 9); // far more than the line holds
    CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
      try {
        pty.write(big, 0, big.length);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    // The write cannot finish: nobody reads the slave.
    assertThrows(TimeoutException.class, () -> write.get(100, TimeUnit.MILLISECONDS), "the write is held by a full line");
    pty.close();
    ExecutionException e = assertThrows(ExecutionException.class, () -> write.get(2, TimeUnit.SECONDS));
    assertTrue(e.getCause().getCause() instanceof TransportClosedException, e.toString());
  }
}
