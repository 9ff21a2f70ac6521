package org.rramctl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.rramctl.journal.Journal;
import org.rramctl.journal.RunDirectory;
import org.rramctl.procedure.AbortSignal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rramctl abort [RUN]}: stops a running procedure (in any process on this machine, sharing the runs
 * directory) by creating the abort marker {@code RUN.abort}, which the run's watcher looks for every 20 ms.
 * The run then sends ABORT to its board at once, on its own link, ending a command in flight (a long pulse
 * train stops within a pulse), and writes its stop document with status aborted and whether the board
 * confirmed its outputs idle. This command waits for that stop document (up to {@code --wait}) and reports
 * "outputs idle" only when the run's board confirmed it. Without RUN, every running run is stopped.
 * Exit 1 when nothing is running, or when a run did not stop in time or its outputs were not confirmed idle.
 */
@Command(name = "abort", mixinStandardHelpOptions = true, description = "Stop a running procedure now: ABORT to its board, outputs idle, status aborted.")
public final class AbortCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs", description = "Runs directory (default: ${DEFAULT-VALUE}).")
  Path runs;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "10s",
      description = "How long to wait for each run's stop document (default: ${DEFAULT-VALUE}); 0s returns at once.")
  String waitFor;

  @Parameters(paramLabel = "RUN", arity = "0..1", description = "Run id or a unique part of one (default: every running run).")
  String run;

  @Override
  public Integer call() throws IOException {
    long waitNanos = org.rramctl.driver.Durations.parseNanos(waitFor);
    RunDirectory dir = new RunDirectory(runs);
    PrintWriter out = spec.commandLine().getOut();
    List<String> targets = new ArrayList<>();
    if (run != null) {
      String id = dir.resolve(run);
      if (!dir.isLive(id)) {
        spec.commandLine().getErr().println("rramctl: run " + id + " is not running (see 'rramctl runs show " + id + "')");
        return Main.EXIT_FAILURE;
      }
      targets.add(id);
    } else {
      for (String id : dir.runIds()) if (dir.isLive(id)) targets.add(id);
      if (targets.isEmpty()) {
        spec.commandLine().getErr().println("rramctl: no running run in " + dir.dir());
        return Main.EXIT_FAILURE;
      }
    }
    for (String id : targets) {
      Path marker = dir.abortMarker(id);
      if (!Files.exists(marker)) Files.writeString(marker, "abort requested by pid " + ProcessHandle.current().pid() + "\n");
    }
    if (waitNanos == 0) {
      for (String id : targets) out.println("run " + id + ": abort requested");
      return 0;
    }
    int code = 0;
    long deadline = System.nanoTime() + waitNanos;
    for (String id : targets) {
      while (dir.isLive(id) && System.nanoTime() - deadline < 0) java.util.concurrent.locks.LockSupport.parkNanos(AbortSignal.POLL_NANOS);
      Optional<ObjectNode> stop = dir.isLive(id) ? Optional.empty() : Journal.read(dir.journal(id)).stop();
      if (stop.isEmpty()) {
        spec.commandLine().getErr().println("rramctl: run " + id + ": abort requested, but it has not stopped after " + waitFor + " (see 'rramctl runs show " + id + "')");
        code = Main.EXIT_FAILURE;
        continue;
      }
      boolean idle = stop.get().path("outputsIdle").asBoolean(false);
      out.println("run " + id + ": " + stop.get().path("status").asText() + "; outputs " + (idle ? "idle (confirmed by the board)" : "not confirmed idle"));
      if (!idle) code = Main.EXIT_FAILURE;
    }
    return code;
  }
}
