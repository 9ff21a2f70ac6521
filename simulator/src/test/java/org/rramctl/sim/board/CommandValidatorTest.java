package org.rramctl.sim.board;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Capability;
import org.rramctl.driver.TestLimits;
import org.rramctl.protocol.CellAddress;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.HardwareLimits;
import org.rramctl.protocol.PulseShape;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.TileAddress;
import org.rramctl.protocol.WirePlane;
import org.rramctl.protocol.WirePolarity;
import org.rramctl.protocol.WireReadMode;

/**
 * What the virtual board refuses before touching an output (PROTOCOL.md 6.1), at each edge: the last address on the
 * board runs and the next is OUT_OF_RANGE, the value at each hardware limit runs and the next is LIMIT_EXCEEDED,
 * addresses are judged before limits, and the detail names the field and the allowed range.
 */
class CommandValidatorTest {
  /** Array 0: 4 x 5 with a reference plane; array 1: 3 x 3 without. */
  private static final BoardInfo BOARD = new BoardInfo("validator-test", "test", "1", 1,
      List.of(new ArrayGeometry(0, 4, 5, true), new ArrayGeometry(1, 3, 3, false)), TestLimits.EMULATOR_LIKE, 14, 1e-6, 1e-4,
      EnumSet.allOf(Capability.class));
  /** 3 V pulses, 0.5 V reads, widths 10 ns .. 10 ms, 40 pulses per command, 50 MHz. */
  private static final HardwareLimits LIMITS = new HardwareLimits(3000, 5000, 10, 10_000_000, 40, 50_000_000, 1_000_000);
  private static final CommandValidator VALIDATOR = new CommandValidator(BOARD, LIMITS);
  private static final PulseShape OK = new PulseShape(1000, 100, 200);

  private static CellAddress cell(int array, WirePlane plane, int row, int col) {
    return new CellAddress(array, plane, row, col);
  }

  private static void runs(Command c) {
    assertEquals(Optional.empty(), VALIDATOR.refusal(c), c.toString());
  }

  private static void refused(ErrorCode code, String detail, Command c) {
    Optional<Response.Error> e = VALIDATOR.refusal(c);
    assertEquals(Optional.of(new Response.Error(code, c.opcode().code(), detail)), e, c.toString());
  }

  private static void outOfRange(String detail, Command c) {
    refused(ErrorCode.OUT_OF_RANGE, detail, c);
  }

  private static void overLimit(String detail, Command c) {
    refused(ErrorCode.LIMIT_EXCEEDED, detail, c);
  }

  @Test
  void singleDeviceAddressesRunUpToTheLastRowAndColumnOfTheirArray() {
    runs(new Command.Read(cell(0, WirePlane.REFERENCE, 3, 4), 100));
    runs(new Command.Pulse(cell(1, WirePlane.ACTIVE, 2, 2), WirePolarity.UP, OK, 1));
    outOfRange("row: 4 (expected: 0..3)", new Command.Read(cell(0, WirePlane.ACTIVE, 4, 0), 100));
    outOfRange("col: 5 (expected: 0..4)", new Command.Pulse(cell(0, WirePlane.ACTIVE, 0, 5), WirePolarity.UP, OK, 1));
    outOfRange("array: 2 (expected: 0..1)", new Command.PulseThenRead(cell(2, WirePlane.ACTIVE, 0, 0), WirePolarity.DOWN, OK, 1, 100));
    outOfRange("plane: REFERENCE (expected: ACTIVE; array 1 has no reference)", new Command.Read(cell(1, WirePlane.REFERENCE, 0, 0), 100));
    // an address is judged before the limits
    outOfRange("row: 4 (expected: 0..3)", new Command.Read(cell(0, WirePlane.ACTIVE, 4, 0), 9000));
  }

  @Test
  void rowColumnAndArrayReadsCheckTheirPlaneAndIndex() {
    runs(new Command.ReadRow(0, WirePlane.REFERENCE, 3, 100));
    outOfRange("row: 4 (expected: 0..3)", new Command.ReadRow(0, WirePlane.ACTIVE, 4, 100));
    outOfRange("plane: REFERENCE (expected: ACTIVE; array 1 has no reference)", new Command.ReadRow(1, WirePlane.REFERENCE, 0, 100));
    runs(new Command.ReadColumn(0, WirePlane.ACTIVE, 4, 100));
    outOfRange("col: 5 (expected: 0..4)", new Command.ReadColumn(0, WirePlane.ACTIVE, 5, 100));
    outOfRange("array: 2 (expected: 0..1)", new Command.ReadColumn(2, WirePlane.ACTIVE, 0, 100));
    runs(new Command.ReadArray(0, WirePlane.REFERENCE, 100));
    runs(new Command.ReadArray(1, WirePlane.ACTIVE, 100));
    outOfRange("plane: REFERENCE (expected: ACTIVE; array 1 has no reference)", new Command.ReadArray(1, WirePlane.REFERENCE, 100));
  }

