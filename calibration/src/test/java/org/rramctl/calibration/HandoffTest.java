package org.rramctl.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Cell;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.FileChecksums;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.sim.EmulatorDriver;

/**
 * The tail handoff follows the board's command costs ({@link Handoff}): modelled time, never the wall clock. The
 * modelled board is the serial one on a pty, its costs rounded from the timing probe there (CALIBRATION-NOTES.md): a
 * parallel pulse 0.8 ms, an array read 1 ms, a single-device pulse 0.25 ms, a single-device read 0.15 ms.
 */
class HandoffTest {
  private static final double TILE_PULSE = 0.8e-3;
  private static final double ARRAY_READ = 1.0e-3;
  private static final double DEVICE_PULSE = 0.25e-3;
  private static final double DEVICE_READ = 0.15e-3;
  private static final TimeEstimate SERIAL = new TimeEstimate(TILE_PULSE, ARRAY_READ, DEVICE_PULSE, DEVICE_READ, 0, 0);

  /** The emulator behind a board's command costs: each call adds its cost to a modelled clock. */
  private static class CostedBoard extends ForwardingDriver {
    double seconds;
    long deviceCommands;

    CostedBoard(EmulatorDriver emu) {
      super(emu);
    }

    @Override
    public double read(Cell cell, double readVolts) throws IOException {
      seconds += DEVICE_READ;
      deviceCommands++;
      return super.read(cell, readVolts);
    }

    @Override
    public void pulse(Cell cell, Pulse pulse, int count) throws IOException {
      seconds += DEVICE_PULSE;
      deviceCommands++;
      super.pulse(cell, pulse, count);
    }

    @Override
    public double pulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) throws IOException {
      seconds += DEVICE_PULSE + DEVICE_READ;
      deviceCommands++;
      return super.pulseThenRead(cell, pulse, count, readVolts);
    }

    @Override
    public ConductanceMap readArray(int array, Plane plane, double readVolts) throws IOException {
      seconds += ARRAY_READ;
      return super.readArray(array, plane, readVolts);
    }

