package org.rramctl.protocol;

import java.util.Arrays;

/**
 * Host-to-board messages. Each record is one opcode (see {@link Opcode}); PROTOCOL.md gives the byte
 * layout and the response each one gets. Read voltages are i16 in units of 100 uV
 * ({@link WireFormat#READ_VOLTS_PER_LSB}).
 *
 * <p>Records that hold arrays do not copy them (vectors run to thousands of entries per training step):
 * the caller must not modify an array after building a message from it. Their equality is by content.
 */
public sealed interface Command extends Message {

  /** Opens a session: the host's protocol version window, inclusive. Answered by IDENTITY. */
  record Hello(int minVersion, int maxVersion) implements Command {
    public Hello {
      Check.range("minVersion", minVersion, 1, 0xFF);
      Check.range("maxVersion", maxVersion, minVersion, 0xFF);
    }

    /**
     * Refuses a board whose protocol version lies outside this window.
     *
     * @throws ProtocolVersionException naming the board's version and this window
     */
    public void requireAccepts(Response.Identity board) throws ProtocolVersionException {
      if (board.protocolVersion() < minVersion || board.protocolVersion() > maxVersion) {
        throw new ProtocolVersionException(board.protocolVersion(), minVersion, maxVersion, board.boardId(), board.firmwareVersion());
      }
    }
  }

  /** Asks for the hardware limits. Answered by LIMITS. */
  record GetLimits() implements Command {}

  /** Asks for the board's state. Answered by STATUS_REPORT; served while another command runs. */
  record GetStatus() implements Command {}

  /** Keeps the watchdog fed when the host has nothing else to send. Answered by HEARTBEAT_ACK. */
  record Heartbeat() implements Command {}

  /** Asks which device-changing commands the board last executed. Answered by EXECUTED. */
  record LastExecuted() implements Command {}

  /** Stops whatever runs and idles every output. Answered by ACK once the outputs are idle. */
  record Abort() implements Command {}

  /** Reads one device at a read voltage (1..32767 x 100 uV). Answered by CONDUCTANCE. */
  record Read(CellAddress cell, int readTenthMillivolts) implements Command {
    public Read {
      Check.notNull("cell", cell);
      Check.range("readTenthMillivolts", readTenthMillivolts, 1, Short.MAX_VALUE);
    }
  }

  /** Applies {@code count} identical pulses to one device. Answered by PULSE_DONE. */
  record Pulse(CellAddress cell, WirePolarity polarity, PulseShape shape, long count) implements Command {
    public Pulse {
      Check.notNull("cell", cell);
      Check.notNull("polarity", polarity);
      Check.notNull("shape", shape);
      Check.range("count", count, 1, 0xFFFF_FFFFL);
    }
  }

  /** Applies {@code count} pulses, then reads the device. Answered by CONDUCTANCE. */
  record PulseThenRead(CellAddress cell, WirePolarity polarity, PulseShape shape, long count, int readTenthMillivolts)
      implements Command {
    public PulseThenRead {
      Check.notNull("cell", cell);
      Check.notNull("polarity", polarity);
      Check.notNull("shape", shape);
      Check.range("count", count, 1, 0xFFFF_FFFFL);
      Check.range("readTenthMillivolts", readTenthMillivolts, 1, Short.MAX_VALUE);
    }
  }

  /** Reads every device of one row of one plane. Answered by streamed CONDUCTANCES, one code per column. */
  record ReadRow(int array, WirePlane plane, int row, int readTenthMillivolts) implements Command {
    public ReadRow {
      Check.range("array", array, 0, 0xFF);
      Check.notNull("plane", plane);
      Check.range("row", row, 0, 0xFFFF);
      Check.range("readTenthMillivolts", readTenthMillivolts, 1, Short.MAX_VALUE);
    }
  }

  /** Reads every device of one column of one plane. Answered by streamed CONDUCTANCES, one code per row. */
  record ReadColumn(int array, WirePlane plane, int col, int readTenthMillivolts) implements Command {
    public ReadColumn {
      Check.range("array", array, 0, 0xFF);
      Check.notNull("plane", plane);
      Check.range("col", col, 0, 0xFFFF);
      Check.range("readTenthMillivolts", readTenthMillivolts, 1, Short.MAX_VALUE);
    }
  }

