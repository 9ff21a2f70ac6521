package org.rramctl.driver.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.rramctl.driver.BoardUri;
import org.rramctl.driver.Boards;
import org.rramctl.driver.DriverProvider;

class SerialDriverProviderTest {
  @Test
  void theProviderIsRegisteredForSerialAndTcp() {
    DriverProvider p = Boards.providers().stream().filter(x -> x instanceof SerialDriverProvider).findFirst().orElseThrow();
    assertEquals(java.util.List.of("serial", "tcp"), p.schemes());
  }

  @Test
  void uriOptionsBecomeSessionSettings() {
    SessionSettings s = SerialDriverProvider.settings(BoardUri.parse("serial:/dev/ttyACM0?baud=921600&timeout=250"));
    assertEquals(921_600, s.baudRate());
    assertEquals(Duration.ofMillis(250), s.responseTimeout());
  }

  @Test
  void badUrisAreRefusedNamingThePartAtFault() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SerialDriverProvider.opener(BoardUri.parse("serial:/dev/ttyACM0?bauds=9600")));
    assertTrue(e.getMessage().contains("unknown parameter 'bauds'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SerialDriverProvider.opener(BoardUri.parse("serial:/dev/ttyACM0?dtr=maybe")));
    assertTrue(e.getMessage().contains("dtr=maybe (expected: clear or keep)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SerialDriverProvider.opener(BoardUri.parse("tcp://localhost:99999")));
    assertTrue(e.getMessage().contains("port '99999' (expected: 1..65535)"), e.getMessage());
  }

  @Test
  void aDeviceChangingSequenceNumberIsNeverReusedWithinTheLast32() {
    // The package-private allocator of a session whose threads never start.
    java.util.Set<Integer> recent = new java.util.HashSet<>();
    java.util.ArrayDeque<Integer> order = new java.util.ArrayDeque<>();
    // 70,000 allocations wrap the 16-bit counter; none may hit one of the previous 32 device-changing numbers.
    BoardSession probe = new BoardSession(org.rramctl.driver.transport.PipeTransport.pair().a(), SessionSettings.defaults());
    for (int i = 0; i < 70_000; i++) {
      boolean device = i % 3 == 0;
      int seq = probe.nextSequence(device);
      assertTrue(!recent.contains(seq), "sequence " + seq + " reused within the last 32 device-changing commands");
      if (device) {
        recent.add(seq);
        order.addLast(seq);
        if (order.size() > 32) recent.remove(order.removeFirst());
      }
    }
  }
}
