package org.rramctl.driver.remote;

import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.DriverStatus;

/**
 * A message from a {@link DriverServer} to a client: the answer to one request (same request id), or a
 * {@link Working} heartbeat for a request still running. Byte layout in {@link WireCodec}.
 */
public sealed interface Reply {

  /** Done, nothing to return. */
  record Ok() implements Reply {}

  /** One number: a conductance in siemens. */
  record Value(double value) implements Reply {}

  /** A vector: conductances (siemens) or currents (amperes), per the request. */
  record Vector(double[] values) implements Reply {
    public Vector {
      if (values == null) throw new IllegalArgumentException("values: null");
    }
  }

  /** A whole array read. */
  record Map(ConductanceMap map) implements Reply {
    public Map {
      if (map == null) throw new IllegalArgumentException("map: null");
    }
  }

  /**
   * The answer to {@link Request.Hello}.
   *
   * @param protocolVersion the server's protocol version
   * @param clientId how the server names this client in lease messages and logs
   * @param heartbeatMillis how often the server expects to hear from an idle client, and how often it sends
   *     {@link Working} for a request that is still running
   * @param leaseMillis a lease lapses this long after the holder's last message
   * @param maxRequestBytes larger requests are refused
   * @param info the board, with {@code hardwareLimits} replaced by the server's envelope (what it accepts); its
   *     {@code protocolVersion} is the served board's own (0 for an in-process driver), not this protocol's
   * @param note what the server changed in the client's HELLO (a label cleaned or cut), "" when nothing
   */
  record Welcome(int protocolVersion, String clientId, int heartbeatMillis, int leaseMillis, int maxRequestBytes, BoardInfo info, String note) implements Reply {
    public Welcome {
      if (clientId == null || info == null || note == null) throw new IllegalArgumentException("welcome: clientId, info and note (expected: non-null)");
      if (heartbeatMillis < 1 || leaseMillis < 1 || maxRequestBytes < 1) {
        throw new IllegalArgumentException("welcome: heartbeat " + heartbeatMillis + " ms, lease " + leaseMillis + " ms, max request " + maxRequestBytes + " B (expected: all > 0)");
      }
    }
  }

  /**
   * Board status and lease.
   *
   * @param status the board's status
   * @param leaseHolder the client holding the lease, or "" when the board is free
   * @param leaseRemainingMillis how long the lease runs without renewal, 0 when free
   * @param clients clients the server currently knows
   */
  record Status(DriverStatus status, String leaseHolder, long leaseRemainingMillis, int clients) implements Reply {
    public Status {
      if (status == null || leaseHolder == null) throw new IllegalArgumentException("status: status and leaseHolder (expected: non-null)");
    }
  }

  /** The lease was granted or renewed. */
  record Lease(String holder, long remainingMillis) implements Reply {
    public Lease {
      if (holder == null) throw new IllegalArgumentException("holder: null");
    }
  }

  /** The answer to a {@link Request.Heartbeat}. */
  record Pong() implements Reply {}

  /** The answer to a {@link Request.RunSweep}: the levels, the current at each, the compliance. */
  record SweepData(org.rramctl.driver.SweepResult result) implements Reply {
    public SweepData {
      if (result == null) throw new IllegalArgumentException("result: null");
    }
  }

  /** Sent by the server every heartbeat interval while the request with this id is queued or running. */
  record Working() implements Reply {}

  /**
   * A refusal or failure; nothing reached the board unless the code says so ({@link ErrorCode#BOARD_IO},
   * {@link ErrorCode#ABORTED}, {@link ErrorCode#OUTCOME_UNKNOWN}, {@link ErrorCode#INTERNAL}).
   *
   * @param boardCode the served board's own error code for {@link ErrorCode#BOARD_REFUSED} (e.g. {@code "OUT_OF_RANGE"}), "" otherwise
   */
  record Error(ErrorCode code, String message, String boardCode) implements Reply {
    public Error {
      if (code == null || message == null || boardCode == null) throw new IllegalArgumentException("error: code, message and boardCode (expected: non-null)");
    }

    /** An error without a board code. */
    public Error(ErrorCode code, String message) {
      this(code, message, "");
    }
  }

  /** The request lies outside the server's safety envelope; nothing was executed. */
  record Refused(String limit, String requested, String allowed) implements Reply {
    public Refused {
      if (limit == null || requested == null || allowed == null) throw new IllegalArgumentException("refused: limit, requested, allowed (expected: non-null)");
    }
  }

  /** Another client holds the programming lease; nothing was executed. */
  record Held(String holder, long remainingMillis) implements Reply {
    public Held {
      if (holder == null) throw new IllegalArgumentException("holder: null");
    }
  }
}
