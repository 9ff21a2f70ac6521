package org.rramctl.calibration;

import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverStatus;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.sim.EmulatorDriver;

/**
 * A driver that passes every call to an emulator, for tests that need a board the emulator is not: one
 * that lacks the native parallel update, one with a stuck device, one that counts calls. Subclasses
 * override what differs. Not thread-safe, like the drivers it stands for.
 */
class ForwardingDriver implements CrossbarDriver {
  final EmulatorDriver emu;
  long parallelUpdates;
  long singlePulseCalls;

  ForwardingDriver(EmulatorDriver emu) {
    this.emu = emu;
  }

  /** The emulator as a board without the native parallel update: {@code parallelUpdate} falls back to single pulses. */
  static ForwardingDriver withoutParallelUpdate(EmulatorDriver emu) {
    BoardInfo i = emu.info();
    Set<Capability> ops = EnumSet.copyOf(i.nativeOps());
    ops.remove(Capability.PARALLEL_UPDATE);
    BoardInfo reduced = new BoardInfo(i.boardId(), i.model(), i.firmwareVersion(), i.protocolVersion(), i.arrays(), i.hardwareLimits(),
        i.adcBits(), i.gMinSiemens(), i.gMaxSiemens(), ops);
    return new ForwardingDriver(emu) {
      @Override
      public BoardInfo info() {
        return reduced;
      }

      @Override
      public void parallelUpdate(Tile tile, Plane plane, StochasticUpdate update) throws IOException {
        parallelUpdates++;
        super.parallelUpdate(tile, plane, update);
      }
    };
  }

  /**
   * The emulator with one device stuck at {@code weight}: after every pulse that may have reached it, it
   * is put back (reads still see it, with read noise), as a device whose filament no longer moves.
   */
  static ForwardingDriver withStuckDevice(EmulatorDriver emu, Cell stuck, double weight) {
    emu.truth().setWeight(stuck, weight);
    return new ForwardingDriver(emu) {
      @Override
      public void pulse(Cell cell, Pulse pulse, int count) throws IOException {
        super.pulse(cell, pulse, count);
        emu.truth().setWeight(stuck, weight);
      }

      @Override
      public double pulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) throws IOException {
        pulse(cell, pulse, count);
        return read(cell, readVolts);
      }

      @Override
      public void parallelUpdate(Tile tile, Plane plane, StochasticUpdate update) throws IOException {
        super.parallelUpdate(tile, plane, update);
        emu.truth().setWeight(stuck, weight);
      }
    };
  }

  @Override
  public BoardInfo info() {
    return emu.info();
  }

  @Override
  public double read(Cell cell, double readVolts) throws IOException {
    return emu.read(cell, readVolts);
  }

  @Override
  public void pulse(Cell cell, Pulse pulse, int count) throws IOException {
    singlePulseCalls++;
    emu.pulse(cell, pulse, count);
  }

  @Override
  public double pulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) throws IOException {
    singlePulseCalls++;
    return emu.pulseThenRead(cell, pulse, count, readVolts);
  }

  @Override
  public ConductanceMap readArray(int array, Plane plane, double readVolts) throws IOException {
    return emu.readArray(array, plane, readVolts);
  }

  @Override
  public void parallelUpdate(Tile tile, Plane plane, StochasticUpdate update) throws IOException {
    if (info().supportsNatively(Capability.PARALLEL_UPDATE)) {
      parallelUpdates++;
      emu.parallelUpdate(tile, plane, update);
    } else {
      CrossbarDriver.super.parallelUpdate(tile, plane, update);
    }
  }

  @Override
  public DriverStatus status() throws IOException {
    return emu.status();
  }

  @Override
  public void abort() {
    emu.abort();
  }

  @Override
  public void close() {
    emu.close();
  }
}