  @Test
  void tilesMayEndOnTheLastRowAndColumnAndVectorReadsOfReferencesNeedThePlane() {
    runs(new Command.ForwardRead(new TileAddress(0, 2, 3, 2, 2), WireReadMode.DIFFERENTIAL, new short[2]));
    outOfRange("tile rows: 3+2 (expected: <= 4)", new Command.ForwardRead(new TileAddress(0, 3, 0, 2, 2), WireReadMode.ACTIVE, new short[2]));
    outOfRange("tile cols: 4+2 (expected: <= 5)", new Command.TransposeRead(new TileAddress(0, 0, 4, 2, 2), WireReadMode.ACTIVE, new short[2]));
    runs(new Command.TransposeRead(new TileAddress(1, 0, 0, 3, 3), WireReadMode.ACTIVE, new short[3]));
    outOfRange("plane: REFERENCE (expected: ACTIVE; array 1 has no reference)",
        new Command.TransposeRead(new TileAddress(1, 0, 0, 3, 3), WireReadMode.REFERENCE, new short[3]));
    outOfRange("plane: REFERENCE (expected: ACTIVE; array 1 has no reference)",
        new Command.ForwardRead(new TileAddress(1, 0, 0, 1, 1), WireReadMode.DIFFERENTIAL, new short[1]));
    outOfRange("tile rows: 1+3 (expected: <= 3)", update(new TileAddress(1, 1, 0, 3, 1), WirePlane.ACTIVE, 1, OK, OK));
    outOfRange("plane: REFERENCE (expected: ACTIVE; array 1 has no reference)", update(new TileAddress(1, 0, 0, 1, 1), WirePlane.REFERENCE, 1, OK, OK));
  }

  private static Command.Update update(TileAddress t, WirePlane plane, int bitLength, PulseShape up, PulseShape down) {
    return new Command.Update(t, plane, bitLength, up, down, new long[t.rows()], new long[t.cols()]);
  }

  @Test
  void readVoltagesRunUpToTheLimitInEitherSign() {
    runs(new Command.Read(cell(0, WirePlane.ACTIVE, 0, 0), 5000));
    overLimit("readVoltage: 5001 x 100 uV (expected: 1..5000)", new Command.Read(cell(0, WirePlane.ACTIVE, 0, 0), 5001));
    overLimit("readVoltage: 5001 x 100 uV (expected: 1..5000)", new Command.ReadRow(0, WirePlane.ACTIVE, 0, 5001));
    overLimit("readVoltage: 5001 x 100 uV (expected: 1..5000)", new Command.ReadColumn(0, WirePlane.ACTIVE, 0, 5001));
    overLimit("readVoltage: 5001 x 100 uV (expected: 1..5000)", new Command.ReadArray(0, WirePlane.ACTIVE, 5001));
    TileAddress t = new TileAddress(0, 0, 0, 2, 2);
    runs(new Command.ForwardRead(t, WireReadMode.ACTIVE, new short[] {5000, -5000}));
    overLimit("v[1]: -5001 x 100 uV (expected: |v| <= 5000)", new Command.ForwardRead(t, WireReadMode.ACTIVE, new short[] {0, -5001}));
    overLimit("v[0]: 5001 x 100 uV (expected: |v| <= 5000)", new Command.TransposeRead(t, WireReadMode.ACTIVE, new short[] {5001, 0}));
  }

  @Test
  void pulseShapesCountsAndBitLengthsRunUpToEachLimit() {
    CellAddress c = cell(0, WirePlane.ACTIVE, 1, 1);
    runs(new Command.Pulse(c, WirePolarity.UP, new PulseShape(3000, 10, 20), 40)); // every limit reached, none passed
    runs(new Command.Pulse(c, WirePolarity.UP, new PulseShape(1000, 10_000_000, 20_000_000), 1));
    overLimit("shape amplitude: 3001 mV (expected: <= 3000)", new Command.Pulse(c, WirePolarity.UP, new PulseShape(3001, 100, 200), 1));
    overLimit("shape width: 9 ns (expected: 10..10000000)", new Command.Pulse(c, WirePolarity.UP, new PulseShape(1000, 9, 20), 1));
    overLimit("shape width: 10000001 ns (expected: 10..10000000)", new Command.Pulse(c, WirePolarity.UP, new PulseShape(1000, 10_000_001, 20_000_002), 1));
    overLimit("shape period: 19 ns (expected: >= 20, the 50000000 Hz rate limit)", new Command.Pulse(c, WirePolarity.UP, new PulseShape(1000, 10, 19), 1));
    overLimit("count: 41 (expected: 1..40)", new Command.Pulse(c, WirePolarity.UP, OK, 41));
    // the shape first, then the count, then the read voltage
    overLimit("count: 41 (expected: 1..40)", new Command.PulseThenRead(c, WirePolarity.UP, OK, 41, 5001));
    overLimit("readVoltage: 5001 x 100 uV (expected: 1..5000)", new Command.PulseThenRead(c, WirePolarity.UP, OK, 40, 5001));
    TileAddress t = new TileAddress(0, 0, 0, 1, 1);
    runs(update(t, WirePlane.ACTIVE, 40, OK, OK));
    overLimit("bitLength: 41 (expected: <= 40)", update(t, WirePlane.ACTIVE, 41, OK, OK));
    overLimit("up amplitude: 3001 mV (expected: <= 3000)", update(t, WirePlane.ACTIVE, 1, new PulseShape(3001, 100, 200), OK));
    overLimit("down period: 19 ns (expected: >= 20, the 50000000 Hz rate limit)", update(t, WirePlane.ACTIVE, 1, OK, new PulseShape(1000, 10, 19)));
  }

