package org.rramctl.driver.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.LinkLostException;

@Timeout(10)
class FaultyTransportTest {
  private static final Duration WITHIN = Duration.ofSeconds(5);
  private static final int N = 100_000;

  private static byte[] drain(Transport t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = t.read(buf, 0, buf.length, Duration.ZERO)) > 0) out.write(buf, 0, n);
    return out.toByteArray();
  }

  @Test
  void outboundDropsRemoveAboutTheConfiguredFractionAndRepeatForTheSameSeed() throws IOException {
    byte[] data = TransportTesting.randomBytes(N, 3);
    byte[][] received = new byte[2][];
    for (int run = 0; run < 2; run++) {
      PipeTransport.Pair p = PipeTransport.pair(N);
      try (FaultyTransport faulty = new FaultyTransport(p.a(), 42)) {
        faulty.dropBytes(0.1, FaultyTransport.Direction.OUTBOUND);
        faulty.write(data);
        received[run] = drain(p.b());
        assertEquals(N, faulty.bytesDropped() + received[run].length, "dropped + received");
      }
    }
    // Binomial(100000, 0.1): sd ~ 95 bytes, so +-1000 is a 10-sigma band.
    assertEquals(N * 0.9, received[0].length, 1000);
    assertArrayEquals(received[0], received[1], "same seed, same faults");
  }

  @Test
  void inboundBitFlipsChangeExactlyOneBitPerCorruptedByte() throws IOException {
    byte[] data = TransportTesting.randomBytes(N, 4);
    PipeTransport.Pair p = PipeTransport.pair(N);
    try (FaultyTransport faulty = new FaultyTransport(p.b(), 7)) {
      faulty.flipBits(0.01, FaultyTransport.Direction.INBOUND);
      p.a().write(data);
      byte[] got = TransportTesting.readFully(faulty, N, WITHIN);
      int corrupted = 0;
      for (int i = 0; i < N; i++) {
        int diff = (data[i] ^ got[i]) & 0xFF;
        if (diff != 0) {
          assertEquals(1, Integer.bitCount(diff), "byte " + i);
          corrupted++;
        }
      }
      assertEquals(faulty.bitsFlipped(), corrupted);
      assertEquals(N * 0.01, corrupted, 300); // sd ~ 31
    }
  }

  @Test
  void outboundFaultsNeverModifyTheCallersBuffer() throws IOException {
    byte[] data = TransportTesting.randomBytes(4096, 5);
    byte[] copy = data.clone();
    PipeTransport.Pair p = PipeTransport.pair();
    try (FaultyTransport faulty = new FaultyTransport(p.a(), 1)) {
      faulty.flipBits(0.5, FaultyTransport.Direction.BOTH).dropBytes(0.5, FaultyTransport.Direction.BOTH);
      faulty.write(data);
    }
    assertArrayEquals(copy, data);
  }

  @Test
  void aStallHoldsReadsAndWritesUntilResumed() throws Exception {
    PipeTransport.Pair p = PipeTransport.pair();
    FaultyTransport faulty = new FaultyTransport(p.a(), 1);
    p.b().write(new byte[] {9});
    faulty.stall();
    assertEquals(0, faulty.read(new byte[4], 0, 4, Duration.ofMillis(30)), "stalled read times out");
    CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
      try {
        faulty.write(new byte[] {1, 2});
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    assertEquals(0, p.b().read(new byte[4], 0, 4, Duration.ofMillis(30)), "nothing leaves while stalled");
    faulty.resume();
    write.get(5, TimeUnit.SECONDS);
    assertArrayEquals(new byte[] {1, 2}, TransportTesting.readFully(p.b(), 2, WITHIN));
    assertArrayEquals(new byte[] {9}, TransportTesting.readFully(faulty, 1, WITHIN), "held input is delivered after the stall");
    faulty.close();
  }

  @Test
  void aDisconnectIsALostLinkOnBothEndsEvenForABlockedRead() throws Exception {
    PipeTransport.Pair p = PipeTransport.pair();
    FaultyTransport faulty = new FaultyTransport(p.a(), 1);
    CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
      try {
        return faulty.read(new byte[4], 0, 4, Duration.ofMinutes(1));
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    faulty.disconnect();
    ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(5, TimeUnit.SECONDS));
    assertTrue(e.getCause().getCause() instanceof LinkLostException, e.toString());
    assertThrows(LinkLostException.class, () -> faulty.write(new byte[] {1}));
    assertThrows(LinkLostException.class, () -> p.b().read(new byte[1], 0, 1, Duration.ofSeconds(1)));
    faulty.close();
    assertThrows(TransportClosedException.class, () -> faulty.write(new byte[] {1}));
  }

  @Test
  void ratesOutsideZeroToOneAreRejected() {
    FaultyTransport faulty = new FaultyTransport(PipeTransport.pair().a(), 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> faulty.dropBytes(Double.NaN, FaultyTransport.Direction.BOTH));
    assertEquals("dropRate: NaN (expected: 0..1)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> faulty.flipBits(1.5, FaultyTransport.Direction.BOTH));
  }
}
