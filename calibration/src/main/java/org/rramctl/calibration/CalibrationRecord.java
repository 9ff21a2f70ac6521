package org.rramctl.calibration;

import java.util.List;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Limits;

/**
 * One calibration run, as written to JSON by {@link CalibrationRecords}: the board, the envelope and
 * settings used, and per tile the symmetry points, their standard errors, pulses, search status and the
 * reference devices' write-verify outcome, plus model fits, failures and a few convergence traces.
 * Per-device values are per-tile arrays (row-major, float: 7 digits are far below the read noise) so
 * that 235,000 devices stay a compact file. Conductances in siemens; times ISO-8601 UTC.
 *
 * @param schema {@link #SCHEMA}
 * @param responses measured pulse responses of a few fitted devices (for plots)
 * @param complete false when the run was stopped and the record holds what was measured until then
 */
public record CalibrationRecord(
    String schema,
    Board board,
    Limits envelope,
    CalibrationSettings settings,
    String mode,
    String started,
    String finished,
    boolean complete,
    List<TileRecord> tiles,
    List<DeviceFit> fits,
    List<Failure> failures,
    List<Trace> traces,
    List<SoftBoundFit.Response> responses) {

  /** Schema name and version; a reader refuses any other. */
  public static final String SCHEMA = "rramctl.calibration/1";

  public CalibrationRecord {
    if (!SCHEMA.equals(schema)) throw new IllegalArgumentException("schema: '" + schema + "' (expected: " + SCHEMA + ")");
    if (board == null) throw new IllegalArgumentException("board: null (expected: the calibrated board's identity)");
    if (settings == null) throw new IllegalArgumentException("settings: null");
    tiles = tiles == null ? List.of() : List.copyOf(tiles);
    fits = fits == null ? List.of() : List.copyOf(fits);
    failures = failures == null ? List.of() : List.copyOf(failures);
    traces = traces == null ? List.of() : List.copyOf(traces);
    responses = responses == null ? List.of() : List.copyOf(responses);
  }

  /** Board identity and geometry as calibrated. */
  public record Board(String id, String model, String firmware, int protocol, List<ArrayGeometry> arrays, double gMinSiemens, double gMaxSiemens, int adcBits) {
    public Board {
      if (id == null || id.isBlank()) throw new IllegalArgumentException("board id: '" + id + "' (expected: non-blank)");
      arrays = arrays == null ? List.of() : List.copyOf(arrays);
    }

    public static Board of(BoardInfo info) {
      return new Board(info.boardId(), info.model(), info.firmwareVersion(), info.protocolVersion(), info.arrays(), info.gMinSiemens(), info.gMaxSiemens(), info.adcBits());
    }
  }

  /**
   * One tile's per-device results, row-major.
   *
   * @param status one letter per device ({@link SearchStatus#code()})
   * @param upResponseSiemens change over the response probe's up pulses, siemens
 * @param downResponseSiemens change (positive) over its down pulses, siemens
   * @param refAchievedSiemens last verify read of the reference device, siemens (NaN: not programmed)
   * @param refErrorSiemens achieved minus target, siemens
   */
  public record TileRecord(
      int array,
      int row0,
      int col0,
      int rows,
      int cols,
      int blockPulses,
      float[] spSiemens,
      float[] spStdErrorSiemens,
      int[] pulses,
      String status,
      float[] upResponseSiemens,
      float[] downResponseSiemens,
      float[] refAchievedSiemens,
      float[] refErrorSiemens,
      int[] refPulses,
      int[] refReads) {
    public TileRecord {
      int n = rows * cols;
      if (rows < 1 || cols < 1) throw new IllegalArgumentException("tile: " + rows + " x " + cols + " (expected: >= 1 x 1)");
      check("spSiemens", spSiemens, n);
      check("spStdErrorSiemens", spStdErrorSiemens, n);
      check("upResponseSiemens", upResponseSiemens, n);
      check("downResponseSiemens", downResponseSiemens, n);
      check("refAchievedSiemens", refAchievedSiemens, n);
      check("refErrorSiemens", refErrorSiemens, n);
      if (pulses == null || pulses.length != n) throw new IllegalArgumentException("pulses: " + (pulses == null ? "null" : pulses.length) + " values (expected: " + n + ")");
      if (refPulses == null || refPulses.length != n) throw new IllegalArgumentException("refPulses: " + (refPulses == null ? "null" : refPulses.length) + " values (expected: " + n + ")");
      if (refReads == null || refReads.length != n) throw new IllegalArgumentException("refReads: " + (refReads == null ? "null" : refReads.length) + " values (expected: " + n + ")");
      if (status == null || status.length() != n) throw new IllegalArgumentException("status: " + (status == null ? "null" : status.length()) + " letters (expected: " + n + ")");
      for (int i = 0; i < n; i++) SearchStatus.ofCode(status.charAt(i));
    }

    private static void check(String name, float[] v, int n) {
      if (v == null || v.length != n) throw new IllegalArgumentException(name + ": " + (v == null ? "null" : v.length) + " values (expected: " + n + ", rows x cols)");
    }

    public SearchStatus status(int k) {
      return SearchStatus.ofCode(status.charAt(k));
    }

    public int devices() {
      return rows * cols;
    }
  }
}
