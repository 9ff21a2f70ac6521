package org.rramctl.calibration;

import java.io.IOException;
import java.util.Arrays;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.Tile;

/**
 * Programs each reference device of a tile to its target conductance (the active device's symmetry point)
 * by write-verify (DESIGN.md section 3.5): read, pulse toward the target with a count taken from the
 * step size measured on this device, read again, until a read is within tolerance or the budget is spent.
 *
 * <p>Reads are the expensive part on a board, so: the starting conductances come from one vector read
 * of the reference plane; the first move uses the tile's typical step (from the symmetry-point search's
 * limit cycle), aimed at 70 % of the distance so that it does not overshoot; every later move uses the
 * step this device just showed in that direction (its own soft-bound slope, the local secant), and each
 * move is one pulse-then-read command. Typically three to five reads per device.
 *
 * <p>Results, per device of the tile (row-major): the last read (achieved, siemens), its error against the
 * target (achieved - target, siemens), pulses and reads used, and whether it reached tolerance.
 */
public final class ReferenceProgramming {
  private ReferenceProgramming() {}

  /** Per-device outcome of write-verify, row-major over the tile. */
  public record Result(Tile tile, double[] targetSiemens, double[] achievedSiemens, double[] errorSiemens, int[] pulses, int[] reads, boolean[] reached) {
    public long reachedCount() {
      long c = 0;
      for (boolean b : reached) if (b) c++;
      return c;
    }
  }

  /**
   * @param targetSiemens per device of the tile (row-major); NaN skips the device
   * @param typicalStepSiemens a typical single-pulse step of these devices, siemens (> 0)
   */
  public static Result program(CrossbarDriver driver, Tile tile, double[] targetSiemens, double typicalStepSiemens, CalibrationSettings s, Monitor monitor)
      throws IOException {
    return program(driver, tile, Plane.REFERENCE, targetSiemens, typicalStepSiemens, s, monitor);
  }

  /**
   * The same write-verify on either plane: {@link Plane#ACTIVE} programs the active devices themselves (training
   * writes its initial weights this way, each device to its reference's conductance plus the weight).
   *
   * @param targetSiemens per device of the tile (row-major); NaN skips the device
   * @param typicalStepSiemens a typical single-pulse step of these devices, siemens (> 0)
   */
  public static Result program(CrossbarDriver driver, Tile tile, Plane plane, double[] targetSiemens, double typicalStepSiemens, CalibrationSettings s,
      Monitor monitor) throws IOException {
    driver.info().checkTile(tile);
    driver.info().checkPlane(tile.array(), plane);
    int n = tile.devices();
    if (targetSiemens.length != n) throw new IllegalArgumentException("targets: " + targetSiemens.length + " (expected: " + n + ", one per device of " + tile + ")");
    if (!(typicalStepSiemens > 0)) throw new IllegalArgumentException("typicalStepSiemens: " + typicalStepSiemens + " (expected: > 0)");
    double[] achieved = new double[n];
    double[] error = new double[n];
    int[] pulses = new int[n];
    int[] reads = new int[n];
    boolean[] reached = new boolean[n];
    Arrays.fill(achieved, Double.NaN);
    Arrays.fill(error, Double.NaN);
    int cols = driver.info().array(tile.array()).cols();
    double[] start = driver.readArray(tile.array(), plane, s.readVolts()).siemens();
    monitor.stage((plane == Plane.REFERENCE ? "reference" : "active") + " devices, " + tile, n, "devices");
    try {
      for (int k = 0; k < n; k++) {
        if (monitor.stopRequested()) break;
        double target = targetSiemens[k];
        if (Double.isNaN(target)) {
          monitor.advance(1);
          continue;
        }
        int row = tile.row0() + k / tile.cols();
        int col = tile.col0() + k % tile.cols();
        Cell cell = plane == Plane.REFERENCE ? Cell.reference(tile.array(), row, col) : Cell.active(tile.array(), row, col);
        writeVerify(driver, cell, start[row * cols + col], target, typicalStepSiemens, s, k, achieved, error, pulses, reads, reached);
        monitor.advance(1);
      }
    } catch (DriverAbortedException e) {
      // Stopped: what was reached stays recorded; the rest stays NaN.
    }
    return new Result(tile, targetSiemens.clone(), achieved, error, pulses, reads, reached);
  }