    @Override
    public void parallelUpdate(Tile tile, Plane plane, StochasticUpdate update) throws IOException {
      seconds += TILE_PULSE;
      super.parallelUpdate(tile, plane, update);
    }
  }

  private static EmulatorDriver emulator() {
    return EmulatorDriver.open(SymmetryPointSearchTest.preset("rram-imbalanced"), List.of(new int[] {32, 32}), 7);
  }

  @Test
  void aBoardWhoseSingleDeviceCommandsCostARoundTripEachGetsNoHandoffAndSpendsLessModelledTime() throws Exception {
    CostedBoard auto = new CostedBoard(emulator());
    Tile tile = Tile.whole(auto.info().array(0));
    CalibrationSettings s = CalibrationSettings.defaults(auto.info());
    double fraction = Handoff.AUTO.fraction(auto.inProcess(), SERIAL, tile.devices(), s.sampleEveryPairs());
    assertEquals(0, fraction, "a parallel pair costs " + SERIAL.tilePairSeconds(32) + " s, a device's " + SERIAL.devicePairSeconds(32) + " s");
    TileSearch withAuto = SymmetryPointSearch.parallel(auto, tile, s.withHandoffFraction(fraction), Monitor.NONE);

    CostedBoard always = new CostedBoard(emulator());
    TileSearch withHandoff = SymmetryPointSearch.parallel(always, tile, s, Monitor.NONE);

    assertTrue(always.deviceCommands > 0, "the default settings hand off: " + always.deviceCommands + " single-device commands");
    assertEquals(0, auto.deviceCommands, "no single-device command without the handoff");
    // Measured through the serial driver: 28.9 s with the handoff, 6.6 s without (CALIBRATION-NOTES.md).
    assertTrue(auto.seconds < 0.5 * always.seconds, "modelled time " + auto.seconds + " s without the handoff, " + always.seconds + " s with it");
    // The same devices are measured, as well: the tail only changes who pulses them.
    assertEquals(count(withHandoff, SearchStatus.CONVERGED) + count(withHandoff, SearchStatus.BUDGET),
        count(withAuto, SearchStatus.CONVERGED) + count(withAuto, SearchStatus.BUDGET));
    assertTrue(count(withAuto, SearchStatus.CONVERGED) >= 0.95 * tile.devices(), "converged: " + count(withAuto, SearchStatus.CONVERGED));
  }

  /**
   * The in-process emulator is not timed (its probe runs before the JIT): it keeps the handoff at a tenth, and its results
   * bit for bit, whatever a probe said. Also through the envelope that {@code calibrate} opens boards with.
   */
  @Test
  void theInProcessEmulatorKeepsItsHandoffAndItsResultsBitForBit() throws Exception {
    try (CrossbarDriver opened = Boards.open("sim:rram-imbalanced?arrays=1&rows=32&cols=32&seed=7", null)) {
      assertTrue(opened.inProcess(), "the emulator behind the envelope");
    }
    EmulatorDriver emu = emulator();
    Tile tile = Tile.whole(emu.info().array(0));
    CalibrationSettings s = CalibrationSettings.defaults(emu.info());
    double fraction = Handoff.AUTO.fraction(emu.inProcess(), SERIAL, tile.devices(), s.sampleEveryPairs());
    assertEquals(CalibrationSettings.DEFAULT_HANDOFF_FRACTION, fraction);
    TileSearch auto = SymmetryPointSearch.parallel(emu, tile, s.withHandoffFraction(fraction), Monitor.NONE);
    TileSearch before = SymmetryPointSearch.parallel(emulator(), tile, s, Monitor.NONE);
    assertArrayEquals(before.estimateSiemens(), auto.estimateSiemens());
    assertArrayEquals(before.stdErrorSiemens(), auto.stdErrorSiemens());
    assertArrayEquals(before.pulses(), auto.pulses());
    assertArrayEquals(before.status(), auto.status());
  }

  /** Where a parallel pulse costs per device of the tile, as on the emulator, the tail pays and a board gets it too. */
  @Test
  void aBoardWhoseParallelCommandsCostPerDeviceGetsTheHandoffWhenTheTailIsCheaper() {
    int n = 1024;
    // The emulator's costs in a run: 12 ns per device of a parallel pulse, 96 ns a single-device pulse.
    TimeEstimate perDevice = new TimeEstimate(12e-9 * n, 12e-9 * n, 96e-9, 96e-9, 0, 0);
    assertEquals(CalibrationSettings.DEFAULT_HANDOFF_FRACTION, Handoff.AUTO.fraction(false, perDevice, n, 32));
    // The break-even, 102 devices (a tenth of 1,024) costing exactly one parallel pair: no handoff; a little cheaper: handoff.
    double device = perDevice.devicePairSeconds(32);
    TimeEstimate even = new TimeEstimate(102 * device / 2, 0, 96e-9, 96e-9, 0, 0);
    assertEquals(0, Handoff.AUTO.fraction(false, even, n, 32));
    TimeEstimate cheaper = new TimeEstimate(1.01 * 102 * device / 2, 0, 96e-9, 96e-9, 0, 0);
    assertEquals(CalibrationSettings.DEFAULT_HANDOFF_FRACTION, Handoff.AUTO.fraction(false, cheaper, n, 32));
    // Given outright, the probe does not matter.
    assertEquals(CalibrationSettings.DEFAULT_HANDOFF_FRACTION, Handoff.ALWAYS.fraction(false, SERIAL, n, 32));
    assertEquals(0, Handoff.NEVER.fraction(true, perDevice, n, 32));
  }

  @Test
  void theWordIsParsedAndAnythingElseIsRefusedNamingTheAllowedOnes() {
    assertEquals(Handoff.NEVER, Handoff.parse("--handoff", "Never"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Handoff.parse("--handoff", "sometimes"));
    assertEquals("--handoff: 'sometimes' (allowed: auto, always, never)", e.getMessage());
    IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> CalibrationSettings.defaults(emulator().info()).withHandoffFraction(1.5));
    assertTrue(f.getMessage().startsWith("handoffFraction: 1.5 (expected: "), f.getMessage());
  }

  /**
   * {@code train} calibrating first decides as {@code calibrate} does ({@link Handoff#decided}): a board that is not
   * in-process is timed (here on the modelled clock, so the probe reads the serial costs exactly) and gets no handoff; an
   * in-process one gets a tenth without a pulse; the per-device mode is left alone.
   */
  @Test
  void aRunWithoutTheCommandDecidesTheSameWayFromItsOwnProbe() throws Exception {
    CostedBoard board = new CostedBoard(emulator());
    List<Tile> tiles = List.of(Tile.whole(board.info().array(0)));
    CalibrationSettings s = CalibrationSettings.defaults(board.info());
    CalibrationSettings decided = Handoff.decided(board, tiles, s, Calibration.Mode.PARALLEL, () -> Math.round(board.seconds * 1e9));
    assertEquals(s.withHandoffFraction(0), decided, "only the handoff changes");
    assertTrue(board.seconds > 0, "the board was timed");

    CostedBoard inProcess = new CostedBoard(emulator()) {
      @Override
      public boolean inProcess() {
        return true;
      }
    };
    CalibrationSettings never = s.withHandoffFraction(0);
    assertEquals(s, Handoff.decided(inProcess, tiles, never, Calibration.Mode.PARALLEL, () -> Math.round(inProcess.seconds * 1e9)));
    assertEquals(0, inProcess.seconds, "an in-process driver is not probed");

    CostedBoard perDevice = new CostedBoard(emulator());
    assertSame(s, Handoff.decided(perDevice, tiles, s, Calibration.Mode.PER_DEVICE, () -> Math.round(perDevice.seconds * 1e9)));
    assertEquals(0, perDevice.seconds, "no probe for the per-device mode");
  }

  /** The record says which handoff its run had; one written before it was a setting reads as the only one there was. */
  @Test
  void theRecordKeepsTheHandoffAndAnOlderRecordReadsAsATenth(@TempDir Path dir) throws Exception {
    EmulatorDriver emu = EmulatorDriver.open(SymmetryPointSearchTest.preset("rram-imbalanced"), List.of(new int[] {4, 4}), 3);
    CalibrationSettings s = CalibrationSettings.defaults(emu.info()).withFit(0, 2, 0).withHandoffFraction(0);
    CalibrationRecord rec = Calibration.run(emu, List.of(new Tile(0, 0, 0, 2, 2)), s, Calibration.Mode.PARALLEL, Monitor.NONE);
    Path file = dir.resolve("cal.json");
    CalibrationRecords.write(rec, file);
    assertEquals(0, CalibrationRecords.read(file).settings().handoffFraction());

    ObjectMapper m = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    ObjectNode tree = (ObjectNode) m.readTree(FileChecksums.openJson(file, Files.readAllBytes(file)).content());
    assertTrue(((ObjectNode) tree.get("settings")).remove("handoffFraction") != null, "the record names its handoff");
    Path old = dir.resolve("old.json");
    Files.write(old, FileChecksums.sealJson(m.writeValueAsBytes(tree)));
    assertEquals(CalibrationSettings.DEFAULT_HANDOFF_FRACTION, CalibrationRecords.read(old).settings().handoffFraction());
  }

  private static int count(TileSearch r, SearchStatus status) {
    int c = 0;
    for (SearchStatus x : r.status()) if (x == status) c++;
    return c;
  }
}
