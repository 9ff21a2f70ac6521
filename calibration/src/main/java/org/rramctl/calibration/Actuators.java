package org.rramctl.calibration;

import java.io.IOException;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;

/** The two {@link Actuator}s: a tile through the parallel update, one device through single-device calls. */
final class Actuators {
  private Actuators() {}

  /**
   * A tile driven by {@link CrossbarDriver#parallelUpdate}: every device of the tile gets the same pulse in
   * one program, and the array is read with one vector read.
   *
   * @throws IllegalArgumentException when the board lacks a native parallel update (the fallback would
   *     pulse device by device and make the parallel mode a slow per-device mode in disguise)
   */
  static Actuator parallel(CrossbarDriver driver, Tile tile, Plane plane, Pulse up, Pulse down) {
    if (!driver.info().supportsNatively(Capability.PARALLEL_UPDATE)) {
      throw new IllegalArgumentException("mode parallel: board " + driver.info().boardId()
          + " has no native parallel update (expected: --mode per-device on this board)");
    }
    driver.info().checkTile(tile);
    return new Parallel(driver, tile, plane, up, down);
  }

  /** One device driven by pulse and pulse-then-read calls. */
  static Actuator single(CrossbarDriver driver, Cell cell, Pulse up, Pulse down, double readVolts) {
    driver.info().checkCell(cell);
    return new Single(driver, cell, up, down, readVolts);
  }

  private static final class Parallel implements Actuator {
    private final CrossbarDriver driver;
    private final Tile tile;
    private final Plane plane;
    private final StochasticUpdate oneUp;
    private final StochasticUpdate oneDown;
    private final Pulse up;
    private final Pulse down;
    private final ArrayGeometry geometry;
    private double readVolts = 0.2;

    Parallel(CrossbarDriver driver, Tile tile, Plane plane, Pulse up, Pulse down) {
      this.driver = driver;
      this.tile = tile;
      this.plane = plane;
      this.up = up;
      this.down = down;
      this.oneUp = StochasticUpdate.uniform(tile.rows(), tile.cols(), Polarity.UP, up, down);
      this.oneDown = StochasticUpdate.uniform(tile.rows(), tile.cols(), Polarity.DOWN, up, down);
      this.geometry = driver.info().array(tile.array());
    }

    Parallel readVolts(double v) {
      this.readVolts = v;
      return this;
    }

    @Override
    public int size() {
      return tile.devices();
    }

    @Override
    public void pulse(Polarity p) throws IOException {
      driver.parallelUpdate(tile, plane, p == Polarity.UP ? oneUp : oneDown);
    }

    @Override
    public void pulses(Polarity p, int count) throws IOException {
      int maxBl = Math.min(StochasticUpdate.MAX_BIT_LENGTH, driver.info().hardwareLimits().maxPulsesPerCommand());
      int left = count;
      while (left > 0) {
        int bl = Math.min(left, maxBl);
        long bits = bl == 64 ? -1L : (1L << bl) - 1;
        long[] rb = new long[tile.rows()];
        byte[] rs = new byte[tile.rows()];
        long[] cb = new long[tile.cols()];
        byte[] cs = new byte[tile.cols()];
        java.util.Arrays.fill(rb, bits);
        java.util.Arrays.fill(rs, (byte) 1);
        java.util.Arrays.fill(cb, bits);
        java.util.Arrays.fill(cs, (byte) p.sign());
        driver.parallelUpdate(tile, plane, new StochasticUpdate(bl, rb, rs, cb, cs, up, down));
        left -= bl;
      }
    }

    @Override
    public void read(double[] out) throws IOException {
      ConductanceMap m = driver.readArray(tile.array(), plane, readVolts);
      int cols = geometry.cols();
      for (int r = 0; r < tile.rows(); r++) {
        System.arraycopy(m.siemens(), (tile.row0() + r) * cols + tile.col0(), out, r * tile.cols(), tile.cols());
      }
    }
  }

  static Actuator parallel(CrossbarDriver driver, Tile tile, Plane plane, CalibrationSettings s) {
    Parallel p = (Parallel) parallel(driver, tile, plane, s.upPulse(), s.downPulse());
    return p.readVolts(s.readVolts());
  }

  private static final class Single implements Actuator {
    private final CrossbarDriver driver;
    private final Cell cell;
    private final Pulse up;
    private final Pulse down;
    private final double readVolts;
    private final int maxPerCommand;

    Single(CrossbarDriver driver, Cell cell, Pulse up, Pulse down, double readVolts) {
      this.driver = driver;
      this.cell = cell;
      this.up = up;
      this.down = down;
      this.readVolts = readVolts;
      this.maxPerCommand = driver.info().hardwareLimits().maxPulsesPerCommand();
    }

    @Override
    public int size() {
      return 1;
    }

    @Override
    public void pulse(Polarity p) throws IOException {
      driver.pulse(cell, p == Polarity.UP ? up : down, 1);
    }

    @Override
    public void pulses(Polarity p, int count) throws IOException {
      int left = count;
      while (left > 0) {
        int k = Math.min(left, maxPerCommand);
        driver.pulse(cell, p == Polarity.UP ? up : down, k);
        left -= k;
      }
    }

    @Override
    public void read(double[] out) throws IOException {
      out[0] = driver.read(cell, readVolts);
    }

    @Override
    public void pulseThenRead(Polarity p, double[] out) throws IOException {
      out[0] = driver.pulseThenRead(cell, p == Polarity.UP ? up : down, 1, readVolts);
    }
  }
}
