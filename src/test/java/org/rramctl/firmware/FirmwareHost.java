package org.rramctl.firmware;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The reference firmware's host port ({@code rramctl-fw-host}, firmware-protocol/firmware) as a child process serving a
 * pseudo-terminal, for tests that drive the real C firmware core through the serial driver. The Maven build compiles
 * it before the tests and names the binaries in the system properties {@code rramctl.firmwareHost} and
 * {@code rramctl.firmwareHostSanitized}.
 *
 * <p>Its control channel (stdin/stdout, outside the protocol) gives the ground truth: each device's exact symmetry
 * point, the log of every device-changing command the board ran, and a reboot. {@link #close()} ends the process and
 * fails if a sanitizer reported anything on its stderr.
 */
final class FirmwareHost implements Closeable {
  /** One device-changing command the board ran: sequence, opcode, its count (PULSE/PULSE_THEN_READ; 0 for UPDATE), pulses applied, outcome. */
  record LogEntry(int sequence, int opcode, long count, long pulses, int outcome) {}

  /** The exact symmetry point and the conductance of one device, siemens. */
  record Truth(double spSiemens, double gSiemens) {}

  private final Process process;
  private final BufferedReader out;
  private final OutputStream in;
  private final Path stderr;
  private final Path pty;

  private FirmwareHost(Process process, Path pty, Path stderr) {
    this.process = process;
    this.pty = pty;
    this.stderr = stderr;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = process.getOutputStream();
  }

  /** The plain build. */
  static Path binary() {
    return binary("rramctl.firmwareHost");
  }

  /** The AddressSanitizer + UndefinedBehaviorSanitizer build. */
  static Path sanitizedBinary() {
    return binary("rramctl.firmwareHostSanitized");
  }

  private static Path binary(String property) {
    String p = System.getProperty(property);
    if (p == null) throw new IllegalStateException(property + ": not set (expected: the path the Maven build compiled the firmware host port to)");
    Path path = Path.of(p);
    if (!Files.isExecutable(path)) throw new IllegalStateException(property + ": " + path + " (expected: an executable; run the Maven build, which compiles it with make)");
    return path;
  }

  /**
   * Starts the firmware serving a pty linked at {@code dir/board}; returns once it is ready.
   *
   * @param args further options: {@code --geometry 32x32 --seed 7 --preset rram-imbalanced --part 5 ...}
   */
  static FirmwareHost start(Path binary, Path dir, String... args) throws IOException {
    Path pty = dir.resolve("board");
    Path err = dir.resolve("firmware-stderr.txt");
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--pty", pty.toString(), "--control"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
    pb.environment().put("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0");
    FirmwareHost h = new FirmwareHost(pb.start(), pty, err);
    String ready = h.out.readLine();
    if (ready == null || !ready.startsWith("ready ")) {
      h.process.destroyForcibly();
      throw new IOException("rramctl-fw-host did not start: " + ready + "; stderr: " + Files.readString(err));
    }
    return h;
  }

  /** The serial port path to open ({@code serial:PATH}). */
  Path pty() {
    return pty;
  }

  private synchronized List<String> ask(String command) throws IOException {
    in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
    List<String> lines = new ArrayList<>();
    for (String l; (l = out.readLine()) != null; ) {
      if (l.equals("end") || l.equals("ok") || l.startsWith("pulses ") || l.startsWith("running ") || l.startsWith("error ")) {
        if (l.startsWith("error ")) throw new IOException("firmware control: " + l);
        lines.add(l);
        return lines;
      }
      lines.add(l);
    }
    throw new IOException("firmware control: the process ended; stderr: " + Files.readString(stderr));
  }

  /** Every device's exact symmetry point and conductance, keyed "array/plane/row/col". */
  Map<String, Truth> truth() throws IOException {
    Map<String, Truth> t = new HashMap<>();
    for (String l : ask("truth")) {
      String[] f = l.split(" ");
      if (!f[0].equals("truth")) continue;
      t.put(f[1] + "/" + f[2] + "/" + f[3] + "/" + f[4], new Truth(Double.parseDouble(f[5]), Double.parseDouble(f[6])));
    }
    return t;
  }

  /** Every device-changing command the board ran to its end, oldest first. */
  List<LogEntry> log() throws IOException {
    List<LogEntry> log = new ArrayList<>();
    for (String l : ask("log")) {
      String[] f = l.split(" ");
      if (!f[0].equals("log")) continue;
      log.add(new LogEntry(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]), Integer.parseInt(f[5])));
    }
    return log;
  }

  /** {@code running SEQ OPCODE APPLIED} while a command runs, {@code running none} otherwise. */
  String running() throws IOException {
    List<String> l = ask("running");
    return l.get(l.size() - 1);
  }

  /** Pulses the device model received since start. */
  long pulses() throws IOException {
    List<String> l = ask("pulses");
    return Long.parseLong(l.get(l.size() - 1).substring("pulses ".length()));
  }

  /** A reboot: the running command stops silently; history and handshake are forgotten; devices keep their state. */
  void reset() throws IOException {
    ask("reset");
  }

  /**
   * What the firmware was doing, for a failure message: whether the process lives (or its exit code), what it says
   * is running and its last frames in and out (started with {@code --trace}), or that it did not answer within 5 s,
   * the test's clock in the units of the trace, and the last {@code lines} lines of its stderr.
   */
  String diagnosis(int lines) {
    StringBuilder s = new StringBuilder();
    s.append("firmware process: ").append(process.isAlive() ? "alive" : "exited " + process.exitValue());
    if (process.isAlive()) {
      CompletableFuture<String> r = CompletableFuture.supplyAsync(() -> {
        try {
          return running() + "; its last frames:\n" + String.join("\n", ask("trace"));
        } catch (IOException e) {
          return e.toString();
        }
      });
      try {
        s.append("; ").append(r.get(5, TimeUnit.SECONDS));
      } catch (TimeoutException e) {
        s.append("; no answer to 'running' in 5 s");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        s.append("; ").append(e.getCause());
      }
    }
    s.append("; test clock ").append(System.nanoTime() / 1000).append(" us");
    try {
      List<String> all = Files.readAllLines(stderr);
      s.append("; stderr, last ").append(Math.min(lines, all.size())).append(" of ").append(all.size()).append(" lines:\n");
      for (String l : all.subList(Math.max(0, all.size() - lines), all.size())) s.append(l).append('\n');
    } catch (IOException e) {
      s.append("; stderr unreadable: ").append(e);
    }
    return s.toString();
  }

  /** Sanitizer or runtime-error reports the firmware wrote so far (empty when clean). */
  String sanitizerReports() throws IOException {
    String s = Files.readString(stderr);
    return s.contains("Sanitizer") || s.contains("runtime error") ? s : "";
  }

  /** Ends the process (closing its stdin ends it) and fails if a sanitizer reported anything. */
  @Override
  public void close() throws IOException {
    try {
      in.close();
    } catch (IOException ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    String reports = sanitizerReports();
    if (!reports.isEmpty()) throw new AssertionError("the firmware's sanitizers reported:\n" + reports);
    if (process.exitValue() != 0) throw new AssertionError("rramctl-fw-host exited with " + process.exitValue() + ": " + Files.readString(stderr));
  }
}
