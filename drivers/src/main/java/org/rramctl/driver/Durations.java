package org.rramctl.driver;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing and formatting of pulse durations such as "100ns", "1.5us", "10 ms", "2s". */
public final class Durations {
  private static final Pattern FORM = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\\s*(ns|us|\u00b5s|ms|s)\\s*");

  private Durations() {}

  /**
   * Parses a duration with a unit into whole nanoseconds.
   *
   * @throws IllegalArgumentException naming the text and the accepted form
   */
  public static long parseNanos(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text);
    if (!m.matches()) {
      throw new IllegalArgumentException("duration: '" + text + "' (expected: a number with a unit ns, us, ms or s, e.g. 100ns or 1.5us)");
    }
    double value = Double.parseDouble(m.group(1));
    double scale = switch (m.group(2)) {
      case "ns" -> 1;
      case "us", "\u00b5s" -> 1e3;
      case "ms" -> 1e6;
      default -> 1e9;
    };
    double nanos = value * scale;
    if (!(nanos >= 1) || nanos > 1e15 || Math.rint(nanos) != nanos) {
      throw new IllegalArgumentException("duration: '" + text + "' (expected: a whole number of nanoseconds between 1 ns and 1e6 s)");
    }
    return (long) nanos;
  }

  /** Formats nanoseconds with the largest unit that keeps it readable. */
  public static String format(long nanos) {
    if (nanos % 1_000_000_000L == 0) return nanos / 1_000_000_000L + "s";
    if (nanos % 1_000_000L == 0) return nanos / 1_000_000L + "ms";
    if (nanos % 1_000L == 0) return nanos / 1_000L + "us";
    if (nanos >= 1_000) return String.format(Locale.ROOT, "%.3fus", nanos / 1e3);
    return nanos + "ns";
  }
}
