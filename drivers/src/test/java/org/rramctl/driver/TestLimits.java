package org.rramctl.driver;

/** Limits shared by the drivers module's test boards. */
public final class TestLimits {
  private TestLimits() {}

  /** The emulator's hardware limits (EmulatorDriver.HARDWARE_LIMITS, which this module cannot see). */
  public static final Limits EMULATOR_LIKE = Limits.builder()
      .maxPulseVolts(3.0)
      .maxReadVolts(0.5)
      .minPulseWidthNanos(10)
      .maxPulseWidthNanos(10_000_000)
      .maxPulsesPerCommand(100_000)
      .maxPulseRateHz(50e6)
      .complianceAmps(1e-3)
      .build();
}
