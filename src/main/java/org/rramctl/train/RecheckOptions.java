package org.rramctl.train;

import picocli.CommandLine.Option;

/** The re-check options of {@code train} and {@code experiment zero-shift} ({@link Recheck}), one picocli mixin for both. */
public final class RecheckOptions {
  @Option(names = "--recheck-every", paramLabel = "SAMPLES", description = "With zero-shifting: every this many training samples, re-measure the symmetry points of a random sample of devices, re-program the references that moved beyond --recheck-tolerance and put the weights back (journal: rechecks.jsonl). Default: never.")
  Integer every;

  @Option(names = "--recheck-devices", defaultValue = "5%", paramLabel = "N|P%", description = "With --recheck-every: devices sampled per tile at each re-check, a count (N) or a part of each tile's devices (P%%, at least one). A part re-checks the devices of small and large tiles equally often; the re-check's pulses age the devices it measures. Default: ${DEFAULT-VALUE}.")
  String devices;

  @Option(names = "--recheck-tolerance", defaultValue = "1%", paramLabel = "PERCENT", description = "With --recheck-every: re-program a reference when its device's symmetry point moved more than this part of the conductance window. Default: ${DEFAULT-VALUE}.")
  String tolerance;

  @Option(names = "--recheck-search", defaultValue = "quick", paramLabel = "HOW", description = "With --recheck-every: quick (a short search from the old symmetry point, about 2,000 pulses a device) or full (the calibration's per-device search, about 11,000). Default: ${DEFAULT-VALUE}.")
  String search;

  /** True when {@code --recheck-every} was given. */
  public boolean given() {
    return every != null;
  }

  /** The settings asked for, or null without {@code --recheck-every}. */
  public Recheck.Settings settings() {
    if (every == null) return null;
    Recheck.Search how = switch (search.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "full" -> Recheck.Search.FULL;
      case "quick" -> Recheck.Search.QUICK;
      default -> throw new IllegalArgumentException("--recheck-search: " + search + " (expected: full or quick)");
    };
    double tol = percent("--recheck-tolerance", tolerance);
    String d = devices.trim();
    String bad = "--recheck-devices: " + devices + " (expected: a count >= 1, or a part of each tile's devices > 0 % and <= 100 %, e.g. 16 or 5%)";
    if (d.endsWith("%")) {
      double f = percentOrNaN(d);
      if (!(f > 0 && f <= 1)) throw new IllegalArgumentException(bad);
      return new Recheck.Settings(every, 1, tol, how, f);
    }
    int n;
    try {
      n = Integer.parseInt(d);
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n < 1) throw new IllegalArgumentException(bad);
    return new Recheck.Settings(every, n, tol, how);
  }

  /** "1%" or "0.5 %" to 0.01 and 0.005; the number must end in a percent sign. */
  static double percent(String option, String text) {
    double v = percentOrNaN(text);
    if (!(v > 0 && v <= 0.5)) throw new IllegalArgumentException(option + ": " + text + " (expected: a percentage of the conductance window, > 0 % and <= 50 %, e.g. 1%)");
    return v;
  }

  /** "5%" or "0.5 %" to 0.05 and 0.005; NaN unless a number followed by a percent sign. */
  private static double percentOrNaN(String text) {
    String t = text.trim();
    if (!t.endsWith("%")) return Double.NaN;
    try {
      return Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
