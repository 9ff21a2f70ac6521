package org.rramctl.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Durations;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Limits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rramctl info}: what the board is. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show the board's identity, arrays, limits and native operations.")
final class InfoCommand implements Callable<Integer> {
  @Mixin BoardOptions board;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (EnvelopedDriver d = board.open()) {
      BoardInfo i = d.info();
      out.printf(Locale.ROOT, "board      %s (%s)%n", i.boardId(), i.model());
      out.printf(Locale.ROOT, "firmware   %s, protocol %d%n", i.firmwareVersion(), i.protocolVersion());
      for (ArrayGeometry g : i.arrays()) {
        out.printf(Locale.ROOT, "array %d    %d x %d%s%n", g.index(), g.rows(), g.cols(), g.hasReference() ? " + reference array" : "");
      }
      out.printf(Locale.ROOT, "window     %.3g .. %.3g S, ADC %d bits; vector reads %s%n", i.gMinSiemens(), i.gMaxSiemens(), i.adcBits(),
          i.vectorReadFullScaleAmps() > 0 ? String.format(Locale.ROOT, "saturate at +-%.3g A", i.vectorReadFullScaleAmps()) : "full scale not stated by the board");
      printLimits(out, "hardware", i.hardwareLimits());
      printLimits(out, "envelope", d.envelope().limits());
      out.printf(Locale.ROOT, "native     %s%n", i.nativeOps().isEmpty() ? "(none: vector operations go through the single-device fallback)" : new java.util.TreeSet<>(i.nativeOps()));
    }
    return 0;
  }

  private static void printLimits(PrintWriter out, String what, Limits l) {
    out.printf(Locale.ROOT, "%-10s pulse %.3g .. %.3g V, %s .. %s, <= %d per command, <= %.3g Hz; read <= %.3g V; compliance %.3g A%n", what,
        l.minPulseVolts(), l.maxPulseVolts(), Durations.format(l.minPulseWidthNanos()), Durations.format(l.maxPulseWidthNanos()), l.maxPulsesPerCommand(),
        l.maxPulseRateHz(), l.maxReadVolts(), l.complianceAmps());
  }
}