  @Test
  void sourcesRunUpToEachLimit() {
    CellAddress c = cell(0, WirePlane.ACTIVE, 1, 1);
    runs(new Command.Source(c, -3000, 10, 1_000_000)); // level, shortest duration and compliance at their limits
    runs(new Command.Source(c, 3000, 10_000_000, 1));
    overLimit("level: 3001 mV (expected: |V| <= 3000)", new Command.Source(c, 3001, 100, 1000));
    overLimit("level: -3001 mV (expected: |V| <= 3000)", new Command.Source(c, -3001, 100, 1000));
    overLimit("duration: 9 ns (expected: 10..10000000)", new Command.Source(c, 1000, 9, 1000));
    overLimit("duration: 10000001 ns (expected: 10..10000000)", new Command.Source(c, 1000, 10_000_001, 1000));
    overLimit("compliance: 1000001 nA (expected: <= 1000000)", new Command.Source(c, 1000, 100, 1_000_001));
    // the level first, then the duration, then the compliance; the address before all of them
    overLimit("level: 3001 mV (expected: |V| <= 3000)", new Command.Source(c, 3001, 9, 1_000_001));
    overLimit("duration: 9 ns (expected: 10..10000000)", new Command.Source(c, 1000, 9, 1_000_001));
    outOfRange("row: 4 (expected: 0..3)", new Command.Source(cell(0, WirePlane.ACTIVE, 4, 0), 3001, 9, 1_000_001));
  }

  private static Command.Sweep sweep(CellAddress c, long stepNanos, long offNanos, long complianceNanoamps, short... levels) {
    return new Command.Sweep(c, stepNanos, offNanos, complianceNanoamps, levels);
  }

  private static short[] levels(int n, int millivolts) {
    short[] v = new short[n];
    for (int k = 0; k < n; k++) v[k] = (short) (k % 2 == 0 ? millivolts : -millivolts);
    return v;
  }

  @Test
  void sweepsCheckEveryLevelTheStepTheComplianceTheLevelCountAndAPulsedSweepsRate() {
    CellAddress c = cell(0, WirePlane.ACTIVE, 1, 1);
    runs(sweep(c, 10, 0, 1_000_000, levels(40, 3000))); // 40 levels of +-3 V, the shortest step, the compliance limit
    runs(sweep(c, 10_000_000, 0, 1, (short) 0));
    overLimit("levels: 41 (expected: 1..40)", sweep(c, 100, 0, 1000, levels(41, 1000)));
    overLimit("level[2]: -3001 mV (expected: |V| <= 3000)", sweep(c, 100, 0, 1000, (short) 0, (short) 100, (short) -3001, (short) 4000));
    overLimit("step: 9 ns (expected: 10..10000000)", sweep(c, 9, 0, 1000, (short) 100));
    overLimit("step: 10000001 ns (expected: 10..10000000)", sweep(c, 10_000_001, 0, 1000, (short) 100));
    overLimit("compliance: 1000001 nA (expected: <= 1000000)", sweep(c, 100, 0, 1_000_001, (short) 100));
    // a pulsed sweep (off > 0) repeats every step + off: 20 ns is the 50 MHz limit; a DC sweep (off 0) has no rate
    runs(sweep(c, 10, 10, 1000, (short) 100));
    overLimit("period: 19 ns (expected: >= 20, the 50000000 Hz rate limit)", sweep(c, 10, 9, 1000, (short) 100));
    // the levels first, then step, compliance, level count, rate; the address before all of them
    overLimit("level[0]: 3001 mV (expected: |V| <= 3000)", sweep(c, 9, 9, 1_000_001, (short) 3001));
    overLimit("step: 9 ns (expected: 10..10000000)", sweep(c, 9, 9, 1_000_001, levels(41, 100)));
    overLimit("compliance: 1000001 nA (expected: <= 1000000)", sweep(c, 10, 9, 1_000_001, levels(41, 100)));
    overLimit("levels: 41 (expected: 1..40)", sweep(c, 10, 9, 1000, levels(41, 100)));
    outOfRange("col: 5 (expected: 0..4)", sweep(cell(0, WirePlane.ACTIVE, 0, 5), 9, 9, 1_000_001, (short) 3001));
    outOfRange("plane: REFERENCE (expected: ACTIVE; array 1 has no reference)", sweep(cell(1, WirePlane.REFERENCE, 0, 0), 100, 0, 1000, (short) 100));
  }

  @Test
  void commandsThatTouchNoDeviceAreNeverRefused() {
    runs(new Command.Hello(1, 2));
    runs(new Command.Heartbeat());
    runs(new Command.Abort());
  }
}
