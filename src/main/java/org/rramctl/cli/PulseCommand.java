package org.rramctl.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rramctl.driver.Cell;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.Durations;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rramctl pulse}: program one device and read it back. */
@Command(name = "pulse", mixinStandardHelpOptions = true, description = "Apply programming pulses to one device, then read it.")
final class PulseCommand implements Callable<Integer> {
  @Mixin BoardOptions board;
  @Spec CommandSpec spec;

  @Option(names = "--cell", required = true, paramLabel = "R,C", description = "Device as ROW,COL or ARRAY:ROW,COL (zero-based).")
  String cell;

  @Option(names = "--reference", description = "Address the reference array instead of the active one.")
  boolean reference;

  static final class Direction {
    @Option(names = "--up", required = true, description = "SET / potentiation pulse.") boolean up;
    @Option(names = "--down", required = true, description = "RESET / depression pulse.") boolean down;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Direction direction;

  @Option(names = "--amplitude", required = true, paramLabel = "VOLTS", description = "Pulse amplitude magnitude in volts.")
  double amplitude;

  @Option(names = "--width", required = true, paramLabel = "DURATION", description = "Pulse width, e.g. 100ns, 1.5us, 1ms.")
  String width;

  @Option(names = "--period", paramLabel = "DURATION",
      description = "Time between pulse starts within the train (default: twice the width, or the shortest period the board's maximum pulse rate allows if that is longer).")
  String period;

  @Option(names = "--count", paramLabel = "N", defaultValue = "1", description = "Number of pulses (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--vread", paramLabel = "VOLTS", defaultValue = "0.2", description = "Read voltage after the pulses (default: ${DEFAULT-VALUE}).")
  double vread;

  private Pulse pulse(Polarity polarity, long widthNanos, long periodNanos) {
    if (periodNanos < widthNanos) {
      throw new IllegalArgumentException("--period: " + period + " (expected: at least the width " + width + ")");
    }
    return new Pulse(polarity, amplitude, widthNanos, periodNanos);
  }

  @Override
  public Integer call() throws Exception {
    Cell c = Cell.parse(cell, reference ? Plane.REFERENCE : Plane.ACTIVE);
    long widthNanos = Durations.parseNanos(width);
    Long periodNanos = period == null ? null : Durations.parseNanos(period);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (EnvelopedDriver d = board.open(); InterruptAbort onCtrlC = InterruptAbort.install(d, err)) {
      Polarity polarity = direction.up ? Polarity.UP : Polarity.DOWN;
      Pulse p = periodNanos == null ? Pulse.of(polarity, amplitude, widthNanos, d.envelope().limits()) : pulse(polarity, widthNanos, periodNanos);
      try {
        double before = d.read(c, vread);
        double after = d.pulseThenRead(c, p, count, vread);
        out.printf(Locale.ROOT, "%s  %d x %s: G %.6g S -> %.6g S (%+.4g uS)%n", c, count, p, before, after, (after - before) * 1e6);
      } catch (DriverAbortedException e) {
        // Reported here, before the interrupt hook is let go, so that the line is out before the JVM exits.
        err.println("rramctl: " + e.getMessage());
        err.flush();
        return Main.EXIT_ABORTED;
      }
    }
    return 0;
  }
}
