package org.rramctl.sim.board;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.protocol.CellAddress;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.Outcome;
import org.rramctl.protocol.PulseShape;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.TileAddress;
import org.rramctl.protocol.WirePlane;
import org.rramctl.protocol.WirePolarity;
import org.rramctl.sim.EmulatorDriver;

/**
 * {@link CommandExecutor} on its own (not real time), with a scripted {@link CommandExecutor.Link} that records every
 * intermediate frame and says "stopping" from a chosen check on: where a command looks for a stop (before a train,
 * before each part, before each level and after the last), how it streams parts, what it applies, and its result.
 * Results are compared with a twin emulator of the same seed driven directly.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CommandExecutorTest {
  private static final CellAddress CELL = new CellAddress(0, WirePlane.ACTIVE, 1, 2);
  private static final Cell DRIVER_CELL = Cell.active(0, 1, 2);
  private static final PulseShape NOMINAL = new PulseShape(1000, 100, 200);

  /** Records the frames sent before the last; {@code stopping()} answers true from its call number {@code stopAt} (1-based) on. */
  static final class ScriptedLink implements CommandExecutor.Link {
    final List<Response> sent = new ArrayList<>();
    int stopAt = Integer.MAX_VALUE;
    int asked;

    @Override
    public void reply(int sequence, Response r) {
      assertEquals(7, sequence, "intermediate frames carry the command's sequence");
      sent.add(r);
    }

    @Override
    public boolean stopping() {
      return ++asked >= stopAt;
    }
  }

  private static EmulatorDriver emulator() {
    return Boards4Test.emulator(7);
  }

  private static CommandExecutor executor(EmulatorDriver emu, int perPart, ScriptedLink link) {
    return new CommandExecutor(emu, VirtualBoard.Config.defaults().withMaxValuesPerPart(perPart), 1e-9f, link);
  }

  private static CommandExecutor.Result run(CommandExecutor x, EmulatorDriver emu, Command c) {
    return x.execute(new Job(7, c, null, emu));
  }

  @Test
  void aPulseThenReadAppliesItsTrainBeforeTheRead() throws Exception {
    EmulatorDriver emu = emulator();
    EmulatorDriver twin = emulator();
    ScriptedLink link = new ScriptedLink();
    CommandExecutor.Result r = run(executor(emu, 5, link), emu, new Command.PulseThenRead(CELL, WirePolarity.UP, NOMINAL, 20, 2000));

    assertEquals(Outcome.COMPLETED, r.outcome());
    assertEquals(20, r.pulsesApplied());
    twin.pulse(DRIVER_CELL, new Pulse(Polarity.UP, 1.0, 100, 200), 20);
    assertEquals(twin.truth().weight(DRIVER_CELL), emu.truth().weight(DRIVER_CELL), "the device after the train");
    assertInstanceOf(Response.Conductance.class, r.last());
    assertEquals(List.of(), link.sent);
  }

  @Test
  void aStopSeenBeforeATrainAppliesNothing() {
    EmulatorDriver emu = emulator();
    double before = emu.truth().weight(DRIVER_CELL);
    ScriptedLink link = new ScriptedLink();
    link.stopAt = 1;
    Command.Pulse pulse = new Command.Pulse(CELL, WirePolarity.UP, NOMINAL, 20);
    CommandExecutor.Result r = run(executor(emu, 5, link), emu, pulse);

    assertEquals(Outcome.ABORTED, r.outcome());
    assertEquals(ErrorCode.ABORTED, r.failure());
    assertEquals(0, r.pulsesApplied());
    assertEquals(before, emu.truth().weight(DRIVER_CELL), "nothing reached the device");
    assertEquals(new Response.Error(ErrorCode.ABORTED, pulse.opcode().code(), "stopped after 0 pulses; outputs idle"), r.last());
  }

  @Test
  void aSourceLooksForAStopFirstAndReportsWhetherTheCurrentWasLimited() throws Exception {
    EmulatorDriver emu = emulator();
    EmulatorDriver twin = emulator();
    ScriptedLink link = new ScriptedLink();
    CommandExecutor x = executor(emu, 5, link);

    CommandExecutor.Result free = run(x, emu, new Command.Source(CELL, 100, 1000, 100_000));
    double amps = twin.source(DRIVER_CELL, 0.1, 1000, 100_000 * 1e-9);
    assertEquals(new Response.Measured((float) amps, false), free.last(), "0.1 V on a device of at most 100 uS: at most 10 uA");
    assertEquals(1, free.pulsesApplied());

    CommandExecutor.Result held = run(x, emu, new Command.Source(CELL, 100, 1000, 1));
    assertEquals(new Response.Measured((float) twin.source(DRIVER_CELL, 0.1, 1000, 1e-9), true), held.last(), "held at 1 nA");

    link.stopAt = link.asked + 1;
    CommandExecutor.Result stopped = run(x, emu, new Command.Source(CELL, 100, 1000, 100_000));
    assertEquals(Outcome.ABORTED, stopped.outcome());
    assertEquals(0, stopped.pulsesApplied());
  }

  @Test
  void aSweepStreamsItsPointsInPartsOfTheConfiguredSize() throws Exception {
    EmulatorDriver emu = emulator();
    EmulatorDriver twin = emulator();
    ScriptedLink link = new ScriptedLink();
    short[] levels = {100, 200, 300, -100, -200, -300};
    CommandExecutor.Result r = run(executor(emu, 3, link), emu, new Command.Sweep(CELL, 1000, 0, 10_000, levels));

    float[] amps = new float[levels.length];
    boolean[] held = new boolean[levels.length];
    for (int k = 0; k < levels.length; k++) {
      double i = twin.source(DRIVER_CELL, levels[k] / 1000.0, 1000, 10_000 * 1e-9);
      amps[k] = (float) i;
      held[k] = Math.abs(i) == 10_000 * 1e-9; // the emulator returns the compliance itself when it holds the current
    }
    assertEquals(Outcome.COMPLETED, r.outcome());
    assertEquals(6, r.pulsesApplied());
    assertEquals(1, link.sent.size(), "six points in parts of three: one part sent, the last one is the answer");
    Response.SweepPoints first = assertInstanceOf(Response.SweepPoints.class, link.sent.get(0));
    Response.SweepPoints last = assertInstanceOf(Response.SweepPoints.class, r.last());
    assertEquals(List.of(0, true, 0), List.of(first.part(), first.more(), first.first()));
    assertEquals(List.of(1, false, 3), List.of(last.part(), last.more(), last.first()));
    assertArrayEquals(new float[] {amps[0], amps[1], amps[2]}, first.amps());
    assertArrayEquals(new float[] {amps[3], amps[4], amps[5]}, last.amps());
    assertArrayEquals(new boolean[] {held[0], held[1], held[2]}, first.atCompliance());
    assertArrayEquals(new boolean[] {held[3], held[4], held[5]}, last.atCompliance());
  }

  @Test
  void aSweepLooksForAStopBeforeEachLevelAndAfterTheLast() {
    EmulatorDriver emu = emulator();
    for (int stopAt = 1; stopAt <= 4; stopAt++) {
      ScriptedLink link = new ScriptedLink();
      link.stopAt = stopAt;
      CommandExecutor.Result r = run(executor(emu, 5, link), emu, new Command.Sweep(CELL, 1000, 0, 100_000, new short[] {100, 200, 300}));
      assertEquals(Outcome.ABORTED, r.outcome(), "stop at check " + stopAt);
      assertEquals(stopAt - 1, r.pulsesApplied(), "levels run before the stop at check " + stopAt);
      assertEquals(stopAt, link.asked);
    }
  }

  @Test
  void aStreamedReadLooksForAStopBeforeEachPart() {
    EmulatorDriver emu = emulator();
    // a row of 6 in parts of 2: three parts
    ScriptedLink all = new ScriptedLink();
    CommandExecutor.Result r = run(executor(emu, 2, all), emu, new Command.ReadRow(0, WirePlane.ACTIVE, 1, 2000));
    assertEquals(Outcome.COMPLETED, r.outcome());
    assertEquals(2, all.sent.size());
    assertEquals(List.of(4L, false), List.of(assertInstanceOf(Response.Conductances.class, r.last()).first(), ((Response.Conductances) r.last()).more()));

    ScriptedLink stopped = new ScriptedLink();
    stopped.stopAt = 2;
    r = run(executor(emu, 2, stopped), emu, new Command.ReadRow(0, WirePlane.ACTIVE, 1, 2000));
    assertEquals(Outcome.ABORTED, r.outcome());
    assertEquals(1, stopped.sent.size(), "the first part left before the stop");
  }

  @Test
  void anUpdateAppliesEveryCoincidenceOfNonContiguousStreamsWithTheirSigns() throws Exception {
    EmulatorDriver emu = emulator();
    EmulatorDriver twin = emulator();
    // rows 0b101 (+) and 0b110 (-), columns 0b011 (+) and 0b100 (+): slot 0 fires row 0 x column 0, slot 1 row 1 x
    // column 0, slot 2 both rows x column 1: 4 coincidences, one per device
    long[] rows = {0b101, -0b110};
    long[] cols = {0b011, 0b100};
    TileAddress t = new TileAddress(0, 2, 1, 2, 2);
    ScriptedLink link = new ScriptedLink();
    CommandExecutor.Result r = run(executor(emu, 5, link), emu, new Command.Update(t, WirePlane.ACTIVE, 8, NOMINAL, NOMINAL, rows, cols));

    assertEquals(Outcome.COMPLETED, r.outcome());
    assertEquals(4, r.pulsesApplied());
    assertEquals(new Response.UpdateProgress(0, false, 8, 4), r.last());
    Pulse up = new Pulse(Polarity.UP, 1.0, 100, 200);
    Pulse down = new Pulse(Polarity.DOWN, 1.0, 100, 200);
    twin.parallelUpdate(new Tile(0, 2, 1, 2, 2), Plane.ACTIVE,
        new StochasticUpdate(8, new long[] {0b101, 0b110}, new byte[] {1, -1}, new long[] {0b011, 0b100}, new byte[] {1, 1}, up, down));
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        Cell c = Cell.active(0, 2 + i, 1 + j);
        assertEquals(twin.truth().weight(c), emu.truth().weight(c), "device " + c);
      }
    }
    assertNotEquals(emulator().truth().weight(Cell.active(0, 3, 1)), emu.truth().weight(Cell.active(0, 3, 1)), "the update moved the devices");
  }

  @Test
  void anUpdateWithASilentColumnAppliesNothing() throws Exception {
    EmulatorDriver emu = emulator();
    double before = emu.truth().weight(Cell.active(0, 0, 0));
    CommandExecutor.Result r = run(executor(emu, 5, new ScriptedLink()), emu,
        new Command.Update(new TileAddress(0, 0, 0, 1, 1), WirePlane.ACTIVE, 8, NOMINAL, NOMINAL, new long[] {0b0101}, new long[] {0}));
    assertEquals(new Response.UpdateProgress(0, false, 8, 0), r.last());
    assertEquals(before, emu.truth().weight(Cell.active(0, 0, 0)));
  }

  @Test
  void whatTheEmulatorRefusesIsAHardwareFault() {
    EmulatorDriver emu = emulator();
    // the validator would have refused this address; run directly, the emulator does
    CommandExecutor.Result r = run(executor(emu, 5, new ScriptedLink()), emu, new Command.Read(new CellAddress(0, WirePlane.ACTIVE, 9, 0), 2000));
    assertEquals(Outcome.FAILED, r.outcome());
    assertEquals(ErrorCode.HARDWARE_FAULT, r.failure());
    Response.Error e = assertInstanceOf(Response.Error.class, r.last());
    assertEquals(ErrorCode.HARDWARE_FAULT, e.code());
    assertTrue(e.detail().contains("9"), e.detail());
    assertFalse(e.detail().isEmpty());
  }
}
