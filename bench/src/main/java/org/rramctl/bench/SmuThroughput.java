package org.rramctl.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.scpi.SmuDriver;
import org.rramctl.driver.scpi.SmuSettings;
import org.rramctl.driver.scpi.TransportScpiChannel;
import org.rramctl.driver.transport.SerialPortTransport;
import org.rramctl.driver.transport.Transport;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.pty.PtyTransport;
import org.rramctl.sim.scpi.VirtualSmu;
import org.rramctl.sim.scpi.VirtualSmuServer;

/**
 * Operations per second of the SCPI driver against the simulated 2400 and 2600B over a real pty
 * (jSerialComm on the client side), and the command bytes on the wire per pulse-then-read.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.rramctl.bench.SmuThroughput [ops]}.
 */
public final class SmuThroughput {
  private SmuThroughput() {}

  /** Counts bytes both ways through a transport. */
  static final class Counting extends org.rramctl.driver.transport.ForwardingTransport {
    long written;
    long read;

    Counting(Transport inner) {
      super(inner);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      inner.write(b, off, len);
      written += len;
    }

    @Override
    public int read(byte[] b, int off, int len, Duration timeout) throws IOException {
      int n = inner.read(b, off, len, timeout);
      read += Math.max(0, n);
      return n;
    }
  }

  public static void main(String[] args) throws Exception {
    int ops = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    DevicePreset preset = DevicePreset.named("rram-imbalanced").withNominalPulse(1.0, 1_000_000, 0.5);
    System.out.printf(Locale.ROOT, "%-6s %14s %18s %22s %22s%n", "model", "reads/s", "pulse+read/s", "bytes out/pulse+read", "bytes in/pulse+read");
    for (VirtualSmu.Model m : VirtualSmu.Model.values()) {
      try (PtyTransport pty = PtyTransport.open(); VirtualSmuServer server = new VirtualSmuServer(new VirtualSmu(m, preset, 1), pty)) {
        Counting t = new Counting(SerialPortTransport.open(pty.clientPath(), 115200));
        try (SmuDriver d = SmuDriver.open(new TransportScpiChannel(t, Duration.ofSeconds(3)), SmuSettings.defaults())) {
          Cell c = Cell.active(0, 0, 0);
          Pulse up = Pulse.up(1.0, Duration.ofMillis(1));
          for (int i = 0; i < ops / 4; i++) d.read(c, 0.2);
          double[] readRates = new double[3];
          double[] pulseRates = new double[3];
          long out = 0;
          long in = 0;
          for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < ops; i++) d.read(c, 0.2);
            readRates[round] = ops / ((System.nanoTime() - t0) / 1e9);
            long w0 = t.written;
            long r0 = t.read;
            t0 = System.nanoTime();
            for (int i = 0; i < ops; i++) d.pulseThenRead(c, i % 2 == 0 ? up : up.withPolarity(org.rramctl.driver.Polarity.DOWN), 1, 0.2);
            pulseRates[round] = ops / ((System.nanoTime() - t0) / 1e9);
            out = (t.written - w0) / ops;
            in = (t.read - r0) / ops;
          }
          Arrays.sort(readRates);
          Arrays.sort(pulseRates);
          System.out.printf(Locale.ROOT, "%-6s %14.0f %18.0f %22d %22d%n", m, readRates[1], pulseRates[1], out, in);
        }
      }
    }
  }
}
