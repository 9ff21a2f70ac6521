package org.rramctl.train;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.rramctl.driver.FileChecksums;
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

  /** Writes the state followed by its CRC-32C trailer ({@link FileChecksums}), forced to the device. */
  @Override
  public void saveDeviceState(Path file) throws IOException {
    try (FileOutputStream raw = new FileOutputStream(file.toFile())) {
      CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), new CRC32C());
      DataOutputStream out = new DataOutputStream(checked);
      emulator.writeState(out);
      out.flush();
      raw.write(FileChecksums.binaryTrailer(checked.getChecksum().getValue()));
      raw.getFD().sync();
    }
  }

  /**
   * Restores the state after checking its checksum (a file written before checksums is read unverified).
   *
   * @throws IllegalArgumentException when the file is damaged or is not this emulator's state
   */
  @Override
  public void restoreDeviceState(Path file) throws IOException {
    byte[] content = FileChecksums.openBinary(file, Files.readAllBytes(file)).content();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(content))) {
      emulator.readState(in);
      if (in.available() > 0) throw new IOException(in.available() + " bytes after the state");
    } catch (IOException e) {
      String why = e instanceof java.io.EOFException ? "ends before the state is complete" : e.getMessage();
      throw new IllegalArgumentException(file + ": " + why + " (expected: the device state of emulator " + emulator.info().boardId() + ")", e);
    }
  }
}
