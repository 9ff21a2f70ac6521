package org.rramctl.sim.scpi;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Boards;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.sim.pty.PtyTransport;

/**
 * The contract through the real stack: the SCPI driver opened by URI, jSerialComm on a pseudo-terminal,
 * and the simulated 2400 / 2600B serving the other end.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SmuOverPtyContractTest {
  /** The in-memory suite's board facts, with the instrument behind a real pty instead. */
  abstract static class Base extends SmuContractTest.Base {
    private VirtualSmuServer server;

    @Override
    protected CrossbarDriver openDriver() throws IOException {
      PtyTransport pty = PtyTransport.open();
      server = new VirtualSmuServer(new VirtualSmu(model(), SmuContractTest.smuPreset(), 5), pty);
      return Boards.open("scpi:serial:" + pty.clientPath() + "?model=auto&compliance=1e-3", null);
    }

    @AfterEach
    void stopServer() {
      if (server != null) server.close();
    }

    @Override
    protected int pairsToSettle() {
      // Each pair is two round trips of two lines over the pty; 2000 pairs are 4-5 time constants here.
      return 2000;
    }
  }

  @Nested
  class Keithley2400 extends Base {
    @Override
    VirtualSmu.Model model() {
      return VirtualSmu.Model.K2400;
    }
  }

  @Nested
  class Keithley2600 extends Base {
    @Override
    VirtualSmu.Model model() {
      return VirtualSmu.Model.K2600;
    }
  }
}
