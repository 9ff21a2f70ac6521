package org.rramctl.sim.board;

import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.transport.PipeTransport;

/** The driver contract, met by the serial driver talking the wire protocol to a virtual board through an in-memory pipe. */
class SerialBoardDriverOverPipeContractTest extends CrossbarDriverContract {
  private VirtualBoard board;

  /** The board behind the pipe. */
  VirtualBoard newBoard() {
    return Boards4Test.board(42);
  }

  @Override
  protected CrossbarDriver openDriver() throws IOException {
    board = newBoard();
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
  protected Specified specified() {
    return Specified.EMULATOR;
  }
}
