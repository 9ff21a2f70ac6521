package org.rramctl.sim.board;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.driver.transport.SerialPortTransport;
import org.rramctl.sim.pty.PtyTransport;

/**
 * The driver contract over the path a real board takes: jSerialComm opens a real pseudo-terminal (through
 * a symlink, as a user would type {@code --board serial:/tmp/board}) and a virtual board serves its master.
 */
class SerialBoardDriverOverPtyContractTest extends CrossbarDriverContract {
  @TempDir Path dir;
  private VirtualBoard board;

  @Override
  protected CrossbarDriver openDriver() throws IOException {
    board = Boards4Test.board(42);
    PtyTransport pty = PtyTransport.open(dir.resolve("board"));
    board.serve(pty);
    String path = pty.clientPath();
    return SerialBoardDriver.open(() -> SerialPortTransport.open(path, 115_200), SessionSettings.defaults());
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
