package org.rramctl.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.journal.Durability;
import org.rramctl.journal.Json;
import org.rramctl.journal.LivePublisher;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunRecorder;
import org.rramctl.procedure.Procedures;
import org.rramctl.procedure.Runner;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A harness, not JMH: the costs measured are dominated by system calls and device flushes, which JMH's
 * per-invocation machinery adds nothing to. Two measurements:
 *
 * <ol>
 *   <li>Journal throughput: documents per second through {@link RunRecorder#event} (JSON serialisation,
 *       one write per line, plus fdatasync per line for FORCE), for a typical pulse-response event.
 *   <li>Overhead on a pulse-response run (1 device, N up + N down, ideal emulator): the bare loop of driver
 *       calls, the same as a journaled run (FLUSH, FORCE), and journaled + published on tcp with a
 *       subscriber draining it.
 * </ol>
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.rramctl.bench.JournalBench [DIR]}; DIR (default
 * {@code bench/target/journal-bench}) must be on the disk whose durability matters, not on tmpfs.
 * Each figure is the median of {@link #TRIALS} trials after warm-up.
 */
public final class JournalBench {
  static final int TRIALS = 5;
  static final int WARMUP_ROUNDS = 3;

  private JournalBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "bench/target/journal-bench").toAbsolutePath();
    Files.createDirectories(dir);
    System.out.printf(Locale.ROOT, "journal bench in %s (%s), %d cores, Java %s%n", dir, Files.getFileStore(dir).type(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    System.out.printf(Locale.ROOT, "load average at the start: %s%n%n", Files.readString(Path.of("/proc/loadavg")).strip());
    System.out.println("0. components of one journaled event (median of " + TRIALS + " x 100000)");
    double[] ser = new double[TRIALS];
    double[] wr = new double[TRIALS];
    components(dir, 10_000, new double[1], new double[1]);
    for (int t = 0; t < TRIALS; t++) {
      double[] a = new double[1];
      double[] b = new double[1];
      components(dir, 100_000, a, b);
      ser[t] = a[0];
      wr[t] = b[0];
    }
    System.out.printf(Locale.ROOT, "   build + serialise document   %6.2f us%n", median(ser));
    System.out.printf(Locale.ROOT, "   FileChannel.write of a line  %6.2f us%n%n", median(wr));
    System.out.println("1. journal throughput (one pulse-response event per document)");
    for (Durability d : Durability.values()) {
      int n = d == Durability.FORCE ? 2_000 : 100_000;
      double[] rates = new double[TRIALS];
      throughput(dir, d, n / 10); // warm-up
      for (int t = 0; t < TRIALS; t++) rates[t] = throughput(dir, d, n);
      System.out.printf(Locale.ROOT, "   %-6s %9.0f events/s (%.2f us/event; %d events x %d trials, median)%n", d.json(), median(rates), 1e6 / median(rates), n, TRIALS);
    }
    System.out.println();
    int pulses = 5_000;
    int forcePulses = pulses / 10;
    System.out.printf(Locale.ROOT, "2. pulse response, 1 device, %d up + %d down + 1 read (%d events), ideal emulator;%n", pulses, pulses, 2 * pulses + 1);
    System.out.println("   configurations interleaved in each round, so load drift on a shared machine hits all alike");
    String[] names = {"bare driver loop", "journaled flush", "journaled flush + published", "journaled force", "journaled flush, 1/10 size"};
    Trial[] trials = {
        () -> bare(pulses),
        () -> journaled(dir, Durability.FLUSH, pulses, false),
        () -> journaled(dir, Durability.FLUSH, pulses, true),
        () -> journaled(dir, Durability.FORCE, forcePulses, false) * pulses / forcePulses,
        () -> journaled(dir, Durability.FLUSH, forcePulses, false)};
    double[][] ms = new double[trials.length][TRIALS];
    // Warm-up rounds: on a loaded machine the JIT's compiler threads lag, and a cold round measures the interpreter.
    for (int w = 0; w < WARMUP_ROUNDS; w++) for (Trial t : trials) t.ms();
    for (int round = 0; round < TRIALS; round++) {
      for (int k = 0; k < trials.length; k++) ms[k][round] = trials[k].ms();
    }
    double bare = median(ms[0]);
    for (int k = 0; k < trials.length - 1; k++) {
      double m = median(ms[k]);
      System.out.printf(Locale.ROOT, "   %-28s %9.2f ms  %7.2f us/event%s%s%n", names[k], m, 1e3 * m / (2 * pulses + 1),
          k == 0 ? "" : String.format(Locale.ROOT, "  (+%.2f us/event over bare)", 1e3 * (m - bare) / (2 * pulses + 1)),
          k == 3 ? "  [measured on " + forcePulses + " pulses per branch, scaled]" : "");
    }
    // Fixed costs per run (start document, host name, the summary re-reading the journal) against the per-event cost:
    double small = median(ms[4]);
    double big = median(ms[1]);
    double perEvent = (big - small) / (2.0 * (pulses - forcePulses));
    System.out.printf(Locale.ROOT, "   journaled flush, %d pulses per branch: %.2f ms -> marginal %.2f us/event, fixed %.1f ms per run%n",
        forcePulses, small, 1e3 * perEvent, big - perEvent * (2 * pulses + 1));
    System.out.printf(Locale.ROOT, "%nload average at the end: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
  }

  interface Trial {
    double ms() throws Exception;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  static double throughput(Path dir, Durability d, int n) throws IOException {
    RunDirectory runs = new RunDirectory(dir.resolve("throughput"));
    runs.ensureExists();
    String id = RunDirectory.newRunId("bench", Instant.now());
    ObjectNode start = Json.object();
    start.put("procedure", "bench");
    long t0;
    long t1;
    try (RunRecorder r = RunRecorder.start(runs, id, start, d, Instant::now, List.of())) {
      t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        ObjectNode e = Json.object();
        e.put("array", 0);
        e.put("row", 3);
        e.put("col", 5);
        e.put("cycle", 0);
        e.put("branch", "up");
        e.put("pulse", i);
        e.put("g", 5.0499733e-05 + i * 1e-9);
        r.event(e);
      }
      t1 = System.nanoTime();
    }
    Files.delete(runs.journal(id));
    return n / ((t1 - t0) / 1e9);
  }

  /**
   * Times document building + JSON serialisation (result discarded), and the positional write of one
   * pre-serialised line repeated, separately; nothing is kept in memory, so GC does not bias either.
   */
  static void components(Path dir, int n, double[] serialiseUs, double[] writeUs) throws IOException {
    long sum = 0;
    byte[] line = null;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      ObjectNode doc = Json.object();
      doc.put("type", "event");
      doc.put("seq", i);
      doc.put("run", "20261129-004126-pulse-response-3fa2");
      doc.put("time", Instant.now().toString());
      doc.put("t", i * 1e-4);
      ObjectNode e = doc.putObject("data");
      e.put("array", 0);
      e.put("row", 3);
      e.put("col", 5);
      e.put("cycle", 0);
      e.put("branch", "up");
      e.put("pulse", i);
      e.put("g", 5.0499733e-05 + i * 1e-9);
      line = Json.MAPPER.writeValueAsBytes(doc);
      sum += line.length;
    }
    long t1 = System.nanoTime();
    Path f = dir.resolve("components.jsonl");
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
      long pos = 0;
      long t2 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
        while (b.hasRemaining()) pos += ch.write(b, pos);
      }
      long t3 = System.nanoTime();
      serialiseUs[0] = (t1 - t0) / 1e3 / n;
      writeUs[0] = (t3 - t2) / 1e3 / n;
      if (sum == 42) System.out.println();
    }
    Files.delete(f);
  }

  static EnvelopedDriver ideal() {
    EmulatorDriver emu = EmulatorDriver.open(DevicePreset.named("ideal"), List.of(new int[] {1, 1}), 3);
    return new EnvelopedDriver(emu, SafetyEnvelope.of(emu.info()));
  }

  /** The same driver calls as the pulse-response procedure, with nothing recorded. */
  static double bare(int pulses) throws IOException {
    try (EnvelopedDriver d = ideal()) {
      Cell c = Cell.active(0, 0, 0);
      Pulse up = Pulse.up(1.0, Duration.ofNanos(100));
      Pulse down = up.withPolarity(Polarity.DOWN);
      double sink = 0;
      long t0 = System.nanoTime();
      sink += d.read(c, 0.2);
      for (int n = 1; n <= 2 * pulses; n++) sink += d.pulseThenRead(c, n <= pulses ? up : down, 1, 0.2);
      long t1 = System.nanoTime();
      if (sink == 42) System.out.println(); // keep the loop
      return (t1 - t0) / 1e6;
    }
  }

  static double journaled(Path dir, Durability dur, int pulses, boolean publish) throws Exception {
    RunDirectory runs = new RunDirectory(dir.resolve("runs"));
    ObjectNode p = Json.object();
    p.put("pulses", pulses);
    try (EnvelopedDriver d = ideal(); LivePublisher pub = publish ? LivePublisher.bind("tcp://127.0.0.1:*") : null; ZContext ctx = new ZContext()) {
      Runner r = new Runner(runs, d, "sim:ideal?arrays=1&rows=1&cols=1&seed=3").durability(dur);
      Thread drain = null;
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong received = new AtomicLong();
      if (pub != null) {
        ZMQ.Socket sub = ctx.createSocket(SocketType.SUB);
        sub.setReceiveTimeOut(50);
        sub.connect(pub.endpoint());
        sub.subscribe(new byte[0]);
        while (sub.recvStr() == null) pub.heartbeat(); // joined
        sub.recv();
        drain = new Thread(() -> {
          while (!stop.get()) {
            if (sub.recvStr() != null) {
              sub.recv();
              received.incrementAndGet();
            }
          }
          sub.close();
        });
        drain.start();
        r.sink(pub);
      }
      long t0 = System.nanoTime();
      Runner.Outcome o = r.run(Procedures.of("pulse-response", p));
      long t1 = System.nanoTime();
      if (drain != null) {
        stop.set(true);
        drain.join();
      }
      Files.delete(o.journal());
      return (t1 - t0) / 1e6;
    }
  }
}
