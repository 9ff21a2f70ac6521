package org.rramctl.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rramctl.driver.Boards;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.journal.Journal;
import org.rramctl.journal.Json;
import org.rramctl.journal.LivePublisher;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunStatus;
import org.rramctl.procedure.Procedure;
import org.rramctl.procedure.Procedures;
import org.rramctl.procedure.Runner;
import org.rramctl.procedure.plot.RunPlots;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rramctl procedure NAME}: runs a characterization procedure as a journaled run. Parameters come
 * from the defaults, then {@code --params FILE}, then the command line; they are checked against the board
 * and the safety envelope before the first pulse. Exit 0 on success, 130 when aborted (Ctrl-C or
 * {@code rramctl abort}), 1 when the run failed, 2 for bad input.
 */
@Command(name = "procedure", mixinStandardHelpOptions = true,
    description = "Run a characterization procedure (journaled; abort with Ctrl-C or 'rramctl abort'; resume with --resume RUN).",
    subcommands = {
        ProcedureCommand.PulseResponseCommand.class, ProcedureCommand.ReadStatisticsCommand.class, ProcedureCommand.RetentionCommand.class,
        ProcedureCommand.ProgramCommand.class, ProcedureCommand.SweepCommand.class, ProcedureCommand.MapCommand.class})
