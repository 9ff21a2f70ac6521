package org.rramctl.train;

import java.util.Locale;

/**
 * What the reference devices of an analog layer hold (DESIGN.md section 4), so that a weight reads as
 * {@code w = (G - G_ref) / gUnit}.
 */
public enum ReferenceScheme {
  /** References write-verified to mid-range conductance (G_min + G_max) / 2: the scheme without zero-shifting. */
  CONVENTIONAL("conventional"),
  /** References write-verified to each active device's symmetry point (Kim et al. 2019, arXiv 1907.10228). */
  ZERO_SHIFTED("zero-shifted");

  private final String label;

  ReferenceScheme(String label) {
    this.label = label;
  }

  /** The name used in files, tables and on the command line. */
  public String label() {
    return label;
  }

  /** The scheme named {@code text} ({@link #label()}, case-insensitive). */
  public static ReferenceScheme parse(String text) {
    for (ReferenceScheme s : values()) if (s.label.equals(text.toLowerCase(Locale.ROOT))) return s;
    throw new IllegalArgumentException("scheme: '" + text + "' (expected: conventional or zero-shifted)");
  }
}
