package org.rramctl.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Board-to-host messages. A response carries the sequence number of the command it answers. The
 * {@link Part} responses stream: one command gets several frames, numbered from part 0, all but the
 * last with {@code more} set.
 */
public sealed interface Response extends Message {

  /** A frame of a streamed response. */
  sealed interface Part extends Response permits Conductances, Currents, UpdateProgress, SweepPoints {
    /** Position of this frame in its stream, from 0, consecutive. */
    int part();

    /** True when more frames of the same stream follow (the header's MORE flag). */
    boolean more();
  }

  /**
   * Who the board is (answers HELLO). Its layout is the same in every protocol version, so that a host
   * can always read the version it must refuse.
   *
   * @param protocolVersion the version the board speaks, 1..255
   * @param watchdogMillis the heartbeat timeout: silent this long, the host loses the outputs (1..65535 ms)
   * @param maxPayloadBytes the largest payload (packet and CRC) the board accepts, {@value #MIN_ACCEPTED_PAYLOAD}..
   *     {@link WireFormat#MAX_PAYLOAD_BYTES}; hosts split tiles so that commands fit
   * @param adcBits resolution of the read-out converter, 1..32
   * @param gMinSiemens lower end of the programmable conductance window, siemens
   * @param gMaxSiemens upper end, siemens
   * @param conductanceLsbSiemens siemens per conductance code (CONDUCTANCE, CONDUCTANCES)
   * @param nativeOps the device operations the board performs itself; the others it refuses with UNSUPPORTED
   */
  record Identity(
      int protocolVersion,
      int watchdogMillis,
      int maxPayloadBytes,
      String boardId,
      String model,
      String firmwareVersion,
      List<ArrayInfo> arrays,
      HardwareLimits limits,
      int adcBits,
      float gMinSiemens,
      float gMaxSiemens,
      float conductanceLsbSiemens,
      Set<Opcode> nativeOps)
      implements Response {
    /** Smallest receive capacity a board may declare: enough for every fixed-size command. */
    public static final int MIN_ACCEPTED_PAYLOAD = 64;

    public Identity {
      Check.range("protocolVersion", protocolVersion, 1, 0xFF);
      Check.range("watchdogMillis", watchdogMillis, 1, 0xFFFF);
      Check.range("maxPayloadBytes", maxPayloadBytes, MIN_ACCEPTED_PAYLOAD, WireFormat.MAX_PAYLOAD_BYTES);
      text("boardId", boardId);
      if (boardId.isBlank()) throw new IllegalArgumentException("boardId: '" + boardId + "' (expected: non-blank)");
      text("model", model);
      text("firmwareVersion", firmwareVersion);
      Check.notNull("arrays", arrays);
      Check.range("arrays.size", arrays.size(), 1, 0xFF);
      arrays = List.copyOf(arrays);
      Check.notNull("limits", limits);
      Check.range("adcBits", adcBits, 1, 32);
      if (!(gMinSiemens >= 0) || !(gMaxSiemens > gMinSiemens) || Float.isInfinite(gMaxSiemens)) {
        throw new IllegalArgumentException("conductance window: " + gMinSiemens + " .. " + gMaxSiemens + " S (expected: 0 <= gMin < gMax, finite)");
      }
      if (!(conductanceLsbSiemens > 0) || Float.isInfinite(conductanceLsbSiemens)) {
        throw new IllegalArgumentException("conductanceLsbSiemens: " + conductanceLsbSiemens + " (expected: finite and > 0)");
      }
      Check.notNull("nativeOps", nativeOps);
      for (Opcode op : nativeOps) {
        if (!op.isDeviceOperation()) throw new IllegalArgumentException("nativeOps: " + op + " (expected: device operations READ..SWEEP)");
        if (!op.inVersion(protocolVersion)) {
          throw new IllegalArgumentException("nativeOps: " + op + " (expected: operations of protocol version " + protocolVersion + "; " + op + " is version " + op.since() + ")");
        }
      }
      // An EnumSet keeps opcode order, so that toString (the golden vectors' field column) is stable.
      nativeOps = Collections.unmodifiableSet(nativeOps.isEmpty() ? EnumSet.noneOf(Opcode.class) : EnumSet.copyOf(nativeOps));
    }
  }

