package org.rramctl.cli;

import java.nio.file.Path;
import org.rramctl.journal.Durability;
import picocli.CommandLine.Option;

/** Options every procedure command shares: where the journal goes, live publishing, resume, pictures. */
public final class RunOptions {
  @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs", description = "Runs directory, one journal per run (default: ${DEFAULT-VALUE}).")
  public Path runs;

  @Option(names = "--publish", paramLabel = "ENDPOINT",
      description = "Publish the run's documents on a ZeroMQ PUB socket, e.g. tcp://127.0.0.1:5556 (default: off). See 'rramctl watch'.")
  public String publish;

  @Option(names = "--durability", paramLabel = "MODE", defaultValue = "flush",
      description = "When a journal line counts as written: flush (handed to the OS per line: survives kill -9) or force "
          + "(fdatasync per line: survives power loss too; slower). Default: ${DEFAULT-VALUE}.")
  public String durability;

  @Option(names = "--params", paramLabel = "FILE", description = "JSON file of parameters; command-line options override it.")
  public Path params;

  @Option(names = "--resume", paramLabel = "RUN", description = "Continue an aborted, failed or interrupted run where it stopped (same board).")
  public String resume;

  @Option(names = "--plots", paramLabel = "DIR", description = "Write PNG plots of the run into DIR when it ends.")
  public Path plots;

  @Option(names = "--calibration", paramLabel = "FILE", description = "Calibration record in use; its path and SHA-256 go into the start document.")
  public Path calibration;

  public Durability durability() {
    return Durability.parse(durability);
  }
}
