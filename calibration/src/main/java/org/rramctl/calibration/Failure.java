package org.rramctl.calibration;

/**
 * A device whose calibration is not to be trusted, with the reason: listed in the record, never hidden.
 *
 * @param array array index
 * @param row row, zero-based
 * @param col column, zero-based
 * @param reason what is wrong
 * @param detail the numbers behind it, with units
 */
public record Failure(int array, int row, int col, Reason reason, String detail) {
  public Failure {
    if (array < 0 || row < 0 || col < 0) throw new IllegalArgumentException("failure address: " + array + ":" + row + "," + col + " (expected: >= 0)");
    if (reason == null) throw new IllegalArgumentException("reason: null");
    if (detail == null) detail = "";
  }

  /** Why a device is listed. */
  public enum Reason {
    /**
     * The search hit its pulse budget before the estimate was stable. No longer listed (a record written before
     * issue 19 may hold it): the standard error says how good such an estimate is.
     */
    NOT_CONVERGED,
    /** The estimated symmetry point lies outside the board's conductance window. */
    OUTSIDE_WINDOW,
    /**
     * The estimate's standard error is far above the tolerance. No longer listed (a record written before issue 19 may
     * hold it): such a device is uncertain, not failed ({@link Calibration#uncertain}).
     */
    LARGE_ERROR,
    /**
     * At its symmetry point a pulse moves the device less than a tenth of what it moves the tile's median device there
     * (its step there from the response probe through the soft-bound model, which does not depend on where the probe
     * started): zero-shifted training barely moves this weight. A dead device is the extreme case; most are lopsided
     * devices pinned near a bound of the window. Its reference is programmed to its symmetry point (a record written
     * before this rule, which judged the probe's raw responses, left it unprogrammed).
     */
    STUCK,
    /** Write-verify did not bring the reference device within tolerance. */
    REFERENCE_NOT_REACHED,
    /** The model fit's symmetry point disagrees with the pulsed estimate beyond their uncertainties. */
    FIT_DISAGREES,
    /** The model fit did not converge. */
    FIT_FAILED,
    /** The run was stopped before this device was finished. */
    INTERRUPTED
  }
}
