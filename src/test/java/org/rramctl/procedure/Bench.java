package org.rramctl.procedure;

import java.nio.file.Path;
import java.util.List;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.journal.Journal;
import org.rramctl.journal.RunDirectory;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/** A test bench: an emulated board behind its envelope, its ground truth, and a runner writing to a temp directory. */
final class Bench {
  /** ADC step of the 16-bit ideal preset: full scale 1.25 G_max over 2^16 - 1 codes. */
  static final double LSB = 1.25 * 1e-4 / 65535;

  final EmulatorDriver emulator;
  final EnvelopedDriver driver;
  final EmulatorDriver.Truth truth;
  final RunDirectory runs;
  final Runner runner;

  Bench(DevicePreset preset, int rows, int cols, Path dir) {
    emulator = new EmulatorDriver(preset, List.of(new int[] {rows, cols}), 3);
    driver = new EnvelopedDriver(emulator, SafetyEnvelope.of(emulator.info()));
    truth = emulator.truth();
    runs = new RunDirectory(dir);
    runner = new Runner(runs, driver, "sim:" + preset.name() + "?arrays=1&rows=" + rows + "&cols=" + cols + "&seed=3");
  }

  static Bench ideal(int rows, int cols, Path dir) {
    return new Bench(DevicePreset.named("ideal"), rows, cols, dir);
  }

  /** Noise-free conductance the ideal emulator maps weight w of cell c to, siemens. */
  double siemens(Cell c, double w) {
    EmulatorDriver.DeviceParams p = truth.params(c);
    return p.gAtZeroSiemens() + w * p.siemensPerWeight();
  }

  Journal journal(Runner.Outcome o) throws java.io.IOException {
    return Journal.read(o.journal());
  }
}
