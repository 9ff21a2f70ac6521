package org.rramctl.driver.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A bad response timeout is named in the project's duration syntax, not Java's "PT-0.001S" (issue 13 point 13). */
class SessionSettingsTest {
  @Test
  void aTimeoutUnderOneMillisecondIsRefusedInTheDurationSyntaxUsersType() {
    assertEquals("responseTimeout: -1ms (expected: at least 1ms)",
        assertThrows(IllegalArgumentException.class, () -> SessionSettings.defaults().withResponseTimeout(Duration.ofMillis(-1))).getMessage());
    assertEquals("responseTimeout: 500us (expected: at least 1ms)",
        assertThrows(IllegalArgumentException.class, () -> SessionSettings.defaults().withResponseTimeout(Duration.ofNanos(500_000))).getMessage());
  }
}
