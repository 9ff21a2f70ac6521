package org.rramctl.sim.board;

import java.util.Optional;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.protocol.CellAddress;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.HardwareLimits;
import org.rramctl.protocol.PulseShape;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.TileAddress;
import org.rramctl.protocol.WirePlane;
import org.rramctl.protocol.WireReadMode;

/**
 * Everything a firmware checks before touching an output (PROTOCOL.md 6.1): first the addresses against the
 * board's geometry (OUT_OF_RANGE), then voltages, widths, rates and counts against its hardware limits
 * (LIMIT_EXCEEDED), whatever the host checked. Stateless and thread-safe.
 */
final class CommandValidator {
  private final BoardInfo geometry;
  private final HardwareLimits limits;

  CommandValidator(BoardInfo geometry, HardwareLimits limits) {
    this.geometry = geometry;
    this.limits = limits;
  }

  /** Why the board refuses {@code c}, or empty when it may run (and for commands that touch no device). */
  Optional<Response.Error> refusal(Command c) {
    String outOfRange = outOfRange(c);
    if (outOfRange != null) return Optional.of(ErrorResponses.of(ErrorCode.OUT_OF_RANGE, c.opcode().code(), outOfRange));
    String overLimit = overLimit(c);
    if (overLimit != null) return Optional.of(ErrorResponses.of(ErrorCode.LIMIT_EXCEEDED, c.opcode().code(), overLimit));
    return Optional.empty();
  }

  /** The first address that is not on the board, or null. */
  private String outOfRange(Command c) {
    if (c instanceof Command.Read r) return cell(r.cell());
    if (c instanceof Command.Pulse p) return cell(p.cell());
    if (c instanceof Command.PulseThenRead p) return cell(p.cell());
    if (c instanceof Command.ReadRow r) return row(r.array(), r.plane(), r.row());
    if (c instanceof Command.ReadColumn r) return column(r.array(), r.plane(), r.col());
    if (c instanceof Command.ReadArray r) return plane(r.array(), r.plane());
    if (c instanceof Command.ForwardRead f) return tile(f.tile(), planeOf(f.mode()));
    if (c instanceof Command.TransposeRead t) return tile(t.tile(), planeOf(t.mode()));
    if (c instanceof Command.Update u) return tile(u.tile(), u.plane());
    if (c instanceof Command.Source so) return cell(so.cell());
    if (c instanceof Command.Sweep sw) return cell(sw.cell());
    return null;
  }

  /** The first value beyond the hardware limits, or null. */
  private String overLimit(Command c) {
    if (c instanceof Command.Read r) return readVoltage(r.readTenthMillivolts());
    if (c instanceof Command.Pulse p) return first(shape("shape", p.shape()), count(p.count()));
    if (c instanceof Command.PulseThenRead p) return first(shape("shape", p.shape()), count(p.count()), readVoltage(p.readTenthMillivolts()));
    if (c instanceof Command.ReadRow r) return readVoltage(r.readTenthMillivolts());
    if (c instanceof Command.ReadColumn r) return readVoltage(r.readTenthMillivolts());
    if (c instanceof Command.ReadArray r) return readVoltage(r.readTenthMillivolts());
    if (c instanceof Command.ForwardRead f) return vector(f.rowTenthMillivolts());
    if (c instanceof Command.TransposeRead t) return vector(t.colTenthMillivolts());
    if (c instanceof Command.Update u) return first(shape("up", u.up()), shape("down", u.down()), bitLength(u.bitLength()));
    if (c instanceof Command.Source so) return first(level("level", so.millivolts()), duration("duration", so.durationNanos()), compliance(so.complianceNanoamps()));
    if (c instanceof Command.Sweep sw) return sweep(sw);
    return null;
  }

  private static String first(String... problems) {
    for (String p : problems) if (p != null) return p;
    return null;
  }

  /** A vector read of the reference or the differential pair needs the reference plane. */
  private static WirePlane planeOf(WireReadMode mode) {
    return mode == WireReadMode.ACTIVE ? WirePlane.ACTIVE : WirePlane.REFERENCE;
  }

  // Geometry: the array and plane first, then the indices within that array.

  private String plane(int array, WirePlane plane) {
    if (array >= geometry.arrays().size()) return "array: " + array + " (expected: 0.." + (geometry.arrays().size() - 1) + ")";
    if (plane == WirePlane.REFERENCE && !geometry.array(array).hasReference()) return "plane: REFERENCE (expected: ACTIVE; array " + array + " has no reference)";
    return null;
  }

  private static String index(String name, int index, int size) {
    return index >= size ? name + ": " + index + " (expected: 0.." + (size - 1) + ")" : null;
  }

  private String row(int array, WirePlane plane, int row) {
    String p = plane(array, plane);
    return p != null ? p : index("row", row, geometry.array(array).rows());
  }

