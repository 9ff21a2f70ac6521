package org.rramctl.protocol;

/**
 * What a board's hardware can do at most (IDENTITY and LIMITS; 24 bytes). The board refuses any command
 * beyond these with {@link ErrorCode#LIMIT_EXCEEDED} and applies nothing.
 *
 * @param maxPulseMillivolts largest pulse amplitude, u16 mV
 * @param maxReadTenthMillivolts largest read voltage magnitude, u16 in 100 uV units (at most 32767)
 * @param minPulseWidthNanos shortest pulse width, u32 ns
 * @param maxPulseWidthNanos longest pulse width, u32 ns
 * @param maxPulsesPerCommand most pulses one PULSE or PULSE_THEN_READ may ask for, u32
 * @param maxPulseRateHz highest pulse rate within a train (1e9 / period ns), u32 Hz
 * @param complianceNanoamps current compliance during pulses and reads, u32 nA
 */
public record HardwareLimits(
    int maxPulseMillivolts,
    int maxReadTenthMillivolts,
    long minPulseWidthNanos,
    long maxPulseWidthNanos,
    long maxPulsesPerCommand,
    long maxPulseRateHz,
    long complianceNanoamps) {
  public static final int BYTES = 24;

  public HardwareLimits {
    Check.range("maxPulseMillivolts", maxPulseMillivolts, 1, 0xFFFF);
    Check.range("maxReadTenthMillivolts", maxReadTenthMillivolts, 1, Short.MAX_VALUE);
    Check.range("minPulseWidthNanos", minPulseWidthNanos, 1, 0xFFFF_FFFFL);
    Check.range("maxPulseWidthNanos", maxPulseWidthNanos, minPulseWidthNanos, 0xFFFF_FFFFL);
    Check.range("maxPulsesPerCommand", maxPulsesPerCommand, 1, 0xFFFF_FFFFL);
    Check.range("maxPulseRateHz", maxPulseRateHz, 1, 0xFFFF_FFFFL);
    Check.range("complianceNanoamps", complianceNanoamps, 1, 0xFFFF_FFFFL);
  }
}
