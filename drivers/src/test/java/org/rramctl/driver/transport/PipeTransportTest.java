package org.rramctl.driver.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.LinkLostException;

@Timeout(10)
class PipeTransportTest {
  private static final Duration WITHIN = Duration.ofSeconds(5);

  @Test
  void everyByteValueCrossesUnchangedBothWays() throws IOException {
    PipeTransport.Pair p = PipeTransport.pair();
    p.a().write(TransportTesting.allByteValues());
    assertArrayEquals(TransportTesting.allByteValues(), TransportTesting.readFully(p.b(), 256, WITHIN));
    p.b().write(TransportTesting.allByteValues());
    assertArrayEquals(TransportTesting.allByteValues(), TransportTesting.readFully(p.a(), 256, WITHIN));
  }

  @Test
  void writeLargerThanTheBufferBlocksUntilTheReaderDrainsAndArrivesIntact() throws Exception {
    PipeTransport.Pair p = PipeTransport.pair(4096);
    byte[] data = TransportTesting.randomBytes(1 << 20, 1);
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try {
        p.a().write(data);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    assertArrayEquals(data, TransportTesting.readFully(p.b(), data.length, WITHIN));
    writer.get(5, TimeUnit.SECONDS);
  }

  @Test
  void readReturnsZeroWhenTheTimeoutPassesOrWhenPollingAnEmptyPipe() throws IOException {
    PipeTransport.Pair p = PipeTransport.pair();
    byte[] buf = new byte[8];
    assertEquals(0, p.a().read(buf, 0, 8, Duration.ofMillis(20)));
    assertEquals(0, p.a().read(buf, 0, 8, Duration.ZERO));
    p.b().write(new byte[] {7});
    assertEquals(1, p.a().read(buf, 0, 8, Duration.ZERO));
  }

  @Test
  void closingFromAnotherThreadUnblocksABlockedRead() throws Exception {
    PipeTransport.Pair p = PipeTransport.pair();
    Thread[] reader = new Thread[1];
    CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
      reader[0] = Thread.currentThread();
      try {
        return p.a().read(new byte[8], 0, 8, Duration.ofMinutes(5));
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    // Wait until the reader is parked in the read, so the close really interrupts a blocked call.
    while (reader[0] == null || reader[0].getState() != Thread.State.TIMED_WAITING) Thread.onSpinWait();
    p.a().close();
    ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(2, TimeUnit.SECONDS));
    assertTrue(e.getCause().getCause() instanceof TransportClosedException, e.toString());
    assertFalse(p.a().isOpen());
  }

  @Test
  void peerClosingIsALostLinkOnlyAfterItsBytesHaveBeenRead() throws IOException {
    PipeTransport.Pair p = PipeTransport.pair();
    p.b().write(new byte[] {1, 2, 3});
    p.b().close();
    assertArrayEquals(new byte[] {1, 2, 3}, TransportTesting.readFully(p.a(), 3, WITHIN));
    LinkLostException e = assertThrows(LinkLostException.class, () -> p.a().read(new byte[1], 0, 1, Duration.ofSeconds(1)));
    assertEquals("pipe:a", e.source());
    assertThrows(LinkLostException.class, () -> p.a().write(new byte[] {1}));
  }

  @Test
  void closeIsIdempotentAndLaterCallsSayClosed() {
    PipeTransport.Pair p = PipeTransport.pair();
    p.a().close();
    p.a().close();
    TransportClosedException e = assertThrows(TransportClosedException.class, () -> p.a().write(new byte[] {1}));
    assertEquals("pipe:a", e.source());
    assertThrows(TransportClosedException.class, () -> p.a().read(new byte[1], 0, 1, Duration.ZERO));
    assertThrows(TransportClosedException.class, () -> p.a().purgeInput());
  }

  @Test
  void purgeDiscardsWhatHasArrivedButNotWhatComesLater() throws IOException {
    PipeTransport.Pair p = PipeTransport.pair();
    p.b().write(new byte[] {1, 2, 3});
    p.a().purgeInput();
    assertEquals(0, p.a().read(new byte[8], 0, 8, Duration.ZERO));
    p.b().write(new byte[] {4});
    assertArrayEquals(new byte[] {4}, TransportTesting.readFully(p.a(), 1, WITHIN));
  }

  @Test
  void badArgumentsAreRejectedWithTheValue() {
    PipeTransport.Pair p = PipeTransport.pair();
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> p.a().write(new byte[2], 1, 2));
    assertTrue(e.getMessage().contains("offset: 1, len: 2"), e.getMessage());
    IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> p.a().read(new byte[2], 0, 2, Duration.ofMillis(-1)));
    assertTrue(t.getMessage().startsWith("timeout: PT-0.001S"), t.getMessage());
  }
}
