package org.rramctl.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.driver.transport.SerialPortTransport;
import org.rramctl.driver.transport.Transport;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.board.VirtualBoard;
import org.rramctl.sim.pty.PtyTransport;

/**
 * The serial stack's numbers, all over real pseudo-terminals opened by jSerialComm, in one run:
 *
 * <ol>
 *   <li>Round trip of a single-device read through the whole stack (SerialBoardDriver, BoardSession,
 *       codec, framing, jSerialComm, pty, VirtualBoard, emulator) against a raw 16-byte jSerialComm echo
 *       over the same kind of pty (a JNA echo loop on the master).</li>
 *   <li>A training step of the 784-256-128-10 network (forward read, transpose read and stochastic update
 *       of all three tiles, MNIST-like sparsity) through the stack: samples per second over the pty, the
 *       bytes each way, and the same step on the in-process emulator, to separate wire from arithmetic.
 *       From the byte counts: the line-bound rate at 115200 baud and at a practical 1 MB/s of USB full
 *       speed.</li>
 * </ol>
 * With a third argument, the path of the reference firmware's host port ({@code rramctl-fw-host}, built by
 * {@code make -C firmware-protocol/firmware host}), both measurements also run against the C firmware, side by side
 * with the Java virtual board in the same run: the same driver, the same kind of pty, another board.
 * A harness rather than JMH: the result is a latency distribution (median, p99) of blocking round trips.
 * Run: {@code java -cp bench/target/benchmarks.jar org.rramctl.bench.SerialBench [roundTrips] [steps] [rramctl-fw-host]}.
 */
public final class SerialBench {
  private SerialBench() {}

  private static final double READ_VOLTS = 0.2;

