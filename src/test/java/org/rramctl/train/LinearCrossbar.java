package org.rramctl.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverStatus;
import org.rramctl.driver.Limits;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;

/**
 * A test board of ideal linear devices: no bounds, no noise, every pulse moves a conductance by exactly
 * {@code stepSiemens} (UP adds, DOWN subtracts). Active and reference planes start at mid-window, so every
 * weight reads 0. Counts pulses and update programs.
 */
final class LinearCrossbar implements CrossbarDriver {
  static final double G_MIN = 1e-6;
  static final double G_MAX = 101e-6;
  /** (gMax - gMin) / 2: the conductance that reads as weight 1. */
  static final double G_UNIT = (G_MAX - G_MIN) / 2;

  private final BoardInfo info;
  private final double step;
  final List<double[]> active = new ArrayList<>();
  final List<double[]> reference = new ArrayList<>();
  long pulses;
  int programs;

  /** {@code arrays} arrays of rows x cols with references; one pulse = {@code dwMin} in weight units. */
  LinearCrossbar(int arrays, int rows, int cols, double dwMin) {
    List<ArrayGeometry> g = new ArrayList<>();
    for (int a = 0; a < arrays; a++) {
      g.add(new ArrayGeometry(a, rows, cols, true));
      double[] act = new double[rows * cols];
      double[] ref = new double[rows * cols];
      java.util.Arrays.fill(act, (G_MIN + G_MAX) / 2);
      java.util.Arrays.fill(ref, (G_MIN + G_MAX) / 2);
      active.add(act);
      reference.add(ref);
    }
    info = new BoardInfo("linear-test", "LinearCrossbar", "0", 0, g,
        Limits.builder()
            .maxPulseVolts(2.0)
            .maxReadVolts(0.3)
            .minPulseWidthNanos(10)
            .maxPulseWidthNanos(1_000_000)
            .maxPulsesPerCommand(100_000)
            .maxPulseRateHz(1e7)
            .complianceAmps(1e-3)
            .build(), 24, G_MIN, G_MAX,
        EnumSet.of(Capability.FORWARD_READ, Capability.TRANSPOSE_READ, Capability.PARALLEL_UPDATE, Capability.REFERENCE_ARRAYS));
    step = dwMin * G_UNIT;
  }

  /** Weight (G - G_ref) / gUnit of array a, row r, col c. */
  double weight(int a, int r, int c) {
    int cols = info.array(a).cols();
    return (active.get(a)[r * cols + c] - reference.get(a)[r * cols + c]) / G_UNIT;
  }

  void setWeight(int a, int r, int c, double w) {
    int cols = info.array(a).cols();
    active.get(a)[r * cols + c] = reference.get(a)[r * cols + c] + w * G_UNIT;
  }

  @Override
  public BoardInfo info() {
    return info;
  }

  @Override
  public double read(Cell cell, double readVolts) {
    int cols = info.array(cell.array()).cols();
    return (cell.plane() == Plane.ACTIVE ? active : reference).get(cell.array())[cell.row() * cols + cell.col()];
  }

  @Override
  public void pulse(Cell cell, Pulse pulse, int count) {
    int cols = info.array(cell.array()).cols();
    (cell.plane() == Plane.ACTIVE ? active : reference).get(cell.array())[cell.row() * cols + cell.col()] += pulse.polarity().sign() * count * step;
    pulses += count;
  }

  private double g(Tile t, ReadMode mode, int r, int c) {
    int cols = info.array(t.array()).cols();
    int k = (t.row0() + r) * cols + t.col0() + c;
    double a = active.get(t.array())[k];
    double ref = reference.get(t.array())[k];
    return switch (mode) {
      case ACTIVE -> a;
      case REFERENCE -> ref;
      case DIFFERENTIAL -> a - ref;
    };
  }

  @Override
  public double[] forwardRead(Tile tile, ReadMode mode, double[] rowVolts) {
    double[] out = new double[tile.cols()];
    for (int r = 0; r < tile.rows(); r++) {
      for (int c = 0; c < tile.cols(); c++) out[c] += rowVolts[r] * g(tile, mode, r, c);
    }
    return out;
  }

  @Override
  public double[] transposeRead(Tile tile, ReadMode mode, double[] colVolts) {
    double[] out = new double[tile.rows()];
    for (int r = 0; r < tile.rows(); r++) {
      for (int c = 0; c < tile.cols(); c++) out[r] += colVolts[c] * g(tile, mode, r, c);
    }
    return out;
  }

  @Override
  public void parallelUpdate(Tile tile, Plane plane, StochasticUpdate u) {
    programs++;
    double[] g = (plane == Plane.ACTIVE ? active : reference).get(tile.array());
    int cols = info.array(tile.array()).cols();
    for (int r = 0; r < tile.rows(); r++) {
      for (int c = 0; c < tile.cols(); c++) {
        int n = u.signedPulses(r, c);
        g[(tile.row0() + r) * cols + tile.col0() + c] += n * step;
        pulses += Math.abs(n);
      }
    }
  }

  @Override
  public DriverStatus status() {
    return new DriverStatus(true, false, pulses, "");
  }

  @Override
  public void abort() {}

  @Override
  public void close() {}
}
