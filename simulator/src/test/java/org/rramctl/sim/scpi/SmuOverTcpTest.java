package org.rramctl.sim.scpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Boards;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.transport.TcpTransport;

/** A LAN instrument: {@code scpi:tcp://host:port} to a simulated 2602B behind a raw SCPI socket. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SmuOverTcpTest {
  @Test
  void aRawScpiSocketCarriesTheSameDriver() throws Exception {
    VirtualSmu smu = new VirtualSmu(VirtualSmu.Model.K2600, SmuContractTest.smuPreset(), 3);
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<VirtualSmuServer> served = CompletableFuture.supplyAsync(() -> {
        try {
          Socket s = listener.accept();
          return new VirtualSmuServer(smu, TcpTransport.wrap(s));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      try (EnvelopedDriver d = Boards.open("scpi:tcp://127.0.0.1:" + listener.getLocalPort() + "?model=2600", null);
          VirtualSmuServer server = served.get(10, TimeUnit.SECONDS)) {
        assertEquals("keithley-2600-RRAMCTL-VIRTUAL", d.info().boardId());
        double before = d.read(Cell.active(0, 0, 0), 0.2);
        double after = d.pulseThenRead(Cell.active(0, 0, 0), Pulse.up(1.0, Duration.ofMillis(1)), 100, 0.2);
        assertTrue(after > before, "100 UP pulses raise G: " + before + " -> " + after);
        assertEquals(100, smu.pulsesApplied());
      }
      assertTrue(!smu.outputOn(0) && !smu.outputOn(1), "outputs off after close");
    }
  }
}
