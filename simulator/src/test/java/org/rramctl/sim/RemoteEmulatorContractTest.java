package org.rramctl.sim;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;
import org.rramctl.driver.remote.ClientOptions;
import org.rramctl.driver.remote.DriverServer;
import org.rramctl.driver.remote.RemoteDriver;
import org.rramctl.driver.remote.ServerOptions;

/**
 * The contract through two layers: RemoteDriver -> ZeroMQ over tcp loopback -> DriverServer -> emulator.
 * Every pulse of the suite is a round trip, so this also exercises thousands of requests per test.
 */
class RemoteEmulatorContractTest extends CrossbarDriverContract {
  private DriverServer server;
  private EmulatorDriver emulator;

  @Override
  protected CrossbarDriver openDriver() throws IOException {
    emulator = EmulatorDriver.open(DevicePreset.named("aihwkit-like"), List.of(new int[] {8, 6}, new int[] {4, 4}), 42);
    server = DriverServer.start(emulator, ServerOptions.of("tcp://127.0.0.1:*"));
    return RemoteDriver.open(server.endpoint(), ClientOptions.defaults().withLabel("contract"));
  }

  @AfterEach
  void stopServer() {
    // Runs before the suite's own @AfterEach: close the client first so its release reaches the server.
    if (driver != null) driver.close();
    if (server != null) server.close();
    if (emulator != null) emulator.close();
  }

  @Override
  protected Specified specified() {
    return Specified.EMULATOR;
  }
}
