package org.rramctl.calibration;

/**
 * The convergence trace of one device: at each sampled pair, the midpoint of the reads after the up and
 * after the down pulse and the running estimate (mean over the trailing half of the samples), siemens.
 */
public record Trace(int array, int row, int col, int[] pairs, float[] midpointSiemens, float[] estimateSiemens) {
  public Trace {
    if (pairs == null || midpointSiemens == null || estimateSiemens == null
        || pairs.length != midpointSiemens.length || pairs.length != estimateSiemens.length) {
      throw new IllegalArgumentException("trace " + array + ":" + row + "," + col + ": arrays null or of different lengths (expected: one entry per sample)");
    }
  }
}
