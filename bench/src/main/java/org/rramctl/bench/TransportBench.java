package org.rramctl.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rramctl.driver.transport.SerialPortTransport;
import org.rramctl.driver.transport.Transport;
import org.rramctl.sim.pty.PtyTransport;

/**
 * The byte layer on its own, over the path a virtual board uses: jSerialComm ({@link SerialPortTransport})
 * on the slave of an in-process pseudo-terminal, a server thread on the master ({@link PtyTransport}).
 *
 * <ul>
 *   <li>{@code roundTrip16}: write 16 bytes, read the 16 echoed back (sample mode: median, p99).
 *       This is the floor under any request/response through the full driver stack.</li>
 *   <li>{@code oneWay64k}: write 64 KiB to a server that reads and discards; MB/s = ops/s x 65536 / 1e6.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar TransportBench -f 1 -wi 2 -w 1 -i 3 -r 2}.
 */
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class TransportBench {

  /** A pty with a server thread that either echoes or discards what it reads, and a jSerialComm client. */
  abstract static class Link {
    PtyTransport server;
    SerialPortTransport client;
    Thread serverThread;

    abstract boolean echo();

    @Setup(Level.Trial)
    public void open() throws IOException {
      server = PtyTransport.open();
      client = SerialPortTransport.open(server.clientPath(), 115200);
      boolean echo = echo();
      serverThread = new Thread(() -> {
        byte[] buf = new byte[65536];
        try {
          while (true) {
            int n = server.read(buf, 0, buf.length, Duration.ofMillis(200));
            if (echo && n > 0) server.write(buf, 0, n);
          }
        } catch (IOException closed) {
          // The trial is over.
        }
      }, echo ? "pty-echo" : "pty-drain");
      serverThread.setDaemon(true);
      serverThread.start();
    }

    @TearDown(Level.Trial)
    public void close() throws InterruptedException {
      client.close();
      server.close();
      serverThread.join(5000);
    }
  }

  @State(Scope.Thread)
  public static class EchoLink extends Link {
    final byte[] request = new byte[16];
    final byte[] response = new byte[16];

    @Override
    boolean echo() {
      return true;
    }
  }

  @State(Scope.Thread)
  public static class DrainLink extends Link {
    final byte[] block = new byte[65536];

    @Override
    boolean echo() {
      return false;
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] roundTrip16(EchoLink link) throws IOException {
    link.request[0]++;
    link.client.write(link.request);
    readFully(link.client, link.response);
    return link.response;
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void oneWay64k(DrainLink link) throws IOException {
    link.client.write(link.block);
  }

  private static void readFully(Transport t, byte[] into) throws IOException {
    int got = 0;
    while (got < into.length) {
      int n = t.read(into, got, into.length - got, Duration.ofSeconds(1));
      if (n == 0) throw new IOException(t.endpoint() + ": echo timed out after " + got + " of " + into.length + " bytes");
      got += n;
    }
  }
}
