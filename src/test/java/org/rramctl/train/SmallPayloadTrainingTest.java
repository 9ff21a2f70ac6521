package org.rramctl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Plane;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.transport.PipeTransport;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;
import org.rramctl.sim.board.VirtualBoard;

/**
 * Training updates through the serial driver on a board that accepts only 64-byte payloads (PROTOCOL.md 1.2):
 * the layer's parallel updates are split by the host, and the devices end up exactly as the same updates leave
 * them on the emulator driven directly (noise-free preset, same seeds).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SmallPayloadTrainingTest {
  private static EmulatorDriver emulator() {
    return EmulatorDriver.open(DevicePreset.named("ideal"), List.of(new int[] {40, 24}), 8);
  }

  private static AnalogLayer layer(EnvelopedDriver driver) {
    TileLayout layout = TileLayout.plan(driver.info(), new int[] {29, 12}, true);
    return AnalogLayer.on(driver, 30, 12, layout.blocks(0), AnalogLayerTest.SETTINGS, Rng.seeded(5));
  }

  @Test
  void layerUpdatesOnASixtyFourByteBoardLeaveTheDevicesAsOnTheEmulator() throws IOException {
    EmulatorDriver direct = emulator();
    // A 10 s watchdog: a test JVM stalled for a second by a loaded machine must not trip it (not what this tests).
    VirtualBoard board = new VirtualBoard(emulator(), VirtualBoard.Config.defaults().withWatchdogMillis(10_000).withMaxPayloadBytes(64));
    SerialBoardDriver serial = SerialBoardDriver.open(() -> {
      PipeTransport.Pair pair = PipeTransport.pair();
      board.serve(pair.b());
      return pair.a();
    }, org.rramctl.driver.serial.SessionSettings.defaults().withBaudRate(100_000_000));
    try (EnvelopedDriver overSerial = new EnvelopedDriver(serial, SafetyEnvelope.of(serial.info()));
         EnvelopedDriver onEmulator = new EnvelopedDriver(direct, SafetyEnvelope.of(direct.info()))) {
      AnalogLayer a = layer(overSerial);
      AnalogLayer b = layer(onEmulator);
      SplittableRandom r = new SplittableRandom(3);
      double[] x = new double[30];
      double[] d = new double[12];
      for (int step = 0; step < 20; step++) {
        for (int j = 0; j < x.length; j++) x[j] = r.nextDouble() < 0.3 ? 0 : r.nextDouble(-1, 1);
        x[29] = 1; // the bias input
        for (int i = 0; i < d.length; i++) d[i] = r.nextDouble(-0.5, 0.5);
        a.update(x, d, 0.05);
        b.update(x, d, 0.05);
      }
      long pulses = direct.status().pulsesApplied();
      assertTrue(pulses > 1000, "the updates pulsed: " + pulses);
      assertEquals(pulses, board.emulator().status().pulsesApplied(), "pulses applied on the board");
      assertArrayEquals(direct.readArray(0, Plane.ACTIVE, 0.2).siemens(), board.emulator().readArray(0, Plane.ACTIVE, 0.2).siemens(), "conductances");
    } finally {
      board.close();
    }
  }
}
