package org.rramctl.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Checkpoint hook for analog runs: saves and restores what the board holds (every device's state and, for an
 * emulator, its random generators) so a resumed run continues exactly. A floating-point network keeps its
 * weights in the checkpoint itself and needs no store.
 *
 * <p>The {@link Trainer} looks for this interface on the driver (and on the driver inside an
 * {@link org.rramctl.driver.EnvelopedDriver}); the emulator is expected to implement it. A lab board cannot
 * restore its devices, so its runs resume only when the devices were left untouched: without a store,
 * {@code --resume} of an analog run is refused with a message saying so.
 */
public interface DeviceStateStore {
  /** Writes the device state to {@code file} (the caller makes it atomic by writing a temp file and renaming). */
  void saveDeviceState(Path file) throws IOException;

  /** Restores the state written by {@link #saveDeviceState}. */
  void restoreDeviceState(Path file) throws IOException;
}
