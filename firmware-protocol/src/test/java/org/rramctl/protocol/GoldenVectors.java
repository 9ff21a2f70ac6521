package org.rramctl.protocol;

import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;

/**
 * The messages behind src/test/resources/golden-vectors.txt (a session of protocol version 1, {@link #ALL}) and
 * golden-vectors-v2.txt (a session of version 2 with a board that sources and sweeps, {@link #V2}). Running
 * {@link #main} prints a file (the vectors' provenance; argument 2 for the second); {@link GoldenVectorsTest} checks the
 * stored files against these messages and against an independent CRC and body decoder.
 */
final class GoldenVectors {
  private GoldenVectors() {}

  record Vector(String name, int sequence, Message message, String meaning) {}

  /** 10 MHz: the fastest train among the vectors (PULSE_THEN_READ, 100 ns period) is within it. */
  static final HardwareLimits LIMITS = new HardwareLimits(3000, 5000, 10, 1_000_000, 100_000, 10_000_000, 1_000_000);
  static final PulseShape SET_1V5_100NS = new PulseShape(1500, 100, 200);
  static final CellAddress CELL = new CellAddress(0, WirePlane.ACTIVE, 3, 5);
  static final TileAddress TILE_3X2 = new TileAddress(0, 0, 0, 3, 2);

  static final List<Vector> ALL = List.of(
      new Vector("hello", 1, new Command.Hello(1, 1), "HELLO: host accepts protocol versions 1..1"),
      new Vector("get-limits", 2, new Command.GetLimits(), "GET_LIMITS"),
      new Vector("status", 3, new Command.GetStatus(), "STATUS"),
      new Vector("heartbeat", 4, new Command.Heartbeat(), "HEARTBEAT"),
      new Vector("last-executed", 5, new Command.LastExecuted(), "LAST_EXECUTED"),
      new Vector("abort", 6, new Command.Abort(), "ABORT"),
      new Vector("read", 0x0107, new Command.Read(CELL, 2000), "READ array 0 active row 3 col 5 at 0.2000 V"),
      new Vector("read-reference", 8, new Command.Read(new CellAddress(0, WirePlane.REFERENCE, 30, 17), 1000),
          "READ array 0 reference row 30 col 17 at 0.1000 V"),
      new Vector("pulse", 9, new Command.Pulse(CELL, WirePolarity.UP, SET_1V5_100NS, 10),
          "PULSE 10 x UP 1.500 V 100 ns, period 200 ns, on array 0 active row 3 col 5"),
      new Vector("pulse-then-read", 10, new Command.PulseThenRead(CELL, WirePolarity.DOWN, new PulseShape(1200, 50, 100), 1, 2000),
          "PULSE_THEN_READ 1 x DOWN 1.200 V 50 ns (period 100 ns), then read at 0.2000 V"),
      new Vector("read-row", 11, new Command.ReadRow(0, WirePlane.ACTIVE, 7, 2000), "READ_ROW array 0 active row 7 at 0.2000 V"),
      new Vector("read-column", 12, new Command.ReadColumn(0, WirePlane.REFERENCE, 9, 2000), "READ_COLUMN array 0 reference col 9 at 0.2000 V"),
      new Vector("read-array", 13, new Command.ReadArray(1, WirePlane.ACTIVE, 2000), "READ_ARRAY array 1 (1 x 5) active at 0.2000 V"),
      new Vector("forward-read", 14, new Command.ForwardRead(TILE_3X2, WireReadMode.DIFFERENTIAL, new short[] {1000, -500, 0}),
          "FORWARD_READ tile array 0 rows 0..2 cols 0..1, differential, rows at +0.1, -0.05, 0 V"),
      new Vector("transpose-read", 15, new Command.TransposeRead(TILE_3X2, WireReadMode.ACTIVE, new short[] {250, -250}),
          "TRANSPOSE_READ same tile, active, columns at +0.025, -0.025 V"),
      new Vector("update", 16, new Command.Update(TILE_3X2, WirePlane.ACTIVE, 10, new PulseShape(1000, 100, 200), new PulseShape(1200, 100, 200),
              new long[] {0b1011, 0, -0x3FF}, new long[] {-0b0110, 0b0001}),
          "UPDATE BL 10 on the 3x2 tile: row 0 +slots{0,1,3}, row 1 silent, row 2 -all; col 0 -slots{1,2}, col 1 +slot{0}"),
      new Vector("identity", 1, new Response.Identity(1, 1000, 8192, "RB-0042", "rramctl-ref", "1.0.0",
              List.of(new ArrayInfo(32, 32, true), new ArrayInfo(1, 5, false)), LIMITS, 12, 1e-6f, 1e-4f, 2.5e-8f, EnumSet.range(Opcode.READ, Opcode.UPDATE)),
          "IDENTITY: protocol 1, watchdog 1000 ms, accepts 8192-byte payloads, a 32x32 array with reference and a 1x5 one without, 12-bit ADC, 1..100 uS, 25 nS/LSB, every device command native"),
      new Vector("limits", 2, new Response.Limits(LIMITS),
          "LIMITS: pulses <= 3.000 V, reads <= 0.5000 V, widths 10 ns..1 ms, <= 100000 pulses, <= 10 MHz, compliance 1 mA"),
      new Vector("status-report", 3, new Response.Status(true, false, false, false, 123_456_789_012L, ErrorCode.NONE, 2),
          "STATUS_REPORT: idle, 123456789012 pulses since power-up, no error, 2 frames dropped"),
      new Vector("heartbeat-ack", 4, new Response.HeartbeatAck(3_600_000), "HEARTBEAT_ACK: up for one hour"),
      new Vector("executed", 5, new Response.Executed(List.of(
              new ExecutionRecord(16, Opcode.UPDATE, Outcome.COMPLETED, ErrorCode.NONE, 5),
              new ExecutionRecord(10, Opcode.PULSE_THEN_READ, Outcome.ABORTED, ErrorCode.ABORTED, 0),
              new ExecutionRecord(9, Opcode.PULSE, Outcome.COMPLETED, ErrorCode.NONE, 10))),
          "EXECUTED, newest first: seq 16 UPDATE completed (5 pulses); seq 10 PULSE_THEN_READ aborted before its pulse; seq 9 PULSE completed (10 pulses)"),
      new Vector("executed-none", 5, new Response.Executed(List.of()), "EXECUTED: nothing since power-up"),
      new Vector("ack", 6, new Response.Ack(), "ACK (to ABORT): outputs idle"),
      new Vector("conductance", 0x0107, new Response.Conductance(1234), "CONDUCTANCE code 1234 (x 25 nS = 30.85 uS)"),
      new Vector("pulse-done", 9, new Response.PulseDone(10), "PULSE_DONE: 10 pulses applied"),
      new Vector("conductances-part-0", 13, new Response.Conductances(0, true, 0, new short[] {100, 200, (short) 65535}),
          "CONDUCTANCES part 0 of the 1x5 READ_ARRAY, more follow: codes 100, 200, 65535 at positions 0..2"),
      new Vector("conductances-part-1", 13, new Response.Conductances(1, false, 3, new short[] {0, 4095}),
          "CONDUCTANCES part 1, final: codes 0, 4095 at positions 3..4"),
      new Vector("currents", 14, new Response.Currents(0, false, 0, new float[] {1.5e-6f, -2.25e-7f}),
          "CURRENTS part 0, final: column 0 +1.5 uA, column 1 -0.225 uA"),
      new Vector("update-progress-part-0", 16, new Response.UpdateProgress(0, true, 2, 4),
          "UPDATE_PROGRESS part 0: slots 0 and 1 done, 4 pulses (devices (0,0), (0,1), (2,0), (2,1) one each)"),
      new Vector("update-progress-part-1", 16, new Response.UpdateProgress(1, false, 10, 5),
          "UPDATE_PROGRESS part 1, final: all 10 slots done, 5 pulses in total (device (2,0) again in slot 2)"),
      new Vector("error", 20, new Response.Error(ErrorCode.LIMIT_EXCEEDED, 0x11, "amplitude: 4000 mV (expected: <= 3000)"),
          "ERROR LIMIT_EXCEEDED for a PULSE at 4.000 V with sequence 20 (over the 3.000 V limit; nothing applied)"));

