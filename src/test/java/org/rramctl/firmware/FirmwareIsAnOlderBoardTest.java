package org.rramctl.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.Capability;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.driver.transport.SerialPortTransport;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunDirectory;
import org.rramctl.procedure.Procedures;
import org.rramctl.procedure.Runner;

/**
 * The reference firmware in C speaks protocol version 1 (no SOURCE or SWEEP), so it is the "older board" of the version
 * window: a host offering 1..2 settles on version 1 with it, the contract suite runs as before (FirmwareContractTest),
 * the driver declares no source-measure role, and form and iv are refused by name before anything is sent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FirmwareIsAnOlderBoardTest {
  @TempDir Path dir;

  @Test
  void aHostOfferingVersions1To2SpeaksVersion1WithItAndRefusesFormAndIvByName() throws Exception {
    try (FirmwareHost firmware = FirmwareHost.start(FirmwareHost.binary(), dir, "--geometry", "4x4", "--seed", "5", "--watchdog", "10000")) {
      String path = firmware.pty().toString();
      try (SerialBoardDriver d = SerialBoardDriver.open(() -> SerialPortTransport.open(path, 115_200), SessionSettings.defaults())) {
        assertEquals(1, d.info().protocolVersion());
        assertEquals(1, d.session().protocolVersion());
        assertFalse(d.info().supportsNatively(Capability.SOURCE_MEASURE));
        assertTrue(d.sourceMeasure().isEmpty());
        Runner runner = new Runner(new RunDirectory(dir.resolve("runs")), d, "serial:" + path);
        long sent = d.session().bytesSent();
        for (String p : new String[] {"form", "iv"}) {
          IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
              () -> runner.run(Procedures.of(p, (ObjectNode) Json.MAPPER.readTree("{}"))));
          assertTrue(x.getMessage().startsWith(p + ": board " + d.info().boardId() + " (") && x.getMessage().contains(", protocol 1) has no source-measure"),
              x.getMessage());
        }
        assertEquals(sent, d.session().bytesSent(), "nothing sent for the refused runs");
        assertTrue(d.read(org.rramctl.driver.Cell.active(0, 1, 1), 0.2) >= 0, "the board still serves version-1 commands");
      }
    }
  }
}
