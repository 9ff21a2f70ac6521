package org.rramctl.sim.board;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.transport.PipeTransport;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/**
 * The driver contract over the wire protocol to a virtual board on the "ideal" preset: the board's UPDATE
 * execution must apply exactly the coincidence counts, which identical noise-free devices make visible.
 */
class SerialBoardDriverOverPipeIdealContractTest extends CrossbarDriverContract {
  private VirtualBoard board;

  @Override
  protected CrossbarDriver openDriver() throws IOException {
    board = new VirtualBoard(new EmulatorDriver(DevicePreset.named("ideal"), List.of(new int[] {8, 6}, new int[] {4, 4}), 42),
        VirtualBoard.Config.defaults().withMaxValuesPerPart(5));
    return SerialBoardDriver.open(() -> {
      PipeTransport.Pair pair = PipeTransport.pair();
      board.serve(pair.b());
      return pair.a();
    }, Boards4Test.pipeSettings());
  }

  @AfterEach
  void closeTheBoardToo() {
    driver.close();
    board.close();
  }

  @Override
  protected boolean idealDevices() {
    return true;
  }

  @Override
  protected Pulse nominalUp() {
    return Boards4Test.NOMINAL_UP;
  }

  @Override
  protected double readVolts() {
    return Boards4Test.READ_VOLTS;
  }
}
