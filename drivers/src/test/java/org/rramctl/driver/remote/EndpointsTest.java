package org.rramctl.driver.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Boards;

/**
 * Endpoint errors in words a user can act on: JeroMQ says "Errno 48" for an address in use (its BSD-style code,
 * on Linux too) and "port out of range:99999" for a bad port (issue 13 point 13).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EndpointsTest {
  @Test
  void aSecondServerOnTheSameEndpointIsToldTheAddressIsInUse() throws IOException {
    try (DriverServer first = DriverServer.start(new RecordingDriver(), ServerOptions.of("tcp://127.0.0.1:*"))) {
      IOException e = assertThrows(IOException.class, () -> DriverServer.start(new RecordingDriver(), ServerOptions.of(first.endpoint())).close());
      assertTrue(e.getMessage().endsWith(first.endpoint() + ": cannot bind (address in use: another process (another rramctl serve?) is bound to it)"),
          e.getMessage());
      assertFalse(e.getMessage().contains("Errno"), e.getMessage());
    }
  }

  @Test
  void aPortAbove65535IsRefusedWithTheRangeOnBothSides() {
    IllegalArgumentException bind = assertThrows(IllegalArgumentException.class,
        () -> DriverServer.start(new RecordingDriver(), ServerOptions.of("tcp://127.0.0.1:99999")).close());
    assertEquals("endpoint: 'tcp://127.0.0.1:99999': port '99999' (expected: 0..65535 or *)", bind.getMessage());
    IllegalArgumentException connect = assertThrows(IllegalArgumentException.class, () -> Boards.open("zmq+tcp://127.0.0.1:99999", null).close());
    assertEquals("endpoint: 'tcp://127.0.0.1:99999': port '99999' (expected: 0..65535 or *)", connect.getMessage());
    assertEquals("127.0.0.1", Endpoints.tcpHost("tcp://127.0.0.1:65535"));
  }
}
