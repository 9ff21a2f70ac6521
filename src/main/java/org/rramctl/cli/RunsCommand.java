package org.rramctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rramctl.journal.CsvExport;
import org.rramctl.journal.Journal;
import org.rramctl.journal.JournalCorruptException;
import org.rramctl.journal.RunDirectory;
import org.rramctl.procedure.Procedures;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rramctl runs list | show RUN | export RUN --csv FILE}: the stored runs. Every subcommand first marks
 * runs whose process died without a stop document as interrupted (and says so on stderr).
 */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List, show and export stored runs.",
    subcommands = {RunsCommand.ListCommand.class, RunsCommand.ShowCommand.class, RunsCommand.ExportCommand.class})
public final class RunsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "runs: missing subcommand (expected: list, show or export)");
  }

  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs", description = "Runs directory (default: ${DEFAULT-VALUE}).")
    Path runs;

    RunDirectory open() throws IOException {
      if (!Files.isDirectory(runs)) {
        throw new IllegalArgumentException("--runs: " + runs + (Files.exists(runs) ? " is a file" : ": no such folder") + " (expected: the runs folder of earlier runs)");
      }
      RunDirectory dir = new RunDirectory(runs);
      if (Files.isDirectory(dir.dir())) {
        for (String line : dir.recover(java.time.Instant::now)) spec.commandLine().getErr().println("rramctl: " + line);
      }
      return dir;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "One line per run, oldest first.")
  static final class ListCommand extends Base {
    @Override
    public Integer call() throws IOException {
      RunDirectory dir = open();
      PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "%-40s  %-16s  %-11s  %8s  %-30s  %s%n", "RUN", "PROCEDURE", "STATUS", "EVENTS", "STARTED", "BOARD");
      for (String id : dir.runIds()) {
        try {
          RunDirectory.Entry e = dir.entry(id);
          Journal j = e.journal();
          String started = j.start().map(s -> s.path("time").asText()).orElse("-");
          String board = j.start().map(s -> s.path("board").path("uri").asText()).orElse("-");
          out.printf(Locale.ROOT, "%-40s  %-16s  %-11s  %8d  %-30s  %s%s%n", id, j.procedure(), e.status().json(), j.events().size(), started, board,
              j.tornTail() == null ? "" : "  (torn last line)");
        } catch (JournalCorruptException ex) {
          out.printf(Locale.ROOT, "%-40s  %-16s  %-11s  %8s  %-30s  %s%n", id, "?", "corrupt", "-", "-", ex.getMessage());
        }
      }
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Metadata, status and summary of one run.")
  static final class ShowCommand extends Base {
    @Parameters(paramLabel = "RUN", description = "Run id, a unique part of one, or 'last'.")
    String run;

    @Override
    public Integer call() throws IOException {
      RunDirectory dir = open();
      String id = dir.resolve(run);
      RunDirectory.Entry e = dir.entry(id);
      Journal j = e.journal();
      PrintWriter out = spec.commandLine().getOut();
      ObjectNode start = j.start().orElse(null);
      out.println("run        " + id);
      out.println("journal    " + j.file());
      out.println("procedure  " + j.procedure());
      out.println("status     " + e.status().json() + j.stop().map(s -> s.hasNonNull("reason") ? " (" + s.get("reason").asText() + ")" : "").orElse(""));
      if (start != null) {
        out.println("started    " + start.path("time").asText() + " on " + start.path("host").asText() + " (pid " + start.path("pid").asText() + ", rramctl " + start.path("rramctl").asText() + ")");
        JsonNode b = start.path("board");
        out.println("board      " + b.path("uri").asText() + " (id " + b.path("id").asText() + ", firmware " + b.path("firmware").asText() + ")");
        out.println("parameters " + start.path("parameters"));
        out.println("envelope   " + start.path("envelope"));
        out.println("calibration " + (start.hasNonNull("calibration") ? start.get("calibration").path("path").asText() : "none"));
      }
      j.stop().ifPresent(s -> out.println("stopped    " + s.path("time").asText() + ", outputs idle: " + SummaryText.value(s.get("outputsIdle"))));
      long resumes = j.documents().stream().filter(d -> d.path("type").asText().equals("resume")).count();
      out.println("events     " + j.events().size() + (resumes > 0 ? " (resumed " + resumes + " time" + (resumes > 1 ? "s" : "") + ")" : ""));
      int superseded = j.supersededSeqs().size();
      if (superseded > 0) {
        out.println("superseded " + superseded + " events of units left unfinished and measured again after a resume (kept in the journal; left out of"
            + " the summary, export and plots)");
      }
      if (j.tornTail() != null) out.println("WARNING    " + j.tornTail());
      JsonNode summary = j.stop().map(s -> s.get("summary")).orElse(null);
      if ((summary == null || summary.isNull()) && !j.events().isEmpty() && start != null) {
        summary = Procedures.of(j.procedure(), j.parameters()).summarize(j.events());
      }
      if (summary != null && !summary.isNull()) {
        out.println("summary");
        SummaryText.print(out, summary);
      }
      return 0;
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true, description = "Tidy CSV of a run's events with a '# key: value' metadata header (pandas: read_csv(f, comment='#')).")
  static final class ExportCommand extends Base {
    @Parameters(paramLabel = "RUN", description = "Run id, a unique part of one, or 'last'.")
    String run;

    @Option(names = "--csv", required = true, paramLabel = "FILE", description = "Output file, or - for standard output.")
    String csv;

    @Override
    public Integer call() throws IOException {
      if (!csv.equals("-")) OutputPaths.file("--csv", Path.of(csv));
      RunDirectory dir = open();
      Journal j = Journal.read(dir.journal(dir.resolve(run)));
      if (csv.equals("-")) {
        PrintWriter out = spec.commandLine().getOut();
        CsvExport.write(j, out);
        out.flush();
      } else {
        Path target = Path.of(csv);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (Writer w = new OutputStreamWriter(Files.newOutputStream(tmp), StandardCharsets.UTF_8)) {
          CsvExport.write(j, w);
        }
        Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        spec.commandLine().getOut().println("wrote " + j.events().size() + " events to " + target);
      }
      if (j.tornTail() != null) spec.commandLine().getErr().println("rramctl: warning: " + j.file() + ": " + j.tornTail());
      return 0;
    }
  }
}