  /**
   * Write-verify of one device of either plane (e.g. an active device put back to its weight after a re-check of its
   * symmetry point), the same procedure as {@link #program}, starting with a read of the device.
   *
   * @return the outcome as a one-device result over the 1 x 1 tile of {@code cell}
   */
  public static Result programCell(CrossbarDriver driver, Cell cell, double targetSiemens, double typicalStepSiemens, CalibrationSettings s) throws IOException {
    driver.info().checkCell(cell);
    if (!(typicalStepSiemens > 0)) throw new IllegalArgumentException("typicalStepSiemens: " + typicalStepSiemens + " (expected: > 0)");
    Tile t = new Tile(cell.array(), cell.row(), cell.col(), 1, 1);
    double[] achieved = {Double.NaN};
    double[] error = {Double.NaN};
    int[] pulses = new int[1];
    int[] reads = new int[1];
    boolean[] reached = new boolean[1];
    if (!Double.isNaN(targetSiemens)) {
      double g = driver.read(cell, s.readVolts());
      writeVerify(driver, cell, g, targetSiemens, typicalStepSiemens, s, 0, achieved, error, pulses, reads, reached);
    }
    return new Result(t, new double[] {targetSiemens}, achieved, error, pulses, reads, reached);
  }

  /** Write-verify of one device from its read {@code g}; the outcome goes to index {@code k} of the arrays. */
  private static void writeVerify(CrossbarDriver driver, Cell cell, double g, double target, double typicalStepSiemens, CalibrationSettings s, int k,
      double[] achieved, double[] error, int[] pulses, int[] reads, boolean[] reached) throws IOException {
    Pulse up = s.upPulse();
    Pulse down = s.downPulse();
    int maxPerCommand = driver.info().hardwareLimits().maxPulsesPerCommand();
    double tol = s.refToleranceSiemens();
    reads[k] = 1;
    // Step per pulse in each direction; the first guess is the tile's typical step.
    double stepUp = typicalStepSiemens;
    double stepDown = typicalStepSiemens;
    boolean firstUp = true;
    boolean firstDown = true;
    int used = 0;
    while (Math.abs(target - g) > tol && used < s.refBudgetPulses() && reads[k] < s.refMaxReads()) {
      double e = target - g;
      Polarity dir = e > 0 ? Polarity.UP : Polarity.DOWN;
      boolean first = dir == Polarity.UP ? firstUp : firstDown;
      double st = dir == Polarity.UP ? stepUp : stepDown;
      double aim = first ? 0.7 : 1.0;
      int count = (int) Math.max(1, Math.round(aim * Math.abs(e) / st));
      count = Math.min(count, Math.min(maxPerCommand, s.refBudgetPulses() - used));
      double after = driver.pulseThenRead(cell, dir == Polarity.UP ? up : down, count, s.readVolts());
      used += count;
      reads[k]++;
      double moved = (after - g) * dir.sign();
      // Trust the measured step only when the move stands out of the read noise. Otherwise the step is
      // smaller than assumed (at most about 2 tol / count): shrink the guess, so that the next move uses
      // more pulses. (Growing it, as this once did, shrank the next count, and devices with a small step
      // in one direction, a few per cent of them at 30 % variation, spent their reads on a few pulses each.)
      double measured = moved / count;
      double next = moved > 2 * tol ? measured : Math.min(st / 2, 2 * tol / count);
      if (dir == Polarity.UP) {
        stepUp = next;
        firstUp = false;
      } else {
        stepDown = next;
        firstDown = false;
      }
      g = after;
    }
    achieved[k] = g;
    error[k] = g - target;
    pulses[k] = used;
    reached[k] = Math.abs(g - target) <= tol;
  }

  /** The result for a tile whose array has no reference devices: nothing programmed, nothing achieved (NaN). */
  public static Result none(Tile tile, double[] targetSiemens) {
    int n = tile.devices();
    double[] nan = new double[n];
    java.util.Arrays.fill(nan, Double.NaN);
    return new Result(tile, targetSiemens.clone(), nan, nan.clone(), new int[n], new int[n], new boolean[n]);
  }
}
