package org.rramctl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.rramctl.journal.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rramctl abort [RUN]}: asks a running procedure (in any process on this machine, sharing the runs
 * directory) to stop at its next safe point, by creating the abort marker {@code RUN.abort} that the run
 * polls every 20 ms. The run then sets the outputs idle and writes its stop document with status aborted.
 * Without RUN, every running run in the directory is asked. Exit 1 when nothing is running.
 */
@Command(name = "abort", mixinStandardHelpOptions = true, description = "Stop a running procedure at its next safe point (outputs idle, status aborted).")
public final class AbortCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs", description = "Runs directory (default: ${DEFAULT-VALUE}).")
  Path runs;

  @Parameters(paramLabel = "RUN", arity = "0..1", description = "Run id or a unique part of one (default: every running run).")
  String run;

  @Override
  public Integer call() throws IOException {
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
      out.println("run " + id + ": abort requested; it stops at its next safe point with its outputs idle");
    }
    return 0;
  }
}
