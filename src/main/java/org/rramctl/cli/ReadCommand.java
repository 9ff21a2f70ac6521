package org.rramctl.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Plane;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rramctl read}: one device's conductance. */
@Command(name = "read", mixinStandardHelpOptions = true, description = "Read one device's conductance.")
final class ReadCommand implements Callable<Integer> {
  @Mixin BoardOptions board;
  @Spec CommandSpec spec;

  @Option(names = "--cell", required = true, paramLabel = "R,C", description = "Device as ROW,COL or ARRAY:ROW,COL (zero-based).")
  String cell;

  @Option(names = "--reference", description = "Address the reference array instead of the active one.")
  boolean reference;

  @Option(names = "--vread", paramLabel = "VOLTS", defaultValue = "0.2", description = "Read voltage in volts (default: ${DEFAULT-VALUE}).")
  double vread;

  @Override
  public Integer call() throws Exception {
    Cell c = Cell.parse(cell, reference ? Plane.REFERENCE : Plane.ACTIVE);
    PrintWriter out = spec.commandLine().getOut();
    try (EnvelopedDriver d = board.open()) {
      double g = d.read(c, vread);
      out.printf(Locale.ROOT, "%s  G = %.6g S (%.3f uS) at %.3g V%n", c, g, g * 1e6, vread);
    }
    return 0;
  }
}
