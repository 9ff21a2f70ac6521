package org.rramctl.sim.pty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.transport.SerialPortException;
import org.rramctl.driver.transport.SerialPortTransport;
import org.rramctl.driver.transport.TransportClosedException;
import org.rramctl.driver.transport.TransportTesting;

/** The real path a board takes: jSerialComm on the slave of an in-process pty, a server on the master. */
@Timeout(20)
class SerialPortOverPtyTest {
  private static final Duration WITHIN = Duration.ofSeconds(10);

  @TempDir Path dir;
  private PtyTransport server;
  private SerialPortTransport client;

  @BeforeEach
  void openBoth() throws IOException {
    server = PtyTransport.open(dir.resolve("board"));
    // Through the symlink, as a user would pass --board serial:/tmp/rramctl-board.
    client = SerialPortTransport.open(server.clientPath(), 115200);
  }

  @AfterEach
  void closeBoth() {
    if (client != null) client.close();
    if (server != null) server.close();
  }

  @Test
  void everyByteValueCrossesUnchangedInEachDirection() throws IOException {
    byte[] all = TransportTesting.allByteValues();
    client.write(all);
    assertArrayEquals(all, TransportTesting.readFully(server, 256, WITHIN), "client -> server");
    server.write(all);
    assertArrayEquals(all, TransportTesting.readFully(client, 256, WITHIN), "server -> client");
  }

  @Test
  void aMegabyteRoundTripsThroughAnEchoIntact() throws Exception {
    TransportTesting.startEcho(server, "pty-echo");
    byte[] big = TransportTesting.randomBytes(1 << 20, 11);
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try {
        client.write(big);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    assertArrayEquals(big, TransportTesting.readFully(client, big.length, WITHIN));
    writer.get(5, TimeUnit.SECONDS);
  }

  @Test
  void closingFromAnotherThreadUnblocksABlockedRead() throws Exception {
    CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
      try {
        return client.read(new byte[8], 0, 8, Duration.ofSeconds(30));
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    client.close();
    ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(5, TimeUnit.SECONDS));
    assertTrue(e.getCause().getCause() instanceof TransportClosedException, e.toString());
  }

  @Test
  void theServerGoingAwayIsALostLinkAndWritesFailInsteadOfBlocking() throws IOException {
    server.close();
    long start = System.nanoTime();
    LinkLostException e = assertThrows(LinkLostException.class, () -> {
      // Reads may time out first; the loss must surface while we keep reading.
      while (System.nanoTime() - start < WITHIN.toNanos()) client.read(new byte[8], 0, 8, Duration.ofMillis(100));
    });
    // No wall-clock bound (loaded machines): the loss must surface as this exception, not as reads that keep
    // timing out until WITHIN; a write that blocked instead of failing would trip the class's @Timeout.
    assertEquals(server.clientPath(), e.source());
    assertThrows(LinkLostException.class, () -> client.write(new byte[] {1}));
  }

  @Test
  void aPollWithNothingThereReturnsZeroAndPurgeDropsStaleBytes() throws IOException {
    assertEquals(0, client.read(new byte[8], 0, 8, Duration.ZERO));
    assertEquals(0, client.read(new byte[8], 0, 8, Duration.ofMillis(10)));
    server.write(new byte[] {1, 2, 3});
    // Wait until the bytes are there, then purge them.
    byte[] first = TransportTesting.readFully(client, 1, WITHIN);
    assertEquals(1, first[0]);
    client.purgeInput();
    server.write(new byte[] {4});
    assertArrayEquals(new byte[] {4}, TransportTesting.readFully(client, 1, WITHIN));
  }

  @Test
  void aMissingPortIsReportedWithItsPath() {
    String missing = dir.resolve("no-such-port").toString();
    SerialPortException e = assertThrows(SerialPortException.class, () -> SerialPortTransport.open(missing, 9600));
    assertEquals(missing, e.source());
    assertEquals("open", e.operation());
    assertTrue(e.getMessage().startsWith(missing + ": link lost: open failed"), e.getMessage());
  }

  @Test
  void aSecondOpenerOfTheSamePortIsRefusedWithTheErrorCode() {
    SerialPortException e = assertThrows(SerialPortException.class, () -> SerialPortTransport.open(server.clientPath(), 9600));
    assertEquals(server.clientPath(), e.source());
    assertTrue(e.getMessage().contains("error code " + e.errorCode()), e.getMessage());
  }
}