  /** The hardware limits (answers GET_LIMITS). */
  record Limits(HardwareLimits limits) implements Response {
    public Limits {
      Check.notNull("limits", limits);
    }
  }

  /**
   * The board's state (answers STATUS).
   *
   * @param outputsIdle every output at 0 V and disconnected
   * @param busy a command is running
   * @param aborted the last device-changing command ended by ABORT or the watchdog
   * @param watchdogTripped the watchdog idled the outputs since the last STATUS (cleared by this report)
   * @param pulsesApplied pulses applied since power-up, u64 (below 2^63)
   * @param lastError the last error the board reported, or NONE
   * @param framesDropped frames the board discarded since power-up (bad COBS, CRC, length), u32
   */
  record Status(boolean outputsIdle, boolean busy, boolean aborted, boolean watchdogTripped, long pulsesApplied, ErrorCode lastError, long framesDropped)
      implements Response {
    public Status {
      Check.range("pulsesApplied", pulsesApplied, 0, Long.MAX_VALUE);
      Check.notNull("lastError", lastError);
      Check.range("framesDropped", framesDropped, 0, 0xFFFF_FFFFL);
    }
  }

  /** Answers HEARTBEAT with the board's uptime, u32 ms: a value that goes down means the board rebooted. */
  record HeartbeatAck(long uptimeMillis) implements Response {
    public HeartbeatAck {
      Check.range("uptimeMillis", uptimeMillis, 0, 0xFFFF_FFFFL);
    }
  }

  /** The device-changing commands the board remembers, newest first (answers LAST_EXECUTED). */
  record Executed(List<ExecutionRecord> records) implements Response {
    /** Most records one response carries; a board remembers at least {@value #MIN_REMEMBERED}. */
    public static final int MAX_RECORDS = 32;

    public static final int MIN_REMEMBERED = 8;

    public Executed {
      Check.notNull("records", records);
      Check.range("records.size", records.size(), 0, MAX_RECORDS);
      records = List.copyOf(records);
    }
  }

  /** Answers ABORT once every output is idle. */
  record Ack() implements Response {}

  /** One conductance code (answers READ and PULSE_THEN_READ): G = code x IDENTITY's conductanceLsbSiemens. */
  record Conductance(int code) implements Response {
    public Conductance {
      Check.range("code", code, 0, 0xFFFF);
    }
  }

  /** Answers PULSE: how many pulses were applied (all of them, unless the response is an ERROR). */
  record PulseDone(long pulsesApplied) implements Response {
    public PulseDone {
      Check.range("pulsesApplied", pulsesApplied, 0, 0xFFFF_FFFFL);
    }
  }

  /**
   * A run of conductance codes of a row, column or array read (u16 each, read as unsigned), starting at
   * position {@code first} of the request's row-major order.
   */
  record Conductances(int part, boolean more, long first, short[] codes) implements Part {
    /** Most codes one part carries: what fits the largest body after part and first. */
    public static final int MAX_CODES = (WireFormat.MAX_BODY_BYTES - 6) / 2;

    public Conductances {
      Check.range("part", part, 0, 0xFFFF);
      Check.range("first", first, 0, 0xFFFF_FFFFL);
      Check.notNull("codes", codes);
      Check.range("codes.length", codes.length, 1, MAX_CODES);
    }

    /** Code {@code k} of this run, 0..65535. */
    public int code(int k) {
      return Short.toUnsignedInt(codes[k]);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Conductances c && part == c.part && more == c.more && first == c.first && Arrays.equals(codes, c.codes);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(part, more, first, Arrays.hashCode(codes));
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder("Conductances[part=").append(part).append(", more=").append(more).append(", first=").append(first).append(", codes=[");
      for (int k = 0; k < codes.length; k++) s.append(k == 0 ? "" : ", ").append(code(k));
      return s.append("]]").toString();
    }
  }

  /** A run of output currents of a forward or transpose read, float32 amperes, starting at output {@code first}. */
  record Currents(int part, boolean more, int first, float[] amps) implements Part {
    /** Most currents one part carries: what fits the largest body after part and first. */
    public static final int MAX_VALUES = (WireFormat.MAX_BODY_BYTES - 4) / 4;

