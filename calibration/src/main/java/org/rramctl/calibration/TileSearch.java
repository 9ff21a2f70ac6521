package org.rramctl.calibration;

import java.util.List;
import org.rramctl.driver.Tile;

/**
 * The symmetry-point search result for the devices of a tile, row-major within the tile.
 *
 * @param tile the devices searched
 * @param estimateSiemens symmetry-point estimate per device, siemens (NaN where never measured)
 * @param stdErrorSiemens its standard error, siemens (autocorrelation-corrected, see {@link SymmetryPointSearch})
 * @param pulses pulses the device received until its search ended (same-sign block included)
 * @param status how each device's search ended
 * @param upResponseSiemens conductance change over the response probe's {@link SymmetryPointSearch#PROBE_PULSES}
 *     up pulses, siemens; near zero for a dead device, and for a lopsided one probed at its symmetry point
 * @param downResponseSiemens conductance change (as a positive number) over its down pulses, siemens
 * @param probeEndSiemens the read after the probe's down pulses, siemens: with the two responses it places the probe in
 *     the window, which the soft-bound model needs to turn them into steps ({@code SymmetryPointSearch.Errors.stepAtSymmetryPoint})
 * @param blockPulses pulses of the initial same-sign block (signed: positive up, negative down)
 * @param traces convergence traces of a few devices
 */
public record TileSearch(
    Tile tile,
    double[] estimateSiemens,
    double[] stdErrorSiemens,
    int[] pulses,
    SearchStatus[] status,
    double[] upResponseSiemens,
    double[] downResponseSiemens,
    double[] probeEndSiemens,
    int blockPulses,
    List<Trace> traces) {
  public TileSearch {
    int n = tile.devices();
    if (estimateSiemens.length != n || stdErrorSiemens.length != n || pulses.length != n || status.length != n
        || upResponseSiemens.length != n || downResponseSiemens.length != n || probeEndSiemens.length != n) {
      throw new IllegalArgumentException("tile search for " + tile + ": per-device arrays of the wrong length (expected: " + n + ")");
    }
    traces = List.copyOf(traces);
  }

  public int devices() {
    return tile.devices();
  }

  public long converged() {
    long c = 0;
    for (SearchStatus s : status) if (s == SearchStatus.CONVERGED) c++;
    return c;
  }
}
