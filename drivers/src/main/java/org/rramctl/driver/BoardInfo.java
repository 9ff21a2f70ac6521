package org.rramctl.driver;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a board (or emulator, or remote server) is: identity, firmware and protocol version, its arrays,
 * hardware limits, ADC resolution, the nominal conductance window of its devices, and which operations it
 * performs natively.
 *
 * @param boardId unique identity (serial number) of the board
 * @param model board or instrument model
 * @param firmwareVersion firmware version text
 * @param protocolVersion the board's own wire protocol version: the firmware protocol's for a serial board, 0
 *     for in-process drivers; a board served over ZeroMQ keeps the served board's value (the remote protocol's
 *     version is the WELCOME's, drivers/REMOTE.md)
 * @param arrays the arrays, indexed 0..n-1 in order
 * @param hardwareLimits what the hardware can do at most
 * @param adcBits resolution of the read-out converter, bits
 * @param gMinSiemens lower end of the programmable conductance window, siemens
 * @param gMaxSiemens upper end of the programmable conductance window, siemens
 * @param nativeOps operations done natively; the rest go through {@link SingleDeviceFallback}
 * @param vectorReadFullScaleAmps forward and transpose reads return currents within +- this many amperes and
 *     saturate there (their sense amplifiers' range); 0 when the board does not state it
 */
public record BoardInfo(
    String boardId,
    String model,
    String firmwareVersion,
    int protocolVersion,
    List<ArrayGeometry> arrays,
    Limits hardwareLimits,
    int adcBits,
    double gMinSiemens,
    double gMaxSiemens,
    Set<Capability> nativeOps,
    double vectorReadFullScaleAmps) {
  public BoardInfo {
    if (boardId == null || boardId.isBlank()) throw new IllegalArgumentException("boardId: '" + boardId + "' (expected: non-blank)");
    if (model == null) throw new IllegalArgumentException("model: null");
    if (firmwareVersion == null) throw new IllegalArgumentException("firmwareVersion: null");
    if (arrays == null || arrays.isEmpty()) throw new IllegalArgumentException("arrays: " + arrays + " (expected: at least one array)");
    arrays = List.copyOf(arrays);
    for (int i = 0; i < arrays.size(); i++) {
      if (arrays.get(i).index() != i) {
        throw new IllegalArgumentException("arrays[" + i + "].index: " + arrays.get(i).index() + " (expected: " + i + ")");
      }
    }
    if (hardwareLimits == null) throw new IllegalArgumentException("hardwareLimits: null");
    if (adcBits < 1 || adcBits > 32) throw new IllegalArgumentException("adcBits: " + adcBits + " (expected: 1..32)");
    if (!(gMinSiemens >= 0) || !(gMaxSiemens > gMinSiemens) || Double.isInfinite(gMaxSiemens)) {
      throw new IllegalArgumentException("conductance window: " + gMinSiemens + " .. " + gMaxSiemens + " S (expected: 0 <= gMin < gMax, finite)");
    }
    nativeOps = nativeOps.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(nativeOps));
    if (!(vectorReadFullScaleAmps >= 0) || Double.isInfinite(vectorReadFullScaleAmps)) {
      throw new IllegalArgumentException("vectorReadFullScaleAmps: " + vectorReadFullScaleAmps + " (expected: finite and > 0, or 0 when not stated)");
    }
  }

  /** A board that does not state its vector reads' full scale. */
  public BoardInfo(String boardId, String model, String firmwareVersion, int protocolVersion, List<ArrayGeometry> arrays, Limits hardwareLimits,
      int adcBits, double gMinSiemens, double gMaxSiemens, Set<Capability> nativeOps) {
    this(boardId, model, firmwareVersion, protocolVersion, arrays, hardwareLimits, adcBits, gMinSiemens, gMaxSiemens, nativeOps, 0);
  }

  /** The same board with other limits (a server advertises its envelope this way). */
  public BoardInfo withHardwareLimits(Limits l) {
    return new BoardInfo(boardId, model, firmwareVersion, protocolVersion, arrays, l, adcBits, gMinSiemens, gMaxSiemens, nativeOps, vectorReadFullScaleAmps);
  }

  public ArrayGeometry array(int index) {
    if (index < 0 || index >= arrays.size()) {
      throw new IllegalArgumentException("array: " + index + " (expected: 0.." + (arrays.size() - 1) + " on board " + boardId + ")");
    }
    return arrays.get(index);
  }

  public boolean supportsNatively(Capability c) {
    return nativeOps.contains(c);
  }

  /** Total number of active devices over all arrays. */
  public long activeDevices() {
    long n = 0;
    for (ArrayGeometry g : arrays) n += g.devices();
    return n;
  }

  /**
   * Checks that a cell exists on this board.
   *
   * @throws IllegalArgumentException naming the cell and the valid range
   */
  public void checkCell(Cell c) {
    ArrayGeometry g = array(c.array());
    if (c.plane() == Plane.REFERENCE && !g.hasReference()) {
      throw new IllegalArgumentException("cell " + c + ": array " + g.index() + " has no reference array");
    }
    if (c.row() >= g.rows() || c.col() >= g.cols()) {
      throw new IllegalArgumentException("cell " + c + ": outside array " + g.index() + " (expected: row 0.." + (g.rows() - 1) + ", col 0.." + (g.cols() - 1) + ")");
    }
  }

  /** Checks that a tile lies inside its array. */
  public void checkTile(Tile t) {
    ArrayGeometry g = array(t.array());
    if (t.row0() + t.rows() > g.rows() || t.col0() + t.cols() > g.cols()) {
      throw new IllegalArgumentException("tile " + t + ": outside array " + g.index() + " (" + g.rows() + " x " + g.cols() + ")");
    }
  }

  /** Checks that a plane of an array exists. */
  public void checkPlane(int arrayIndex, Plane plane) {
    ArrayGeometry g = array(arrayIndex);
    if (plane == Plane.REFERENCE && !g.hasReference()) {
      throw new IllegalArgumentException("array " + arrayIndex + ": has no reference array");
    }
  }

  public void checkRow(int arrayIndex, int row) {
    ArrayGeometry g = array(arrayIndex);
    if (row < 0 || row >= g.rows()) throw new IllegalArgumentException("row: " + row + " (expected: 0.." + (g.rows() - 1) + " in array " + arrayIndex + ")");
  }

  public void checkColumn(int arrayIndex, int col) {
    ArrayGeometry g = array(arrayIndex);
    if (col < 0 || col >= g.cols()) throw new IllegalArgumentException("col: " + col + " (expected: 0.." + (g.cols() - 1) + " in array " + arrayIndex + ")");
  }
}