  /** Reads a whole plane of an array. Answered by streamed CONDUCTANCES, row-major. */
  record ReadArray(int array, WirePlane plane, int readTenthMillivolts) implements Command {
    public ReadArray {
      Check.range("array", array, 0, 0xFF);
      Check.notNull("plane", plane);
      Check.range("readTenthMillivolts", readTenthMillivolts, 1, Short.MAX_VALUE);
    }
  }

  /**
   * Forward read: {@code rowTenthMillivolts[j]} (either sign, 100 uV units) on tile row j; answered by
   * streamed CURRENTS, one per tile column: {@code I_i = sum_j V_j G(j, i)}.
   */
  record ForwardRead(TileAddress tile, WireReadMode mode, short[] rowTenthMillivolts) implements Command {
    public ForwardRead {
      Check.notNull("tile", tile);
      Check.notNull("mode", mode);
      Check.notNull("rowTenthMillivolts", rowTenthMillivolts);
      Check.length("rowTenthMillivolts", rowTenthMillivolts.length, tile.rows());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ForwardRead f && tile.equals(f.tile) && mode == f.mode && Arrays.equals(rowTenthMillivolts, f.rowTenthMillivolts);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * tile.hashCode() + mode.hashCode()) + Arrays.hashCode(rowTenthMillivolts);
    }

