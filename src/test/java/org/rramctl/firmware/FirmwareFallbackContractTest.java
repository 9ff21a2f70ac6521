package org.rramctl.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rramctl.driver.Capability;

/**
 * The contract against a board that executes only single-device commands: the C firmware told to leave every vector
 * and streamed command to the host (IDENTITY's nativeOps says so; the board would answer UNSUPPORTED), so the serial
 * driver composes row, column and array reads, vector reads, pulse-then-read and the parallel update from READ and
 * PULSE, as it must for a minimal lab board.
 */
class FirmwareFallbackContractTest extends FirmwareContractTest {
  @Override
  protected List<String> firmwareOptions() {
    List<String> o = new ArrayList<>(super.firmwareOptions());
    o.addAll(List.of("--unsupported", "pulse_then_read,read_row,read_column,read_array,forward_read,transpose_read,update"));
    return o;
  }

  @Test
  void theBoardExecutesOnlySingleDeviceCommands() {
    EnumSet<Capability> vector = EnumSet.of(Capability.PULSE_THEN_READ, Capability.READ_ROW, Capability.READ_COLUMN, Capability.READ_ARRAY,
        Capability.FORWARD_READ, Capability.TRANSPOSE_READ, Capability.PARALLEL_UPDATE);
    for (Capability c : vector) assertEquals(false, info.supportsNatively(c), c + " is left to the host");
    assertEquals(true, info.supportsNatively(Capability.READ) && info.supportsNatively(Capability.PULSE), "READ and PULSE are native");
  }
}
