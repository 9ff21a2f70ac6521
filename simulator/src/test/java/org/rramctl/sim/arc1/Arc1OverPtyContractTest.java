package org.rramctl.sim.arc1;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Boards;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;
import org.rramctl.driver.Pulse;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.pty.PtyTransport;

/**
 * The driver contract through the real stack: the {@code arc1:} driver opened by URI, jSerialComm on a
 * pseudo-terminal (parity chosen automatically: none on a pty), the virtual ArC ONE serving the other end.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class Arc1OverPtyContractTest extends CrossbarDriverContract {
  /** The virtual ArC ONE's nominal pulse and its 0.5 V read. */
  static final Specified SPECIFIED =
      new Specified(Pulse.up(VirtualArc1.NOMINAL_VOLTS, Duration.ofNanos(VirtualArc1.NOMINAL_WIDTH_NANOS)), 0.5);

  private VirtualArc1Server server;

  @Override
  protected CrossbarDriver openDriver() throws IOException {
    PtyTransport pty = PtyTransport.open();
    server = new VirtualArc1Server(new VirtualArc1(VirtualArc1.arcScale(DevicePreset.named("rram-imbalanced")), 32, 32, 5), pty);
    // No reset wait and no write delay: the virtual board restarts at once and never drops a command.
    return Boards.open("arc1:" + pty.clientPath() + "?resetWait=0&writeDelay=0&timeout=5000", null);
  }

  @AfterEach
  void stopServer() {
    if (server != null) server.close();
  }

  @Override
  protected Specified specified() {
    return SPECIFIED;
  }
}
