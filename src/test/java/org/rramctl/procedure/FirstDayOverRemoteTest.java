package org.rramctl.procedure;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.remote.RemoteDriver;
import org.rramctl.sim.DevicePreset;

/**
 * The source-measure procedures (issue 18) through a served emulator over ZeroMQ: form and iv find what they find
 * in process on the same devices (same preset and seed), value for value.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FirstDayOverRemoteTest {
  @TempDir Path dir;

  @Test
  void formAndIvThroughAServedEmulatorFindWhatTheyFindInProcess() throws Exception {
    DevicePreset preset = DevicePreset.named("hfox-pristine");
    try (Bench here = new Bench(preset, 1, 2, Files.createDirectories(dir.resolve("here")));
        Bench there = Bench.overRemote(preset, 1, 2, Files.createDirectories(dir.resolve("there")))) {
      assertTrue(there.driver.inner() instanceof RemoteDriver, "the procedures drive a RemoteDriver");
      FirstDayComparison.formAndIvFindTheSame(here, there, "served", 0);
    }
  }
}
