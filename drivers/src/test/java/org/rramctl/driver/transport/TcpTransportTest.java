package org.rramctl.driver.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.LinkLostException;

@Timeout(10)
class TcpTransportTest {
  private static final Duration WITHIN = Duration.ofSeconds(5);

  private ServerSocket server;
  private CompletableFuture<TcpTransport> accepted;

  @BeforeEach
  void listen() throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    accepted = CompletableFuture.supplyAsync(() -> {
      try {
        return TcpTransport.wrap(server.accept());
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    if (accepted.isDone() && !accepted.isCompletedExceptionally()) accepted.get().close();
  }

  private TcpTransport connect() throws IOException {
    return TcpTransport.connect("tcp://127.0.0.1:" + server.getLocalPort());
  }

  @Test
  void everyByteValueAndAMegabyteRoundTripThroughAnEcho() throws Exception {
    try (TcpTransport client = connect()) {
      TcpTransport peer = accepted.get(5, TimeUnit.SECONDS);
      TransportTesting.startEcho(peer, "tcp-echo");
      client.write(TransportTesting.allByteValues());
      assertArrayEquals(TransportTesting.allByteValues(), TransportTesting.readFully(client, 256, WITHIN));
      byte[] big = TransportTesting.randomBytes(1 << 20, 2);
      // Write from another thread: the echo applies backpressure, so one thread cannot do both.
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          client.write(big);
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      assertArrayEquals(big, TransportTesting.readFully(client, big.length, WITHIN));
      writer.get(5, TimeUnit.SECONDS);
      assertEquals("tcp://127.0.0.1:" + server.getLocalPort(), client.endpoint());
    }
  }

  @Test
  void thePeerClosingIsALostLink() throws Exception {
    try (TcpTransport client = connect()) {
      accepted.get(5, TimeUnit.SECONDS).close();
      LinkLostException e = assertThrows(LinkLostException.class, () -> client.read(new byte[4], 0, 4, WITHIN));
      assertEquals(client.endpoint(), e.source());
    }
  }

  @Test
  void closingFromAnotherThreadUnblocksABlockedRead() throws Exception {
    TcpTransport client = connect();
    CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
      try {
        return client.read(new byte[4], 0, 4, Duration.ofMinutes(1));
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    client.close();
    ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(5, TimeUnit.SECONDS));
    assertTrue(e.getCause().getCause() instanceof TransportClosedException, e.toString());
  }

  @Test
  void aReadWithNothingToReadTimesOutWithZero() throws Exception {
    try (TcpTransport client = connect()) {
      assertEquals(0, client.read(new byte[4], 0, 4, Duration.ofMillis(20)));
      assertEquals(0, client.read(new byte[4], 0, 4, Duration.ZERO));
    }
  }

  @Test
  void aRefusedConnectionNamesTheEndpoint() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    LinkLostException e = assertThrows(LinkLostException.class, () -> TcpTransport.connect("127.0.0.1", port, Duration.ofSeconds(2)));
    assertEquals("tcp://127.0.0.1:" + port, e.source());
    assertTrue(e.getMessage().startsWith("tcp://127.0.0.1:" + port + ": link lost: connect failed"), e.getMessage());
  }

  @Test
  void aUriThatIsNotTcpHostPortIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TcpTransport.connect("serial:/dev/ttyACM0"));
    assertEquals("uri: serial:/dev/ttyACM0 (expected: tcp://host:port)", e.getMessage());
  }
}