  /** The version-2 board of {@link #V2}: one 32 x 32 array with references, every device command native, SOURCE and SWEEP too. */
  static final Response.Identity IDENTITY_V2 = new Response.Identity(2, 1000, 8192, "RB-0043", "rramctl-ref", "2.0.0", List.of(new ArrayInfo(32, 32, true)),
      LIMITS, 12, 1e-6f, 1e-4f, 2.5e-8f, EnumSet.range(Opcode.READ, Opcode.SWEEP));

  static final List<Vector> V2 = List.of(
      new Vector("hello-v2", 1, new Command.Hello(1, 2), "HELLO: host accepts protocol versions 1..2 (header version 2, the host's highest)"),
      new Vector("identity-v2", 1, IDENTITY_V2,
          "IDENTITY: protocol 2, a 32x32 array with reference, every device command native including SOURCE and SWEEP (nativeOps 0x07ff)"),
      new Vector("source", 2, new Command.Source(CELL, 2050, 100_000, 100_000),
          "SOURCE +2.050 V for 100 us on array 0 active row 3 col 5, compliance 100 uA (a forming step)"),
      new Vector("measured-at-compliance", 2, new Response.Measured(1.0e-4f, true), "MEASURED: +100 uA, held at the compliance (the device formed)"),
      new Vector("source-negative", 3, new Command.Source(CELL, -800, 1_000_000, 1_000_000),
          "SOURCE -0.800 V (RESET polarity) for 1 ms on the same device, compliance 1 mA"),
      new Vector("measured", 3, new Response.Measured(-3.2e-5f, false), "MEASURED: -32 uA, below the compliance"),
      new Vector("sweep-staircase", 4, new Command.Sweep(CELL, 1_000_000, 0, 100_000, new short[] {200, 400, 200, 0, -200, -400, -200, 0}),
          "SWEEP staircase 0.2, 0.4, 0.2, 0, -0.2, -0.4, -0.2, 0 V, 1 ms per level, compliance 100 uA"),
      new Vector("sweep-points-part-0", 4, new Response.SweepPoints(0, true, 0, new float[] {2.0e-6f, 1.0e-4f, 5.0e-5f, 0f, -5.0e-5f},
              new boolean[] {false, true, false, false, false}),
          "SWEEP_POINTS part 0, more follow: levels 0..4; level 1 held at the compliance (SET)"),
      new Vector("sweep-points-part-1", 4, new Response.SweepPoints(1, false, 5, new float[] {-4.0e-6f, -2.0e-6f, 0f}, new boolean[] {false, false, false}),
          "SWEEP_POINTS part 1, final: levels 5..7 (RESET at -0.4 V)"),
      new Vector("sweep-pulsed", 5, new Command.Sweep(CELL, 100_000, 900_000, 50_000, new short[] {500, 1000, 1500}),
          "SWEEP pulsed 0.5, 1.0, 1.5 V, 100 us on and 900 us at 0 V per level, compliance 50 uA"),
      new Vector("sweep-points", 5, new Response.SweepPoints(0, false, 0, new float[] {1.25e-6f, 2.5e-6f, 5.0e-5f}, new boolean[] {false, false, true}),
          "SWEEP_POINTS part 0, final: three points, the last held at 50 uA"),
      new Vector("last-executed-v2", 6, new Command.LastExecuted(), "LAST_EXECUTED"),
      new Vector("executed-v2", 6, new Response.Executed(List.of(
              new ExecutionRecord(5, Opcode.SWEEP, Outcome.COMPLETED, ErrorCode.NONE, 3),
              new ExecutionRecord(4, Opcode.SWEEP, Outcome.COMPLETED, ErrorCode.NONE, 8),
              new ExecutionRecord(3, Opcode.SOURCE, Outcome.COMPLETED, ErrorCode.NONE, 1),
              new ExecutionRecord(2, Opcode.SOURCE, Outcome.COMPLETED, ErrorCode.NONE, 1))),
          "EXECUTED, newest first: the two sweeps (3 and 8 levels applied) and the two SOURCE commands (1 level each)"),
      new Vector("error-compliance-over-limit", 7, new Response.Error(ErrorCode.LIMIT_EXCEEDED, 0x19, "compliance: 2000000 nA (expected: <= 1000000)"),
          "ERROR LIMIT_EXCEEDED for a SOURCE asking 2 mA of compliance with sequence 7 (over the board's 1 mA; nothing applied)"));

