package org.rramctl.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.rramctl.journal.Journal;
import org.rramctl.journal.RunDirectory;
import org.rramctl.procedure.plot.RunPlots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rramctl plot RUN --out DIR}: PNG plots of a stored run. */
@Command(name = "plot", mixinStandardHelpOptions = true, description = "Write PNG plots of a stored run.")
public final class PlotCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs", description = "Runs directory (default: ${DEFAULT-VALUE}).")
  Path runs;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the PNG files (created if needed).")
  Path out;

  @Parameters(paramLabel = "RUN", description = "Run id, a unique part of one, or 'last'.")
  String run;

  @Override
  public Integer call() throws IOException {
    OutputPaths.folder("--out", out);
    RunDirectory dir = new RunDirectory(runs);
    Journal j = Journal.read(dir.journal(dir.resolve(run)));
    if (j.tornTail() != null) spec.commandLine().getErr().println("rramctl: warning: " + j.file() + ": " + j.tornTail());
    List<Path> files = RunPlots.write(j, out);
    if (files.isEmpty()) {
      spec.commandLine().getErr().println("rramctl: run " + j.runId() + " has no events to plot");
      return Main.EXIT_FAILURE;
    }
    for (Path f : files) spec.commandLine().getOut().println("wrote " + f);
    int superseded = j.supersededSeqs().size();
    if (superseded > 0) spec.commandLine().getOut().println("left out " + superseded + " superseded events (units measured again after a resume)");
    return 0;
  }
}
