package org.rramctl.calibration;

/** How a device's symmetry-point search ended; the letter is its code in the compact record. */
public enum SearchStatus {
  /** The estimate met the convergence rule. */
  CONVERGED('C'),
  /** The pulse budget ran out first; the estimate is the trailing-window mean at that point. */
  BUDGET('B'),
  /** The run was stopped (Ctrl-C, abort) first. */
  INTERRUPTED('I'),
  /** Never measured. */
  NOT_MEASURED('-');

  private final char code;

  SearchStatus(char code) {
    this.code = code;
  }

  public char code() {
    return code;
  }

  public static SearchStatus ofCode(char c) {
    for (SearchStatus s : values()) if (s.code == c) return s;
    throw new IllegalArgumentException("search status code: '" + c + "' (expected: one of C, B, I, -)");
  }
}
