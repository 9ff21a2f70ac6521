package org.rramctl.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code rramctl ARGS} as a second JVM (the application's {@link Main} on this test's class path): a real
 * process with its own pid and its own file descriptors, for the tests of locks between processes. Standard
 * error goes to a file, standard output is read line by line.
 */
final class ChildRramctl implements AutoCloseable {
  final Process process;
  private final Path errFile;
  private final BufferedReader out;
  private final StringBuilder outSeen = new StringBuilder();

  private ChildRramctl(Process process, Path errFile) {
    this.process = process;
    this.errFile = errFile;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Starts {@code rramctl ARGS} in {@code workDir}; its standard error goes to a file there. */
  static ChildRramctl start(Path workDir, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    Path err = Files.createTempFile(workDir, "child-", ".err");
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectError(err.toFile()).start();
    return new ChildRramctl(p, err);
  }

  long pid() {
    return process.pid();
  }

  /** Reads standard output until a line containing {@code text}; fails when the output ends first. */
  String awaitLine(String text) throws IOException {
    for (String line; (line = out.readLine()) != null;) {
      outSeen.append(line).append('\n');
      if (line.contains(text)) return line;
    }
    throw new AssertionError("the child ended without printing '" + text + "'; out: " + outSeen + " err: " + err());
  }

  /** Waits for the exit (reading the rest of standard output) and returns the exit code. */
  int exitCode() throws IOException, InterruptedException {
    for (String line; (line = out.readLine()) != null;) outSeen.append(line).append('\n');
    if (!process.waitFor(90, TimeUnit.SECONDS)) throw new AssertionError("the child did not end; err: " + err());
    return process.exitValue();
  }

  String out() {
    return outSeen.toString();
  }

  String err() throws IOException {
    return Files.readString(errFile, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.close();
  }
}
