package org.rramctl.sim.board;

import java.util.List;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/**
 * The driver contract over the wire protocol to a virtual board on the "ideal" preset: the board's UPDATE
 * execution must apply exactly the coincidence counts, which identical noise-free devices make visible.
 */
class SerialBoardDriverOverPipeIdealContractTest extends SerialBoardDriverOverPipeContractTest {
  @Override
  VirtualBoard newBoard() {
    return new VirtualBoard(EmulatorDriver.open(DevicePreset.named("ideal"), List.of(new int[] {8, 6}, new int[] {4, 4}), 42),
        VirtualBoard.Config.defaults().withMaxValuesPerPart(5));
  }

  @Override
  protected boolean idealDevices() {
    return true;
  }
}