  public static void main(String[] args) throws Exception {
    int roundTrips = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Path firmware = args.length > 2 ? Path.of(args[2]) : null;
    System.out.printf(Locale.ROOT, "java %s, %d cores%n", System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    long[] echo = new long[roundTrips];
    long[] read = new long[roundTrips];
    long[] fwRead = firmware == null ? null : new long[roundTrips];
    latencies(echo, read, firmware, fwRead);
    report("raw jSerialComm echo, 16 B, pty", echo);
    report("SerialBoardDriver.read, pty", read);
    System.out.printf(Locale.ROOT, "ratio of medians (stack / echo): %.2f%n", (double) percentile(read, 50) / percentile(echo, 50));
    if (fwRead != null) {
      report("same read, C reference firmware", fwRead);
      System.out.printf(Locale.ROOT, "ratio of medians (C firmware / echo): %.2f; (C firmware / Java virtual board): %.2f%n",
          (double) percentile(fwRead, 50) / percentile(echo, 50), (double) percentile(fwRead, 50) / percentile(read, 50));
    }
    trainingSteps(steps, firmware);
  }

  /** The C firmware's host port serving a pty linked at {@code link}; ends with the returned process. */
  private static Process startFirmware(Path binary, Path link, String geometry) throws IOException {
    Process p = new ProcessBuilder(binary.toString(), "--pty", link.toString(), "--geometry", geometry, "--seed", "3", "--preset", "aihwkit-like")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String ready = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)).readLine();
    if (ready == null || !ready.startsWith("ready ")) {
      p.destroyForcibly();
      throw new IOException(binary + " did not start: " + ready);
    }
    return p;
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Both links open side by side, measured in alternating blocks of {@value #BLOCK} round trips, so that
   * load from other processes on the machine falls on both alike. The first blocks warm up the JIT.
   */
  private static void latencies(long[] echoOut, long[] readOut, Path firmware, long[] fwOut) throws IOException {
    Path dir = Files.createTempDirectory("serial-bench");
    Process fw = firmware == null ? null : startFirmware(firmware, dir.resolve("fw-board"), "32x32");
    try {
      latencies(echoOut, readOut, fw == null ? null : dir.resolve("fw-board").toString(), fwOut);
    } finally {
      if (fw != null) fw.destroy();
    }
  }

  private static void latencies(long[] echoOut, long[] readOut, String fwPath, long[] fwOut) throws IOException {
    EmulatorDriver emulator = EmulatorDriver.open(DevicePreset.named("aihwkit-like"), List.of(new int[] {32, 32}), 1);
    try (PtyTransport echoServer = PtyTransport.open();
         SerialPortTransport echoClient = SerialPortTransport.open(echoServer.clientPath(), 115_200);
         VirtualBoard board = new VirtualBoard(emulator, VirtualBoard.Config.defaults())) {
      Thread echo = new Thread(() -> {
        byte[] b = new byte[4096];
        try {
          while (true) {
            int k = echoServer.read(b, 0, b.length, Duration.ofSeconds(1));
            if (k > 0) echoServer.write(b, 0, k);
          }
        } catch (IOException closed) {
          // the benchmark is over
        }
      }, "echo");
      echo.setDaemon(true);
      echo.start();
      PtyTransport pty = PtyTransport.open();
      board.serve(pty);
      String path = pty.clientPath();
      try (SerialBoardDriver d = SerialBoardDriver.open(() -> SerialPortTransport.open(path, 115_200), SessionSettings.defaults());
           SerialBoardDriver f = fwPath == null ? null : SerialBoardDriver.open(() -> SerialPortTransport.open(fwPath, 115_200), SessionSettings.defaults())) {
        Cell c = Cell.active(0, 3, 5);
        byte[] msg = new byte[16];
        byte[] in = new byte[16];
        long[] scratch = new long[BLOCK];
        for (int warm = 0; warm < 10; warm++) {
          echoBlock(echoClient, msg, in, scratch, 0);
          readBlock(d, c, scratch, 0);
          if (f != null) readBlock(f, c, scratch, 0);
        }
        for (int at = 0; at < echoOut.length; at += BLOCK) {
          echoBlock(echoClient, msg, in, echoOut, at);
          readBlock(d, c, readOut, at);
          if (f != null) readBlock(f, c, fwOut, at);
        }
      }
    }
  }

  private static final int BLOCK = 500;

  private static void echoBlock(SerialPortTransport client, byte[] msg, byte[] in, long[] out, int at) throws IOException {
    for (int i = at; i < Math.min(out.length, at + BLOCK); i++) {
      msg[0] = (byte) i;
      long t0 = System.nanoTime();
      client.write(msg);
      int got = 0;
      while (got < 16) got += client.read(in, got, 16 - got, Duration.ofSeconds(1));
      out[i] = System.nanoTime() - t0;
    }
  }

  private static void readBlock(SerialBoardDriver d, Cell c, long[] out, int at) throws IOException {
    for (int i = at; i < Math.min(out.length, at + BLOCK); i++) {
      long t0 = System.nanoTime();
      d.read(c, READ_VOLTS);
      out[i] = System.nanoTime() - t0;
    }
  }

  private static long percentile(long[] x, double p) {
    long[] s = x.clone();
    Arrays.sort(s);
    return s[(int) Math.min(s.length - 1, Math.round(p / 100 * (s.length - 1)))];
  }

  private static void report(String what, long[] x) {
    System.out.printf(Locale.ROOT, "%-36s n=%d  median %.1f us  p90 %.1f us  p99 %.1f us%n", what, x.length, percentile(x, 50) / 1e3, percentile(x, 90) / 1e3,
        percentile(x, 99) / 1e3);
  }

  // ---------------------------------------------------------------------------------------------

  /** The three tiles of 784-256-128-10, each with a bias row, one per array. */
  private static final int[][] LAYERS = {{785, 256}, {257, 128}, {129, 10}};
  private static final int BL = 31;

  /** One layer's inputs and program, generated once per sample from a seeded stream. */
  private record LayerStep(Tile tile, double[] x, double[] delta, StochasticUpdate update) {}

  private static LayerStep[] sample(SplittableRandom r) {
    Pulse up = Pulse.up(1.0, Duration.ofNanos(100));
    Pulse down = Pulse.down(1.0, Duration.ofNanos(100));
    LayerStep[] out = new LayerStep[LAYERS.length];
    for (int l = 0; l < LAYERS.length; l++) {
      int rows = LAYERS[l][0];
      int cols = LAYERS[l][1];
      // Layer 1: about 19 % of MNIST pixels are non-zero (PROTOCOL.md 7); hidden layers: ReLU, about half.
      double inputDensity = l == 0 ? 150.0 / 784 : 0.5;
      double[] x = new double[rows];
      long[] rb = new long[rows];
      byte[] rs = new byte[rows];
      x[rows - 1] = READ_VOLTS; // bias
      for (int j = 0; j < rows; j++) {
        if (j == rows - 1 || r.nextDouble() < inputDensity) {
          x[j] = READ_VOLTS * (0.1 + 0.9 * r.nextDouble());
          rb[j] = r.nextLong() & ((1L << BL) - 1) & r.nextLong(); // about BL/4 slots fire
          if (rb[j] == 0) rb[j] = 1;
          rs[j] = 1;
        }
      }
      double[] delta = new double[cols];
      long[] cb = new long[cols];
      byte[] cs = new byte[cols];
      for (int i = 0; i < cols; i++) {
        delta[i] = READ_VOLTS * (r.nextDouble() * 2 - 1);
        if (r.nextBoolean()) { // half the deltas round to an empty stream
          cb[i] = r.nextLong() & ((1L << BL) - 1) & r.nextLong();
          if (cb[i] == 0) cb[i] = 1;
          cs[i] = (byte) (delta[i] < 0 ? -1 : 1);
        }
      }
      out[l] = new LayerStep(new Tile(l, 0, 0, rows, cols), x, delta, new StochasticUpdate(BL, rb, rs, cb, cs, up, down));
    }
    return out;
  }

  /** Runs one sample; adds the nanoseconds of its forward, transpose and update phases to {@code phases}. */
  private static void step(CrossbarDriver d, LayerStep[] s, long[] phases) throws IOException {
    long t0 = System.nanoTime();
    for (LayerStep l : s) d.forwardRead(l.tile(), ReadMode.DIFFERENTIAL, l.x());
    long t1 = System.nanoTime();
    for (int l = s.length - 1; l >= 0; l--) d.transposeRead(s[l].tile(), ReadMode.DIFFERENTIAL, s[l].delta());
    long t2 = System.nanoTime();
    for (LayerStep l : s) d.parallelUpdate(l.tile(), Plane.ACTIVE, l.update());
    long t3 = System.nanoTime();
    phases[0] += t1 - t0;
    phases[1] += t2 - t1;
    phases[2] += t3 - t2;
  }

  private static String phases(long[] p, int steps) {
    return String.format(Locale.ROOT, "forward %.2f, transpose %.2f, update %.2f ms", p[0] / 1e6 / steps, p[1] / 1e6 / steps, p[2] / 1e6 / steps);
  }

  private static EmulatorDriver networkEmulator() {
    List<int[]> geometry = List.of(LAYERS[0], LAYERS[1], LAYERS[2]);
    return EmulatorDriver.open(DevicePreset.named("aihwkit-like"), geometry, 3);
  }

  private static void trainingSteps(int steps, Path firmware) throws IOException {
    SplittableRandom r = new SplittableRandom(42);
    LayerStep[][] samples = new LayerStep[steps][];
    for (int k = 0; k < steps; k++) samples[k] = sample(r);

    EmulatorDriver local = networkEmulator();
    long[] localPhases = new long[3];
    for (int k = 0; k < steps; k++) step(local, samples[k], new long[3]); // warm-up
    long t0 = System.nanoTime();
    for (int k = 0; k < steps; k++) step(local, samples[k], localPhases);
    double localSeconds = (System.nanoTime() - t0) / 1e9;

    AtomicLong boardToHost = new AtomicLong();
    try (VirtualBoard board = new VirtualBoard(networkEmulator(), VirtualBoard.Config.defaults())) {
      PtyTransport pty = PtyTransport.open();
      board.serve(new Counting(pty, boardToHost));
      String path = pty.clientPath();
      try (SerialBoardDriver d = SerialBoardDriver.open(() -> SerialPortTransport.open(path, 115_200), SessionSettings.defaults())) {
        long[] ptyPhases = new long[3];
        for (int k = 0; k < Math.min(steps, 50); k++) step(d, samples[k], new long[3]); // warm-up
        long sent0 = d.session().bytesSent();
        long recv0 = boardToHost.get();
        long t1 = System.nanoTime();
        for (int k = 0; k < steps; k++) step(d, samples[k], ptyPhases);
        double ptySeconds = (System.nanoTime() - t1) / 1e9;
        double up = (d.session().bytesSent() - sent0) / (double) steps;
        double downBytes = (boardToHost.get() - recv0) / (double) steps;
        double total = up + downBytes;
        System.out.printf(Locale.ROOT, "training step 784-256-128-10 (forward + transpose + update, 3 tiles, BL %d), %d samples%n", BL, steps);
        System.out.printf(Locale.ROOT, "  wire bytes per step: host->board %.0f, board->host %.0f, total %.0f (heartbeats included)%n", up, downBytes, total);
        System.out.printf(Locale.ROOT, "  over the pty, full stack:     %.1f samples/s (%.2f ms/sample: %s)%n", steps / ptySeconds, ptySeconds * 1e3 / steps, phases(ptyPhases, steps));
        System.out.printf(Locale.ROOT, "  in-process emulator, no wire: %.1f samples/s (%.2f ms/sample: %s)%n", steps / localSeconds, localSeconds * 1e3 / steps, phases(localPhases, steps));
        System.out.printf(Locale.ROOT, "  line-bound at 115200 baud 8N1 (11520 B/s): %.2f samples/s%n", 11_520 / total);
        System.out.printf(Locale.ROOT, "  line-bound at USB full speed, ~1 MB/s practical CDC: %.0f samples/s%n", 1_000_000 / total);
      }
    }
    if (firmware == null) return;
    Path dir = Files.createTempDirectory("serial-bench");
    Process fw = startFirmware(firmware, dir.resolve("fw-net"), "785x256,257x128,129x10");
    String path = dir.resolve("fw-net").toString();
    try (SerialBoardDriver d = SerialBoardDriver.open(() -> SerialPortTransport.open(path, 115_200), SessionSettings.defaults())) {
      long[] fwPhases = new long[3];
      for (int k = 0; k < Math.min(steps, 50); k++) step(d, samples[k], new long[3]); // warm-up
      long t1 = System.nanoTime();
      for (int k = 0; k < steps; k++) step(d, samples[k], fwPhases);
      double fwSeconds = (System.nanoTime() - t1) / 1e9;
      System.out.printf(Locale.ROOT, "  over the pty, C reference firmware (host port, per-device HAL composition): %.1f samples/s (%.2f ms/sample: %s)%n",
          steps / fwSeconds, fwSeconds * 1e3 / steps, phases(fwPhases, steps));
    } finally {
      fw.destroy();
    }
  }

  /** Counts what the board writes. */
  private static final class Counting extends org.rramctl.driver.transport.ForwardingTransport {
    private final AtomicLong written;

    Counting(Transport inner, AtomicLong written) {
      super(inner);
      this.written = written;
    }

    @Override
    public void write(byte[] bytes, int offset, int len) throws IOException {
      inner.write(bytes, offset, len);
      written.addAndGet(len);
    }
  }
}