  /** The vectors of the file for protocol {@code version}. */
  static List<Vector> of(int version) {
    return version == 1 ? ALL : V2;
  }

  /** The resource file of protocol {@code version}'s vectors. */
  static String file(int version) {
    return version == 1 ? "/golden-vectors.txt" : "/golden-vectors-v" + version + ".txt";
  }

  /** Prints golden-vectors.txt, or with argument 2 golden-vectors-v2.txt. */
  public static void main(String[] args) {
    int version = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    StringBuilder out = new StringBuilder();
    out.append(version == 1 ? "# rramctl firmware protocol version 1: golden vectors. See PROTOCOL.md, section \"Golden vectors\".\n"
        : "# rramctl firmware protocol version " + version + ": golden vectors of a version-" + version + " session (SOURCE and SWEEP: PROTOCOL.md section 10)\n"
            + "# See PROTOCOL.md, section \"Golden vectors\".\n");
    out.append("""
        # One vector per line, five fields separated by " | ":
        #   name | sequence (decimal) | frame: the bytes on the wire in hex, COBS-encoded, ending with the 00 delimiter |
        #   meaning | decoded fields (Java record notation; voltages in 100 uV units, widths in ns, codes raw)
        # Produced by org.rramctl.protocol.GoldenVectors (firmware-protocol test sources); checked by GoldenVectorsTest,
        # which also recomputes every CRC bit by bit.
        """);
    for (Vector v : of(version)) {
      out.append(v.name()).append(" | ").append(v.sequence()).append(" | ")
          .append(HexFormat.of().formatHex(MessageCodec.frame(v.message(), v.sequence(), version))).append(" | ")
          .append(v.meaning()).append(" | ").append(v.message()).append('\n');
    }
    System.out.print(out);
  }
}
