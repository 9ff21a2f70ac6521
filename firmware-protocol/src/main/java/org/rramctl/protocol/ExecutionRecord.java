package org.rramctl.protocol;

/**
 * What a board remembers about one device-changing command it executed (EXECUTED response; 10 bytes):
 * sequence u16, opcode u8, outcome u8, error u16, pulses applied u32 (for SOURCE and SWEEP: levels applied).
 */
public record ExecutionRecord(int sequence, Opcode opcode, Outcome outcome, ErrorCode error, long pulsesApplied) {
  public static final int BYTES = 10;

  public ExecutionRecord {
    Check.range("sequence", sequence, 0, 0xFFFF);
    if (opcode == null || !opcode.changesDevices()) {
      throw new IllegalArgumentException("opcode: " + opcode + " (expected: PULSE, PULSE_THEN_READ, UPDATE, SOURCE or SWEEP)");
    }
    Check.notNull("outcome", outcome);
    Check.notNull("error", error);
    Check.range("pulsesApplied", pulsesApplied, 0, 0xFFFF_FFFFL);
  }
}
