package org.rramctl.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import picocli.CommandLine;

/** Runs rramctl's command line in-process, as the launcher would, and captures what it printed. */
final class CliRun {
  private CliRun() {}

  /** Exit code, standard output and standard error of one run. */
  record Result(int code, String out, String err) {}

  /** {@code rramctl ARGS}. */
  static Result run(String... args) {
    return run(new StringWriter(), args);
  }

  /** {@code rramctl ARGS} with its standard output going to {@code outTarget} as it is printed (e.g. for a watcher). */
  static Result run(Writer outTarget, String... args) {
    return run(Main.commandLine(), outTarget, args);
  }

  /** Runs {@code cl} (Main's command line, possibly with a subcommand swapped for a test's instance). */
  static Result run(CommandLine cl, Writer outTarget, String... args) {
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(outTarget, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, outTarget.toString(), err.toString());
  }
}
