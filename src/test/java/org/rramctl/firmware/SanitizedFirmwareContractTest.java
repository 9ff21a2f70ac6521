package org.rramctl.firmware;

import java.nio.file.Path;

/**
 * The same contract against the firmware built with AddressSanitizer and UndefinedBehaviorSanitizer: any memory
 * error, leak or undefined behaviour the suite provokes in the C core fails the test when the firmware closes.
 */
class SanitizedFirmwareContractTest extends FirmwareContractTest {
  @Override
  protected Path binary() {
    return FirmwareHost.sanitizedBinary();
  }
}
