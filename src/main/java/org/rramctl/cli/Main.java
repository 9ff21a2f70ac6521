package org.rramctl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.rramctl.driver.DriverException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;

/**
 * The rramctl command line. Errors become one line on stderr and a non-zero exit code: 2 for bad input
 * (usage, arguments, limits); for a driver's error one code per kind of {@link DriverException} (see
 * {@link #exitCode(DriverException.Kind)}), its line shaped {@code rramctl: SOURCE: KIND: DETAIL}; 1 for
 * any other failure. A stack trace only with {@code --verbose}.
 */
@Command(
    name = "rramctl",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Hardware-in-the-loop controller for RRAM cross-point arrays: drivers, emulator, calibration, training.",
    subcommands = {InfoCommand.class, ReadCommand.class, PulseCommand.class, CalibrateCommand.class, org.rramctl.train.TrainCommand.class, ExperimentCommand.class, VirtualSmuCommand.class, VirtualArc1Command.class, ServeCommand.class, KeysCommand.class, VirtualBoardCommand.class, PortsCommand.class, ProcedureCommand.class, RunsCommand.class, AbortCommand.class, WatchCommand.class, PlotCommand.class, DashboardCommand.class, DemoCommand.class})
public final class Main {
  /** Exit code for bad input. */
  public static final int EXIT_USAGE = 2;
  /** Exit code for failures that are not a driver's (files, journals, a bug). */
  public static final int EXIT_FAILURE = 1;
  /** Exit code after an abort (Ctrl-C, {@code rramctl abort}). */
  public static final int EXIT_ABORTED = 130;

  @Option(names = "--verbose", description = "Print stack traces on errors.", scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams and returns the exit code (tests call this). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = commandLine();
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine c = ex.getCommandLine();
      c.getErr().println("rramctl: " + ex.getMessage());
      c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
      return EXIT_USAGE;
    });
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      boolean verbose = false;
      for (CommandLine.ParseResult r = parsed; r != null; r = r.subcommand()) verbose |= r.hasMatchedOption("--verbose");
      PrintWriter err = c.getErr();
      err.println("rramctl: " + describe(ex));
      if (verbose) ex.printStackTrace(err);
      DriverException driver = driverCause(ex);
      if (driver != null) return exitCode(driver.kind());
      if (ex instanceof IllegalArgumentException || ex instanceof java.nio.file.FileSystemException) return EXIT_USAGE;
      return EXIT_FAILURE;
    });
    return cl;
  }

  /**
   * One rule for file errors: a file or folder that is missing, is the wrong kind, cannot be read or written, is
   * malformed or damaged is bad input, like a bad option: {@code rramctl: FILE: what is wrong}, exit 2 (readers
   * throw IllegalArgumentException for content; the JDK's file-system exceptions are worded here). Failures while
   * working stay exit 1 (a full disk), or the code of their kind (a driver error, {@link #exitCode}).
   */
  static String describeFile(java.nio.file.FileSystemException e) {
    String what;
    if (e instanceof java.nio.file.NoSuchFileException) what = "no such file or folder";
    else if (e instanceof java.nio.file.NotDirectoryException) what = "not a folder";
    else if (e instanceof java.nio.file.AccessDeniedException) what = "permission denied";
    else if (e instanceof java.nio.file.FileAlreadyExistsException) what = "already exists";
    else if (e instanceof java.nio.file.DirectoryNotEmptyException) what = "folder not empty";
    else what = e.getReason() == null ? "cannot be used" : e.getReason().toLowerCase(java.util.Locale.ROOT);
    return (e.getFile() == null ? "file" : e.getFile()) + (e.getOtherFile() == null ? "" : " -> " + e.getOtherFile()) + ": " + what;
  }

  /**
   * The exit code for each kind of driver error (README, "Exit codes"): a script can tell "re-read the
   * devices" (3) from "nothing changed, try again" (5, 6) without reading the message.
   */
  public static int exitCode(DriverException.Kind kind) {
    return switch (kind) {
      case OUTCOME_UNKNOWN -> 3;
      case REFUSED -> 4;
      case TIMED_OUT -> 5;
      case LINK_LOST -> 6;
      case MALFORMED -> 7;
      case ABORTED -> EXIT_ABORTED;
    };
  }

  /** The driver error {@code ex} is or wraps (through unchecked or execution wrappers), or null. */
  static DriverException driverCause(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof DriverException d) return d;
      if (!(t instanceof UncheckedIOException || t instanceof ExecutionException || t instanceof CompletionException)) return null;
    }
    return null;
  }

  private static String describe(Throwable ex) {
    if (ex instanceof java.nio.file.FileSystemException f) return describeFile(f);
    DriverException driver = driverCause(ex);
    if (driver != null) ex = driver;
    String m = ex.getMessage();
    if (m == null || m.isBlank()) m = ex.getClass().getSimpleName();
    if (driver == null && ex instanceof IOException && !(ex instanceof org.rramctl.journal.RunLock.LockedException)
        && ex.getClass() != IOException.class) {
      return ex.getClass().getSimpleName() + ": " + m;
    }
    return m.lines().findFirst().orElse(m);
  }

  /** The version from the jar manifest. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"rramctl " + (v == null ? "dev" : v), "Java " + System.getProperty("java.version")};
    }
  }
}
