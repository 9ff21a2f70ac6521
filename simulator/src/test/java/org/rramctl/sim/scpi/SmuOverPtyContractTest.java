package org.rramctl.sim.scpi;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Boards;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;
import org.rramctl.driver.Pulse;
import org.rramctl.sim.pty.PtyTransport;

/**
 * The contract through the real stack: the SCPI driver opened by URI, jSerialComm on a pseudo-terminal,
 * and the simulated 2400 / 2600B serving the other end.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SmuOverPtyContractTest {
  abstract static class Base extends CrossbarDriverContract {
    private VirtualSmuServer server;

    abstract VirtualSmu.Model model();

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
    protected Pulse nominalUp() {
      return Pulse.up(1.0, Duration.ofMillis(1));
    }

    @Override
    protected double readVolts() {
      return 0.2;
    }

    @Override
    protected boolean hasArrays() {
      return false;
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
