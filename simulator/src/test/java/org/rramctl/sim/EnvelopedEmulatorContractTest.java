package org.rramctl.sim;

import java.io.IOException;
import org.rramctl.driver.Boards;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;

/** The emulator as users get it: opened by URI, behind the safety envelope, with the imbalanced preset. */
class EnvelopedEmulatorContractTest extends CrossbarDriverContract {
  @Override
  protected CrossbarDriver openDriver() throws IOException {
    return Boards.open("sim:rram-imbalanced?arrays=2&rows=6&cols=5&seed=3", null);
  }

  @Override
  protected Specified specified() {
    return Specified.EMULATOR;
  }
}
