package org.rramctl.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.sim.EmulatorDriver;

/**
 * {@link DeviceStateStore} for the soft-bound emulator: every device's state of both planes and the
 * emulator's noise generator, through {@link EmulatorDriver#writeState}/{@link EmulatorDriver#readState}.
 * Restoring needs an emulator opened with the same preset, geometry and seed (the same {@code sim:} URI).
 */
public final class EmulatorStateStore implements DeviceStateStore {
  private final EmulatorDriver emulator;

  public EmulatorStateStore(EmulatorDriver emulator) {
    this.emulator = emulator;
  }

  /** The store for a driver that is (or wraps) an emulator, or null. */
  public static DeviceStateStore forDriver(CrossbarDriver driver) {
    EmulatorDriver emu = emulatorOf(driver);
    return emu == null ? null : new EmulatorStateStore(emu);
  }

  /** The emulator behind a driver (directly or inside an {@link EnvelopedDriver}), or null. */
  static EmulatorDriver emulatorOf(CrossbarDriver driver) {
    if (driver instanceof EmulatorDriver e) return e;
    if (driver instanceof EnvelopedDriver env && env.inner() instanceof EmulatorDriver e) return e;
    return null;
  }

  @Override
  public void saveDeviceState(Path file) throws IOException {
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
      emulator.writeState(out);
    }
  }

  @Override
  public void restoreDeviceState(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      emulator.readState(in);
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage() + " (expected: the device state of emulator " + emulator.info().boardId() + ")", e);
    }
  }
}
