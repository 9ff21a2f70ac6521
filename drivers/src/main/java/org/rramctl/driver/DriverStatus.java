package org.rramctl.driver;

/**
 * A driver's state.
 *
 * @param outputsIdle true when every output is at the idle (0 V, disconnected) state
 * @param aborted true when the last operation ended by {@link CrossbarDriver#abort()}
 * @param pulsesApplied pulses applied to devices since the driver was opened
 * @param lastError the last error the board reported, or empty
 */
public record DriverStatus(boolean outputsIdle, boolean aborted, long pulsesApplied, String lastError) {}