public final class ProcedureCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "procedure: missing (expected: one of " + String.join(", ", Procedures.names()) + ")");
  }

  private static final Pattern SIEMENS = Pattern.compile("\\s*([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\\s*(S|mS|uS|\u00b5S|nS)?\\s*");

  /** Parses a conductance such as "70uS", "7e-5", "7e-5 S". */
  static double siemens(String option, String text) {
    Matcher m = SIEMENS.matcher(text == null ? "" : text);
    if (!m.matches()) throw new IllegalArgumentException(option + ": '" + text + "' (expected: a conductance such as 70uS, 0.07mS or 7e-5)");
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "S" : m.group(2);
    return v * switch (unit) {
      case "mS" -> 1e-3;
      case "uS", "\u00b5S" -> 1e-6;
      case "nS" -> 1e-9;
      default -> 1;
    };
  }

  /** What every procedure subcommand does: build parameters, open the board, run, report. */
  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin BoardOptions board;
    @Mixin RunOptions run;

    @Option(names = "--cells", paramLabel = "CELLS", description = "Devices: R,C or R0-R1,C0-C1 or all, optionally prefixed A: for array A.")
    String cells;

    @Option(names = "--read-volts", paramLabel = "VOLTS", description = "Read voltage, V.")
    Double readVolts;

    abstract String procedure();

    /** The parameters given on the command line (unset options are left out). */
    abstract void options(ObjectNode p);

    static void put(ObjectNode p, String key, Object v) {
      if (v == null) return;
      if (v instanceof Integer i) p.put(key, i);
      else if (v instanceof Double d) p.put(key, d);
      else p.put(key, v.toString());
    }

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      OutputPaths.folder("--runs", run.runs);
      if (run.plots != null) OutputPaths.folder("--plots", run.plots);
      RunDirectory dir = new RunDirectory(run.runs);
      String uri = board.board;
      Procedure p = null;
      if (run.resume != null) {
        ObjectNode given = Json.object();
        options(given);
        if (cells != null || readVolts != null || run.params != null || given.size() > 0) {
          throw new IllegalArgumentException("--resume: " + run.resume + " with parameters (expected: none; a resumed run keeps the parameters in its journal)");
        }
        String id = dir.resolve(run.resume);
        Journal j = Journal.read(dir.journal(id));
        if (j.start().isEmpty()) {
          throw new IllegalArgumentException("--resume: run " + id + ": its journal has no start document (expected: a run that started; nothing to resume)");
        }
        if (!j.procedure().equals(procedure())) {
          throw new IllegalArgumentException("--resume: run " + id + " is a " + j.procedure() + " run (expected: " + procedure() + ")");
        }
        if (!spec.commandLine().getParseResult().hasMatchedOption("--board")) uri = j.start().get().path("board").path("uri").asText(uri);
      } else {
        ObjectNode cli = Json.object();
        put(cli, "cells", cells);
        put(cli, "readVolts", readVolts);
        options(cli);
        p = Procedures.of(procedure(), run.params == null ? null : Procedures.readFile(run.params), cli);
      }
      SafetyEnvelope env = board.envelope == null ? null : SafetyEnvelope.load(board.envelope);
      String boardUri = uri;
      try (EnvelopedDriver d = Boards.open(boardUri, env); LivePublisher pub = run.publish == null ? null : LivePublisher.bind(run.publish)) {
        Runner r = new Runner(dir, d, boardUri).durability(run.durability()).shutdownHook(true).calibration(run.calibration);
        if (pub != null) {
          r.sink(pub);
          out.println("publishing on " + pub.endpoint());
        }
        r.sink((type, doc, json) -> {
          if (type.equals("start") || type.equals("resume")) {
            out.printf(Locale.ROOT, "run %s: %s on %s (%s; abort with Ctrl-C or 'rramctl abort %s')%n",
                doc.get("run").asText(), type.equals("start") ? "started " + procedure() : "resumed", boardUri, dir.journal(doc.get("run").asText()), doc.get("run").asText());
            out.flush();
          }
        });
        Runner.Outcome o = run.resume != null ? r.resume(run.resume) : r.run(p);
        for (String line : r.recovered()) err.println("rramctl: " + line);
        return report(o, out, err);
      }
    }

    private int report(Runner.Outcome o, PrintWriter out, PrintWriter err) throws IOException {
      out.printf(Locale.ROOT, "run %s: %s, %d events, outputs %s%n", o.runId(), o.status().json(), o.events(), o.outputsIdle() ? "idle" : "not confirmed idle");
      SummaryText.print(out, o.summary());
      if (run.plots != null) {
        List<Path> files = RunPlots.write(Journal.read(o.journal()), run.plots);
        for (Path f : files) out.println("plot " + f);
      }
      if (o.status() == RunStatus.ABORTED) {
        err.println("rramctl: run " + o.runId() + " aborted: " + o.reason() + " (resume with --resume " + o.runId() + ")");
        return Main.EXIT_ABORTED;
      }
      if (o.status() == RunStatus.FAILED) {
        err.println("rramctl: run " + o.runId() + " failed: " + o.reason());
        return Main.EXIT_FAILURE;
      }
      return 0;
    }
  }

  @Command(name = "pulse-response", mixinStandardHelpOptions = true, description = "N up pulses then N down pulses, a read after each, for C cycles.")
  static final class PulseResponseCommand extends Base {
    @Option(names = "--pulses", paramLabel = "N", description = "Pulses per branch (default 100).") Integer pulses;
    @Option(names = "--cycles", paramLabel = "C", description = "Up-then-down cycles (default 1).") Integer cycles;
    @Option(names = "--amplitude", paramLabel = "VOLTS", description = "Pulse amplitude, V (default 1.0).") Double amplitude;
    @Option(names = "--width", paramLabel = "DURATION", description = "Pulse width (default 100ns).") String width;

    @Override
    String procedure() {
      return "pulse-response";
    }

    @Override
    void options(ObjectNode p) {
      put(p, "pulses", pulses);
      put(p, "cycles", cycles);
      put(p, "amplitudeVolts", amplitude);
      put(p, "width", width);
    }
  }

  @Command(name = "read-statistics", mixinStandardHelpOptions = true, description = "Repeated reads: mean, standard deviation, noise relative to the step.")
  static final class ReadStatisticsCommand extends Base {
    @Option(names = "--reads", paramLabel = "M", description = "Reads per phase (default 100).") Integer reads;
    @Option(names = "--step-pulses", paramLabel = "K", description = "Pulses for the step measurement, 0 for none (default 10).") Integer stepPulses;
    @Option(names = "--amplitude", paramLabel = "VOLTS", description = "Pulse amplitude, V (default 1.0).") Double amplitude;
    @Option(names = "--width", paramLabel = "DURATION", description = "Pulse width (default 100ns).") String width;

    @Override
    String procedure() {
      return "read-statistics";
    }

    @Override
    void options(ObjectNode p) {
      put(p, "reads", reads);
      put(p, "stepPulses", stepPulses);
      put(p, "amplitudeVolts", amplitude);
      put(p, "width", width);
    }
  }

  @Command(name = "retention", mixinStandardHelpOptions = true, description = "Reads on a fixed or log-spaced schedule for a given time.")
  static final class RetentionCommand extends Base {
    @Option(names = "--duration", paramLabel = "TIME", description = "Total time, e.g. 60s, 10min, 2h (default 60s).") String duration;
    @Option(names = "--schedule", paramLabel = "KIND", description = "fixed or log (default log).") String schedule;
    @Option(names = "--interval", paramLabel = "TIME", description = "Spacing of the fixed schedule (default 1s).") String interval;
    @Option(names = "--points", paramLabel = "N", description = "Reads of the log schedule, including t = 0 (default 20).") Integer points;
    @Option(names = "--first", paramLabel = "TIME", description = "First non-zero time of the log schedule (default 100ms).") String first;

    @Override
    String procedure() {
      return "retention";
    }

    @Override
    void options(ObjectNode p) {
      put(p, "duration", duration);
      put(p, "schedule", schedule);
      put(p, "interval", interval);
      put(p, "points", points);
      put(p, "first", first);
    }
  }

  @Command(name = "program", mixinStandardHelpOptions = true, description = "Write-verify each device to a target conductance within a tolerance and a pulse budget.")
  static final class ProgramCommand extends Base {
    @Option(names = "--target", paramLabel = "G", description = "Target conductance, e.g. 70uS (default 50uS).") String target;
    @Option(names = "--tolerance", paramLabel = "G", description = "Accepted |G - target|, e.g. 0.5uS (default 0.5uS).") String tolerance;
    @Option(names = "--max-pulses", paramLabel = "N", description = "Pulse budget per device (default 10000).") Integer maxPulses;
    @Option(names = "--amplitude", paramLabel = "VOLTS", description = "Pulse amplitude, V (default 1.0).") Double amplitude;
    @Option(names = "--width", paramLabel = "DURATION", description = "Pulse width (default 100ns).") String width;

    @Override
    String procedure() {
      return "program";
    }

    @Override
    void options(ObjectNode p) {
      if (target != null) p.put("targetSiemens", siemens("--target", target));
      if (tolerance != null) p.put("toleranceSiemens", siemens("--tolerance", tolerance));
      put(p, "maxPulses", maxPulses);
      put(p, "amplitudeVolts", amplitude);
      put(p, "width", width);
    }
  }

  @Command(name = "sweep", mixinStandardHelpOptions = true, description = "Step the pulse amplitude or width over a range, reading after each step.")
  static final class SweepCommand extends Base {
    @Option(names = "--polarity", paramLabel = "DIR", description = "up or down (default up).") String polarity;
    @Option(names = "--sweep", paramLabel = "WHAT", description = "amplitude or width (default amplitude).") String sweep;
    @Option(names = "--from", paramLabel = "VALUE", description = "First value: volts, or a width such as 50ns (default 0.1).") String from;
    @Option(names = "--to", paramLabel = "VALUE", description = "Last value (default 1.5).") String to;
    @Option(names = "--steps", paramLabel = "N", description = "Steps, both ends included (default 15).") Integer steps;
    @Option(names = "--amplitude", paramLabel = "VOLTS", description = "Fixed amplitude when sweeping width, V (default 1.0).") Double amplitude;
    @Option(names = "--width", paramLabel = "DURATION", description = "Fixed width when sweeping amplitude (default 100ns).") String width;
    @Option(names = "--pulses-per-step", paramLabel = "N", description = "Pulses at each step (default 1).") Integer pulsesPerStep;
    @Option(names = "--stop-at", paramLabel = "G", description = "Stop a device once it reaches this conductance, e.g. 80uS.") String stopAt;
    @Option(names = "--detect-fraction", paramLabel = "F", description = "|dG| / window that counts as switching (default 5e-4).") Double detectFraction;

    @Override
    String procedure() {
      return "sweep";
    }

    @Override
    void options(ObjectNode p) {
      put(p, "polarity", polarity);
      put(p, "sweep", sweep);
      put(p, "from", from);
      put(p, "to", to);
      put(p, "steps", steps);
      put(p, "amplitudeVolts", amplitude);
      put(p, "width", width);
      put(p, "pulsesPerStep", pulsesPerStep);
      if (stopAt != null) p.put("stopSiemens", siemens("--stop-at", stopAt));
      put(p, "detectFraction", detectFraction);
    }
  }

  @Command(name = "map", mixinStandardHelpOptions = true, description = "Read every device of an array (or a rectangle) into a map.")
  static final class MapCommand extends Base {
    @Override
    String procedure() {
      return "map";
    }

    @Override
    void options(ObjectNode p) {}
  }
}
