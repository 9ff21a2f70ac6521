package org.rramctl.train;

import picocli.CommandLine.Option;

/** The re-check options of {@code train} and {@code experiment zero-shift} ({@link Recheck}), one picocli mixin for both. */
public final class RecheckOptions {
  @Option(names = "--recheck-every", paramLabel = "SAMPLES", description = "With zero-shifting: every this many training samples, re-measure the symmetry points of a random sample of devices, re-program the references that moved beyond --recheck-tolerance and put the weights back (journal: rechecks.jsonl). Default: never.")
  Integer every;

  @Option(names = "--recheck-devices", defaultValue = "16", paramLabel = "N", description = "With --recheck-every: devices sampled per tile at each re-check. Default: ${DEFAULT-VALUE}.")
  int devices;

  @Option(names = "--recheck-tolerance", defaultValue = "1%", paramLabel = "PERCENT", description = "With --recheck-every: re-program a reference when its device's symmetry point moved more than this part of the conductance window. Default: ${DEFAULT-VALUE}.")
  String tolerance;

  @Option(names = "--recheck-search", defaultValue = "full", paramLabel = "HOW", description = "With --recheck-every: full (the calibration's per-device search, about 11,000 pulses a device) or quick (a short search from near the old symmetry point, about 2,000). Default: ${DEFAULT-VALUE}.")
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
    return new Recheck.Settings(every, devices, percent("--recheck-tolerance", tolerance), how);
  }

  /** "1%" or "0.5 %" to 0.01 and 0.005; the number must end in a percent sign. */
  static double percent(String option, String text) {
    String t = text.trim();
    double v = Double.NaN;
    if (t.endsWith("%")) {
      try {
        v = Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100;
      } catch (NumberFormatException e) {
        v = Double.NaN;
      }
    }
    if (!(v > 0 && v <= 0.5)) throw new IllegalArgumentException(option + ": " + text + " (expected: a percentage of the conductance window, > 0 % and <= 50 %, e.g. 1%)");
    return v;
  }
}