    @Override
    public String toString() {
      return "ForwardRead[tile=" + tile + ", mode=" + mode + ", rowTenthMillivolts=" + Arrays.toString(rowTenthMillivolts) + "]";
    }
  }

  /** Transpose read: {@code colTenthMillivolts[i]} on tile column i; answered by streamed CURRENTS, one per tile row. */
  record TransposeRead(TileAddress tile, WireReadMode mode, short[] colTenthMillivolts) implements Command {
    public TransposeRead {
      Check.notNull("tile", tile);
      Check.notNull("mode", mode);
      Check.notNull("colTenthMillivolts", colTenthMillivolts);
      Check.length("colTenthMillivolts", colTenthMillivolts.length, tile.cols());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TransposeRead t && tile.equals(t.tile) && mode == t.mode && Arrays.equals(colTenthMillivolts, t.colTenthMillivolts);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * tile.hashCode() + mode.hashCode()) + Arrays.hashCode(colTenthMillivolts);
    }

    @Override
    public String toString() {
      return "TransposeRead[tile=" + tile + ", mode=" + mode + ", colTenthMillivolts=" + Arrays.toString(colTenthMillivolts) + "]";
    }
  }

  /**
   * A parallel stochastic update program (DESIGN.md section 4) on one plane of a tile. Streams are
   * signed: the magnitude's bits 0..BL-1 are the slots in which the row (column) fires, the sign is the
   * sign of its value, 0 means it never fires. Device (j, i) receives
   * {@code Long.bitCount(|rowStreams[j]| & |colStreams[i]|)} pulses, shaped {@code up} when the two signs
   * agree and {@code down} when they differ. Answered by streamed UPDATE_PROGRESS.
   *
   * @param bitLength BL, the number of slots, 1..63
   */
  record Update(TileAddress tile, WirePlane plane, int bitLength, PulseShape up, PulseShape down, long[] rowStreams, long[] colStreams)
      implements Command {
    public static final int MAX_BIT_LENGTH = 63;

    public Update {
      Check.notNull("tile", tile);
      Check.notNull("plane", plane);
      Check.range("bitLength", bitLength, 1, MAX_BIT_LENGTH);
      Check.notNull("up", up);
      Check.notNull("down", down);
      Check.notNull("rowStreams", rowStreams);
      Check.notNull("colStreams", colStreams);
      Check.length("rowStreams", rowStreams.length, tile.rows());
      Check.length("colStreams", colStreams.length, tile.cols());
      checkStreams("rowStreams", rowStreams, bitLength);
      checkStreams("colStreams", colStreams, bitLength);
    }

    private static void checkStreams(String name, long[] streams, int bitLength) {
      for (int k = 0; k < streams.length; k++) {
        long magnitude = Math.abs(streams[k]);
        if (magnitude < 0 || magnitude >>> bitLength != 0) {
          throw new IllegalArgumentException(name + "[" + k + "]: " + streams[k] + " (expected: magnitude < 2^" + bitLength + ")");
        }
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Update u && tile.equals(u.tile) && plane == u.plane && bitLength == u.bitLength && up.equals(u.up)
          && down.equals(u.down) && Arrays.equals(rowStreams, u.rowStreams) && Arrays.equals(colStreams, u.colStreams);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(tile, plane, bitLength, up, down, Arrays.hashCode(rowStreams), Arrays.hashCode(colStreams));
    }

    @Override
    public String toString() {
      return "Update[tile=" + tile + ", plane=" + plane + ", bitLength=" + bitLength + ", up=" + up + ", down=" + down
          + ", rowStreams=" + Arrays.toString(rowStreams) + ", colStreams=" + Arrays.toString(colStreams) + "]";
    }
  }

  /**
   * Protocol version 2. Applies {@code millivolts} to one device for {@code durationNanos} with the current limited to
   * {@code complianceNanoamps}, and measures the current at the end of that time. Signed: positive is the SET (UP)
   * polarity; 0 V is allowed (a sweep's return point). The compliance is mandatory (no value means "none"). Answered
   * by MEASURED. Changes devices: a pristine device may form, a formed one switch.
   */
  record Source(CellAddress cell, int millivolts, long durationNanos, long complianceNanoamps) implements Command {
    public Source {
      Check.notNull("cell", cell);
      Check.range("millivolts", millivolts, Short.MIN_VALUE, Short.MAX_VALUE);
      Check.range("durationNanos", durationNanos, 1, 0xFFFF_FFFFL);
      Check.range("complianceNanoamps", complianceNanoamps, 1, 0xFFFF_FFFFL);
    }
  }

  /**
   * Protocol version 2. A voltage sweep on one device: each level in order is applied for {@code stepNanos} and the
   * current measured at its end, with the current limited to {@code complianceNanoamps} throughout. Staircase when
   * {@code offNanos} is 0 (the output goes from level to level without returning to 0 V); pulsed otherwise (0 V for
   * {@code offNanos} after each level). Answered by streamed SWEEP_POINTS, one point per level. Changes devices.
   */
  record Sweep(CellAddress cell, long stepNanos, long offNanos, long complianceNanoamps, short[] levelsMillivolts) implements Command {
    /** Bytes before the levels: cell, step, off, compliance. */
    public static final int FIXED_BYTES = CellAddress.BYTES + 12;
    /** Most levels one SWEEP carries: what fits the largest body; a host splits longer sweeps (PROTOCOL.md 10.2). */
    public static final int MAX_LEVELS = (WireFormat.MAX_BODY_BYTES - FIXED_BYTES) / 2;

    public Sweep {
      Check.notNull("cell", cell);
      Check.range("stepNanos", stepNanos, 1, 0xFFFF_FFFFL);
      Check.range("offNanos", offNanos, 0, 0xFFFF_FFFFL);
      Check.range("complianceNanoamps", complianceNanoamps, 1, 0xFFFF_FFFFL);
      Check.notNull("levelsMillivolts", levelsMillivolts);
      Check.range("levelsMillivolts.length", levelsMillivolts.length, 1, MAX_LEVELS);
    }

    public boolean pulsed() {
      return offNanos > 0;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Sweep w && cell.equals(w.cell) && stepNanos == w.stepNanos && offNanos == w.offNanos
          && complianceNanoamps == w.complianceNanoamps && Arrays.equals(levelsMillivolts, w.levelsMillivolts);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(cell, stepNanos, offNanos, complianceNanoamps, Arrays.hashCode(levelsMillivolts));
    }

    @Override
    public String toString() {
      return "Sweep[cell=" + cell + ", stepNanos=" + stepNanos + ", offNanos=" + offNanos + ", complianceNanoamps=" + complianceNanoamps
          + ", levelsMillivolts=" + Arrays.toString(levelsMillivolts) + "]";
    }
  }
}