    public Currents {
      Check.range("part", part, 0, 0xFFFF);
      Check.range("first", first, 0, 0xFFFF);
      Check.notNull("amps", amps);
      Check.range("amps.length", amps.length, 1, MAX_VALUES);
      for (int k = 0; k < amps.length; k++) {
        if (!Float.isFinite(amps[k])) throw new IllegalArgumentException("amps[" + k + "]: " + amps[k] + " (expected: finite)");
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Currents c && part == c.part && more == c.more && first == c.first && Arrays.equals(amps, c.amps);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(part, more, first, Arrays.hashCode(amps));
    }

    @Override
    public String toString() {
      return "Currents[part=" + part + ", more=" + more + ", first=" + first + ", amps=" + Arrays.toString(amps) + "]";
    }
  }

  /** Progress of an UPDATE program: slots finished (0..63) and pulses applied so far (u32); the last part is the total. */
  record UpdateProgress(int part, boolean more, int slotsDone, long pulsesApplied) implements Part {
    public UpdateProgress {
      Check.range("part", part, 0, 0xFFFF);
      Check.range("slotsDone", slotsDone, 0, Command.Update.MAX_BIT_LENGTH);
      Check.range("pulsesApplied", pulsesApplied, 0, 0xFFFF_FFFFL);
    }
  }

  /**
   * Answers SOURCE (protocol version 2): the current at the end of the level, float32 amperes, signed, and whether the
   * compliance held it ({@code atCompliance}: the board's current limiter was active; |amps| is then the compliance).
   */
  record Measured(float amps, boolean atCompliance) implements Response {
    public Measured {
      if (!Float.isFinite(amps)) throw new IllegalArgumentException("amps: " + amps + " (expected: finite)");
    }
  }

  /**
   * A run of the points a SWEEP measured (protocol version 2), starting at level {@code first}: per point the current
   * at the end of the level (float32 amperes) and whether the compliance held it.
   */
  record SweepPoints(int part, boolean more, int first, float[] amps, boolean[] atCompliance) implements Part {
    /** Bytes per point: f32 current and a flags byte. */
    public static final int POINT_BYTES = 5;
    /** Most points one part carries: what fits the largest body after part and first. */
    public static final int MAX_POINTS = (WireFormat.MAX_BODY_BYTES - 4) / POINT_BYTES;

    public SweepPoints {
      Check.range("part", part, 0, 0xFFFF);
      Check.range("first", first, 0, 0xFFFF);
      Check.notNull("amps", amps);
      Check.notNull("atCompliance", atCompliance);
      Check.range("amps.length", amps.length, 1, MAX_POINTS);
      Check.length("atCompliance", atCompliance.length, amps.length);
      for (int k = 0; k < amps.length; k++) {
        if (!Float.isFinite(amps[k])) throw new IllegalArgumentException("amps[" + k + "]: " + amps[k] + " (expected: finite)");
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SweepPoints p && part == p.part && more == p.more && first == p.first && Arrays.equals(amps, p.amps)
          && Arrays.equals(atCompliance, p.atCompliance);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(part, more, first, Arrays.hashCode(amps), Arrays.hashCode(atCompliance));
    }

    @Override
    public String toString() {
      return "SweepPoints[part=" + part + ", more=" + more + ", first=" + first + ", amps=" + Arrays.toString(amps) + ", atCompliance="
          + Arrays.toString(atCompliance) + "]";
    }
  }

  /**
   * A refused or failed command. The frame's sequence number is the offending command's; the body names
   * its opcode byte (which may be unknown to the board) and says what was wrong in at most 255 bytes of UTF-8.
   */
  record Error(ErrorCode code, int offendingOpcode, String detail) implements Response {
    public Error {
      if (code == null || code == ErrorCode.NONE) throw new IllegalArgumentException("code: " + code + " (expected: an error)");
      Check.range("offendingOpcode", offendingOpcode, 0, 0xFF);
      text("detail", detail);
    }
  }

  private static void text(String name, String value) {
    Check.notNull(name, value);
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > 0xFF) throw new IllegalArgumentException(name + ": " + bytes + " bytes of UTF-8 (expected: <= 255)");
  }
}
