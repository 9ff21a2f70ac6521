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
import org.rramctl.procedure.BoardDefaults;
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
        ProcedureCommand.ProgramCommand.class, ProcedureCommand.SweepCommand.class, ProcedureCommand.MapCommand.class,
        ProcedureCommand.FormCommand.class, ProcedureCommand.IvCommand.class, ProcedureCommand.EnduranceCommand.class,
        ProcedureCommand.SwitchSeekCommand.class, ProcedureCommand.ConvergeCommand.class})
public final class ProcedureCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "procedure: missing (expected: one of " + String.join(", ", Procedures.names()) + ")");
  }

  private static final Pattern SIEMENS = Pattern.compile("\\s*([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\\s*(S|mS|uS|\u00b5S|nS)?\\s*");

  private static final Pattern AMPS = Pattern.compile("\\s*([0-9.]+(?:[eE][-+]?[0-9]+)?)\\s*(A|mA|uA|\u00b5A|nA)?\\s*");
  private static final Pattern OHMS = Pattern.compile("\\s*([0-9.]+(?:[eE][-+]?[0-9]+)?)\\s*(ohm|Ohm|k|kOhm|kohm|M|MOhm|Mohm)?\\s*");

  /** Parses a current such as "100uA", "1e-4", "0.1mA". */
  static double amps(String option, String text) {
    Matcher m = AMPS.matcher(text == null ? "" : text);
    if (!m.matches()) throw new IllegalArgumentException(option + ": '" + text + "' (expected: a current such as 100uA, 0.1mA or 1e-4)");
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "A" : m.group(2);
    return v * switch (unit) {
      case "mA" -> 1e-3;
      case "uA", "\u00b5A" -> 1e-6;
      case "nA" -> 1e-9;
      default -> 1;
    };
  }

  /** Parses a resistance such as "100k", "20kOhm", "1M", "5000". */
  static double ohms(String option, String text) {
    Matcher m = OHMS.matcher(text == null ? "" : text);
    if (!m.matches()) throw new IllegalArgumentException(option + ": '" + text + "' (expected: a resistance such as 100k, 20kOhm, 1M or 5000)");
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "ohm" : m.group(2);
    return v * (unit.startsWith("k") ? 1e3 : unit.startsWith("M") ? 1e6 : 1);
  }

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
      ObjectNode cli = Json.object();
      ObjectNode file = null;
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
        put(cli, "cells", cells);
        put(cli, "readVolts", readVolts);
        options(cli);
        file = run.params == null ? null : Procedures.readFile(run.params);
        p = Procedures.of(procedure(), file, cli); // bad parameters are refused before the board is opened
      }
      SafetyEnvelope env = board.envelope == null ? null : SafetyEnvelope.load(board.envelope);
      String boardUri = uri;
      try (EnvelopedDriver d = Boards.open(boardUri, env); LivePublisher pub = run.publish == null ? null : LivePublisher.bind(run.publish)) {
        if (p != null) p = withBoardDefaults(d, file, cli, out);
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

    /**
     * The procedure again, with the pulse and read voltage the parameters leave unset taken from the board
     * ({@link BoardDefaults}) instead of the house defaults, and the values used printed.
     */
    private Procedure withBoardDefaults(EnvelopedDriver d, ObjectNode file, ObjectNode cli, PrintWriter out) {
      ObjectNode defaults = Procedures.defaults(procedure());
      BoardDefaults bd = BoardDefaults.of(d);
      ObjectNode layer = Json.object();
      // Only a procedure default that IS the house pulse is replaced (pulse-response, read-statistics, program, sweep): the
      // first-day procedures (form, iv, endurance, ...) choose their own voltages and widths and keep them.
      if (defaults.path("amplitudeVolts").asDouble(Double.NaN) == BoardDefaults.HOUSE_PULSE_VOLTS) layer.put("amplitudeVolts", bd.pulseVolts());
      if (org.rramctl.driver.Durations.format(BoardDefaults.HOUSE_PULSE_WIDTH_NANOS).equals(defaults.path("width").asText(""))) {
        layer.put("width", org.rramctl.driver.Durations.format(bd.pulseWidthNanos()));
      }
      if (defaults.path("readVolts").asDouble(Double.NaN) == BoardDefaults.HOUSE_READ_VOLTS) layer.put("readVolts", bd.readVolts());
      if (layer.isEmpty()) return Procedures.of(procedure(), file, cli);
      Procedure p = Procedures.of(procedure(), layer, file, cli);
      ObjectNode used = defaults.deepCopy();
      used.setAll(layer);
      if (file != null) used.setAll(file);
      used.setAll(cli);
      boolean allGiven = true;
      for (var it = layer.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        allGiven &= cli.has(k) || (file != null && file.has(k));
      }
      out.printf(Locale.ROOT, "%s: %s%n", procedure(), BoardDefaults.describe(used.path("amplitudeVolts").asDouble(bd.pulseVolts()),
          used.has("width") ? org.rramctl.driver.Durations.parseNanos(used.get("width").asText()) : bd.pulseWidthNanos(),
          used.path("readVolts").asDouble(bd.readVolts()), allGiven ? "as given" : bd.origin()));
      return p;
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
        return o.failureKind() == null ? Main.EXIT_FAILURE : Main.exitCode(o.failureKind());
      }
      return 0;
    }
  }

  @Command(name = "pulse-response", mixinStandardHelpOptions = true, description = "N up pulses then N down pulses, a read after each, for C cycles.")
  static final class PulseResponseCommand extends Base {
    @Option(names = "--pulses", paramLabel = "N", description = "Pulses per branch (default 100).") Integer pulses;
    @Option(names = "--cycles", paramLabel = "C", description = "Up-then-down cycles (default 1).") Integer cycles;
    @Option(names = "--amplitude", paramLabel = "VOLTS", description = "Pulse amplitude, V (default: the board's nominal, else 1.0 within its limits).") Double amplitude;
    @Option(names = "--width", paramLabel = "DURATION", description = "Pulse width (default: the board's nominal, else 100ns or the nearest width its limits allow).") String width;

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
    @Option(names = "--amplitude", paramLabel = "VOLTS", description = "Pulse amplitude, V (default: the board's nominal, else 1.0 within its limits).") Double amplitude;
    @Option(names = "--width", paramLabel = "DURATION", description = "Pulse width (default: the board's nominal, else 100ns or the nearest width its limits allow).") String width;

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
    @Option(names = "--amplitude", paramLabel = "VOLTS", description = "Pulse amplitude, V (default: the board's nominal, else 1.0 within its limits).") Double amplitude;
    @Option(names = "--width", paramLabel = "DURATION", description = "Pulse width (default: the board's nominal, else 100ns or the nearest width its limits allow).") String width;

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
    @Option(names = "--amplitude", paramLabel = "VOLTS", description = "Fixed amplitude when sweeping width, V (default: the board's nominal, else 1.0 within its limits).") Double amplitude;
    @Option(names = "--width", paramLabel = "DURATION", description = "Fixed width when sweeping amplitude (default: the board's nominal, else 100ns or the nearest its limits allow).") String width;
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

  @Command(name = "form", mixinStandardHelpOptions = true,
      description = "Form pristine devices: positive pulses ramp under a current compliance until R falls below a threshold; compliance stepped up between ramps (needs a source-measure board).")
  static final class FormCommand extends Base {
    @Option(names = "--planes", paramLabel = "WHICH", description = "active or both (the reference devices too) (default active).") String planes;
    @Option(names = "--from", paramLabel = "VOLTS", description = "First pulse level, V (default 1.0).") Double from;
    @Option(names = "--to", paramLabel = "VOLTS", description = "Last pulse level, V (default 3.0).") Double to;
    @Option(names = "--step", paramLabel = "VOLTS", description = "Ramp step, V (default 0.05).") Double step;
    @Option(names = "--width", paramLabel = "DURATION", description = "Pulse width (default 100us).") String width;
    @Option(names = "--compliance", paramLabel = "I", description = "Compliance of the first ramp, e.g. 100uA (default 100uA).") String compliance;
    @Option(names = "--max-compliance", paramLabel = "I", description = "Largest compliance of a repeated ramp (default 400uA).") String maxCompliance;
    @Option(names = "--compliance-factor", paramLabel = "F", description = "Compliance multiplier between ramps (default 2).") Double complianceFactor;
    @Option(names = "--formed-below", paramLabel = "R", description = "Formed once R is below this, e.g. 100k (default 100k ohm).") String formedBelow;

    @Override
    String procedure() {
      return "form";
    }

    @Override
    void options(ObjectNode p) {
      put(p, "planes", planes);
      put(p, "fromVolts", from);
      put(p, "toVolts", to);
      put(p, "stepVolts", step);
      put(p, "width", width);
      if (compliance != null) p.put("complianceAmps", amps("--compliance", compliance));
      if (maxCompliance != null) p.put("maxComplianceAmps", amps("--max-compliance", maxCompliance));
      put(p, "complianceFactor", complianceFactor);
      if (formedBelow != null) p.put("formedOhms", ohms("--formed-below", formedBelow));
    }
  }

  @Command(name = "iv", mixinStandardHelpOptions = true,
      description = "Trace bipolar I-V loops (0 -> +set -> 0 -> -reset -> 0) under a current compliance; SET/RESET voltages and R_on/R_off per cycle (needs a source-measure board).")
  static final class IvCommand extends Base {
    @Option(names = "--cycles", paramLabel = "N", description = "Loops per device (default 3).") Integer cycles;
    @Option(names = "--set", paramLabel = "VOLTS", description = "Positive excursion, V (default 1.2).") Double set;
    @Option(names = "--reset", paramLabel = "VOLTS", description = "Negative excursion (magnitude), V; 0 for unipolar (default 1.2).") Double reset;
    @Option(names = "--step", paramLabel = "VOLTS", description = "Voltage step, V (default 0.05).") Double step;
    @Option(names = "--mode", paramLabel = "MODE", description = "staircase or pulsed (default staircase).") String mode;
    @Option(names = "--dwell", paramLabel = "DURATION", description = "Time per point (staircase) or pulse width (pulsed) (default 1ms).") String dwell;
    @Option(names = "--off", paramLabel = "DURATION", description = "Time at 0 V between points of a pulsed sweep (default 1ms).") String off;
    @Option(names = "--compliance", paramLabel = "I", description = "Current compliance, e.g. 100uA (default 100uA).") String compliance;

    @Override
    String procedure() {
      return "iv";
    }

    @Override
    void options(ObjectNode p) {
      put(p, "cycles", cycles);
      put(p, "setVolts", set);
      put(p, "resetVolts", reset);
      put(p, "stepVolts", step);
      put(p, "mode", mode);
      put(p, "step", dwell);
      put(p, "off", off);
      if (compliance != null) p.put("complianceAmps", amps("--compliance", compliance));
    }
  }

  @Command(name = "endurance", mixinStandardHelpOptions = true,
      description = "SET/RESET cycles with a read after each: R_on and R_off against cycle, failure when R_off/R_on stays below a ratio.")
  static final class EnduranceCommand extends Base {
    @Option(names = "--cycles", paramLabel = "N", description = "Cycles per device (default 100).") Integer cycles;
    @Option(names = "--set", paramLabel = "VOLTS", description = "SET pulse amplitude, V (default 1.0).") Double set;
    @Option(names = "--reset", paramLabel = "VOLTS", description = "RESET pulse amplitude (magnitude), V (default 1.0).") Double reset;
    @Option(names = "--width", paramLabel = "DURATION", description = "Pulse width (default 1ms).") String width;
    @Option(names = "--pulses", paramLabel = "N", description = "Pulses per SET and per RESET (default 1).") Integer pulses;
    @Option(names = "--min-ratio", paramLabel = "R", description = "R_off/R_on below which a cycle fails (default 2).") Double minRatio;
    @Option(names = "--fail-after", paramLabel = "N", description = "Failed cycles in a row that end a device's test (default 3).") Integer failAfter;

    @Override
    String procedure() {
      return "endurance";
    }

    @Override
    void options(ObjectNode p) {
      put(p, "cycles", cycles);
      put(p, "setVolts", set);
      put(p, "resetVolts", reset);
      put(p, "width", width);
      put(p, "pulses", pulses);
      put(p, "minRatio", minRatio);
      put(p, "failAfter", failAfter);
    }
  }

  @Command(name = "switch-seek", mixinStandardHelpOptions = true,
      description = "Find each device's switching polarity and threshold amplitude: ramp pulses of each polarity until the conductance moves.")
  static final class SwitchSeekCommand extends Base {
    @Option(names = "--from", paramLabel = "VOLTS", description = "First amplitude, V (default 0.2).") Double from;
    @Option(names = "--to", paramLabel = "VOLTS", description = "Last amplitude, V (default 2.0).") Double to;
    @Option(names = "--step", paramLabel = "VOLTS", description = "Amplitude step, V (default 0.1).") Double step;
    @Option(names = "--width", paramLabel = "DURATION", description = "Pulse width (default 100us).") String width;
    @Option(names = "--pulses-per-step", paramLabel = "N", description = "Pulses at each amplitude (default 10).") Integer pulsesPerStep;
    @Option(names = "--detect-fraction", paramLabel = "F", description = "|dG| / window that counts as switching (default 0.05).") Double detectFraction;

    @Override
    String procedure() {
      return "switch-seek";
    }

    @Override
    void options(ObjectNode p) {
      put(p, "fromVolts", from);
      put(p, "toVolts", to);
      put(p, "stepVolts", step);
      put(p, "width", width);
      put(p, "pulsesPerStep", pulsesPerStep);
      put(p, "detectFraction", detectFraction);
    }
  }

  @Command(name = "converge", mixinStandardHelpOptions = true,
      description = "Drive each device to a target resistance with pulse trains of growing amplitude, alternating polarity on overshoot (ArC ONE ConvergeToState).")
  static final class ConvergeCommand extends Base {
    @Option(names = "--target", paramLabel = "R", description = "Target resistance, e.g. 20k (default 20k ohm).") String target;
    @Option(names = "--tolerance", paramLabel = "F", description = "Accepted relative error (default 0.05).") Double tolerance;
    @Option(names = "--from", paramLabel = "VOLTS", description = "First amplitude, V (default 0.5).") Double from;
    @Option(names = "--to", paramLabel = "VOLTS", description = "Largest amplitude, V (default 1.5).") Double to;
    @Option(names = "--step", paramLabel = "VOLTS", description = "Amplitude growth per iteration, V (default 0.05).") Double step;
    @Option(names = "--width", paramLabel = "DURATION", description = "Pulse width (default 100ns).") String width;
    @Option(names = "--pulses", paramLabel = "N", description = "Pulses per train (default 10).") Integer pulses;
    @Option(names = "--max-iterations", paramLabel = "N", description = "Iteration budget per device (default 1000).") Integer maxIterations;

    @Override
    String procedure() {
      return "converge";
    }

    @Override
    void options(ObjectNode p) {
      if (target != null) p.put("targetOhms", ohms("--target", target));
      put(p, "tolerance", tolerance);
      put(p, "fromVolts", from);
      put(p, "toVolts", to);
      put(p, "stepVolts", step);
      put(p, "width", width);
      put(p, "pulses", pulses);
      put(p, "maxIterations", maxIterations);
    }
  }
}
