package org.rramctl.driver.remote;

import org.rramctl.driver.Cell;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;

/**
 * A message from a client to a {@link DriverServer}. Each type maps to one {@link Opcode}; the byte layout
 * is in {@link WireCodec} and drivers/REMOTE.md. The compact constructors only validate (the driver value
 * types they carry validate themselves), so a decoded request is always well-formed; whether it is allowed
 * (geometry, envelope, lease) is the server's decision.
 */
public sealed interface Request {

  /** Whether the request moves device state, and therefore needs the lease. */
  default boolean programs() {
    return false;
  }

  /** Whether the request runs on the board thread (in order with every other board operation). */
  default boolean usesBoard() {
    return false;
  }

  /** A request that runs on the board thread, in order with every other board operation. */
  sealed interface BoardOp extends Request {
    @Override
    default boolean usesBoard() {
      return true;
    }
  }

  /** A board operation that moves device state, and therefore needs the lease (and is dropped by an abort). */
  sealed interface Programming extends BoardOp {
    @Override
    default boolean programs() {
      return true;
    }
  }

  /**
   * The handshake: the client's protocol version, a label for messages such as "board held by ...", and a
   * random token that stays the same across the client's reconnections, so a lease follows the client to
   * its new connection instead of blocking it until the old one lapses (0: no token).
   */
  record Hello(int protocolVersion, String clientLabel, long sessionToken) implements Request {
    public Hello {
      if (protocolVersion < 0 || protocolVersion > 0xFFFF) throw new IllegalArgumentException("protocolVersion: " + protocolVersion + " (expected: 0..65535)");
      if (clientLabel == null) throw new IllegalArgumentException("clientLabel: null");
    }
  }

  /** A keep-alive; renews the lease when the sender holds it. */
  record Heartbeat() implements Request {}

  /** Board status plus the lease; queued behind earlier board operations, so its pulse count is exact. */
  record Status() implements BoardOp {}

  /** Takes the programming lease (or renews it). */
  record Acquire() implements Request {}

  /** Gives the lease back; a no-op for a client that does not hold it. */
  record Release() implements Request {}

  /** Sets the board idle at once, from any client: safety first, no lease needed. */
  record Abort() implements Request {}

  record Read(Cell cell, double readVolts) implements BoardOp {
    public Read {
      if (cell == null) throw new IllegalArgumentException("cell: null");
    }
  }

  record ApplyPulses(Cell cell, Pulse pulse, int count) implements Programming {
    public ApplyPulses {
      if (cell == null) throw new IllegalArgumentException("cell: null");
      if (pulse == null) throw new IllegalArgumentException("pulse: null");
    }
  }

  record PulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) implements Programming {
    public PulseThenRead {
      if (cell == null) throw new IllegalArgumentException("cell: null");
      if (pulse == null) throw new IllegalArgumentException("pulse: null");
    }
  }

  /**
   * The source-measure role ({@link org.rramctl.driver.SourceMeasure#source}): {@code volts} on one device for
   * {@code durationNanos} with the current limited to {@code complianceAmps}; answered with the current.
   */
  record Source(Cell cell, double volts, long durationNanos, double complianceAmps) implements Programming {
    public Source {
      if (cell == null) throw new IllegalArgumentException("cell: null");
      if (!Double.isFinite(volts)) throw new IllegalArgumentException("volts: " + volts + " (expected: finite)");
      if (durationNanos < 1) throw new IllegalArgumentException("durationNanos: " + durationNanos + " (expected: >= 1)");
      if (!(complianceAmps > 0) || Double.isInfinite(complianceAmps)) {
        throw new IllegalArgumentException("complianceAmps: " + complianceAmps + " (expected: finite and > 0; compliance is mandatory)");
      }
    }
  }

  /** A sweep on one device ({@link org.rramctl.driver.SourceMeasure#sweep}); answered with its result. */
  record RunSweep(Cell cell, org.rramctl.driver.Sweep sweep) implements Programming {
    public RunSweep {
      if (cell == null || sweep == null) throw new IllegalArgumentException("sweep: cell and sweep (expected: non-null)");
    }
  }

  /** One device's active conductance minus its reference device's, each read at {@code readVolts}. */
  record ReadDifferential(int array, int row, int col, double readVolts) implements BoardOp {
    public ReadDifferential {
      // The same checks, and so the same answer, as a Cell's: a negative index is never valid.
      new Cell(array, Plane.ACTIVE, row, col);
    }
  }

  record ReadRow(int array, Plane plane, int row, double readVolts) implements BoardOp {
    public ReadRow {
      if (plane == null) throw new IllegalArgumentException("plane: null");
    }
  }

  record ReadColumn(int array, Plane plane, int col, double readVolts) implements BoardOp {
    public ReadColumn {
      if (plane == null) throw new IllegalArgumentException("plane: null");
    }
  }

  record ReadArray(int array, Plane plane, double readVolts) implements BoardOp {
    public ReadArray {
      if (plane == null) throw new IllegalArgumentException("plane: null");
    }
  }

  record ForwardRead(Tile tile, ReadMode mode, double[] rowVolts) implements BoardOp {
    public ForwardRead {
      if (tile == null || mode == null || rowVolts == null) throw new IllegalArgumentException("forward read: tile, mode and rowVolts (expected: non-null)");
    }
  }

  record TransposeRead(Tile tile, ReadMode mode, double[] colVolts) implements BoardOp {
    public TransposeRead {
      if (tile == null || mode == null || colVolts == null) throw new IllegalArgumentException("transpose read: tile, mode and colVolts (expected: non-null)");
    }
  }

  record ParallelUpdate(Tile tile, Plane plane, StochasticUpdate update) implements Programming {
    public ParallelUpdate {
      if (tile == null || plane == null || update == null) throw new IllegalArgumentException("parallel update: tile, plane and update (expected: non-null)");
    }
  }
}