  private String column(int array, WirePlane plane, int col) {
    String p = plane(array, plane);
    return p != null ? p : index("col", col, geometry.array(array).cols());
  }

  private String cell(CellAddress c) {
    String p = plane(c.array(), c.plane());
    if (p != null) return p;
    ArrayGeometry g = geometry.array(c.array());
    return first(index("row", c.row(), g.rows()), index("col", c.col(), g.cols()));
  }

  private String tile(TileAddress t, WirePlane plane) {
    String p = plane(t.array(), plane);
    if (p != null) return p;
    ArrayGeometry g = geometry.array(t.array());
    if (t.row0() + t.rows() > g.rows()) return "tile rows: " + t.row0() + "+" + t.rows() + " (expected: <= " + g.rows() + ")";
    if (t.col0() + t.cols() > g.cols()) return "tile cols: " + t.col0() + "+" + t.cols() + " (expected: <= " + g.cols() + ")";
    return null;
  }

  // Hardware limits.

  private String readVoltage(int tenthMillivolts) {
    if (tenthMillivolts > limits.maxReadTenthMillivolts()) return "readVoltage: " + tenthMillivolts + " x 100 uV (expected: 1.." + limits.maxReadTenthMillivolts() + ")";
    return null;
  }

  private String vector(short[] v) {
    for (int k = 0; k < v.length; k++) {
      if (Math.abs(v[k]) > limits.maxReadTenthMillivolts()) return "v[" + k + "]: " + v[k] + " x 100 uV (expected: |v| <= " + limits.maxReadTenthMillivolts() + ")";
    }
    return null;
  }

  private String shape(String name, PulseShape s) {
    HardwareLimits h = limits;
    if (s.amplitudeMillivolts() > h.maxPulseMillivolts()) return name + " amplitude: " + s.amplitudeMillivolts() + " mV (expected: <= " + h.maxPulseMillivolts() + ")";
    if (s.widthNanos() < h.minPulseWidthNanos() || s.widthNanos() > h.maxPulseWidthNanos()) {
      return name + " width: " + s.widthNanos() + " ns (expected: " + h.minPulseWidthNanos() + ".." + h.maxPulseWidthNanos() + ")";
    }
    // rate = 1e9 / period <= maxRate, without floating point
    if (s.periodNanos() * h.maxPulseRateHz() < 1_000_000_000L) {
      return name + " period: " + s.periodNanos() + " ns (expected: >= " + ((1_000_000_000L + h.maxPulseRateHz() - 1) / h.maxPulseRateHz()) + ", the " + h.maxPulseRateHz() + " Hz rate limit)";
    }
    return null;
  }

  // Source-measure (protocol version 2): the compliance is the board's own limit on the current, checked like a voltage.

  private String level(String name, int millivolts) {
    if (Math.abs(millivolts) > limits.maxPulseMillivolts()) return name + ": " + millivolts + " mV (expected: |V| <= " + limits.maxPulseMillivolts() + ")";
    return null;
  }

  private String duration(String name, long nanos) {
    if (nanos < limits.minPulseWidthNanos() || nanos > limits.maxPulseWidthNanos()) {
      return name + ": " + nanos + " ns (expected: " + limits.minPulseWidthNanos() + ".." + limits.maxPulseWidthNanos() + ")";
    }
    return null;
  }

  private String compliance(long nanoamps) {
    if (nanoamps > limits.complianceNanoamps()) return "compliance: " + nanoamps + " nA (expected: <= " + limits.complianceNanoamps() + ")";
    return null;
  }

  private String sweep(Command.Sweep sw) {
    short[] v = sw.levelsMillivolts();
    for (int k = 0; k < v.length; k++) {
      String l = level("level[" + k + "]", v[k]);
      if (l != null) return l;
    }
    String rate = null;
    long period = sw.stepNanos() + sw.offNanos();
    if (sw.pulsed() && period * limits.maxPulseRateHz() < 1_000_000_000L) {
      rate = "period: " + period + " ns (expected: >= " + ((1_000_000_000L + limits.maxPulseRateHz() - 1) / limits.maxPulseRateHz()) + ", the "
          + limits.maxPulseRateHz() + " Hz rate limit)";
    }
    String points = v.length > limits.maxPulsesPerCommand() ? "levels: " + v.length + " (expected: 1.." + limits.maxPulsesPerCommand() + ")" : null;
    return first(duration("step", sw.stepNanos()), compliance(sw.complianceNanoamps()), points, rate);
  }

  private String count(long count) {
    if (count > limits.maxPulsesPerCommand()) return "count: " + count + " (expected: 1.." + limits.maxPulsesPerCommand() + ")";
    return null;
  }

  private String bitLength(int bitLength) {
    if (bitLength > limits.maxPulsesPerCommand()) return "bitLength: " + bitLength + " (expected: <= " + limits.maxPulsesPerCommand() + ")";
    return null;
  }
}
