package org.rramctl.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * The message types and their opcode bytes: commands (host to board) below 0x80, responses (board to
 * host) from 0x80. This enum owns the byte-to-type mapping in both directions, and which protocol version
 * introduced each message ({@link #since()}): a session of version v knows only the messages of versions up to v.
 */
public enum Opcode {
  HELLO(0x01, Command.Hello.class),
  GET_LIMITS(0x02, Command.GetLimits.class),
  STATUS(0x03, Command.GetStatus.class),
  HEARTBEAT(0x04, Command.Heartbeat.class),
  LAST_EXECUTED(0x05, Command.LastExecuted.class),
  ABORT(0x06, Command.Abort.class),
  READ(0x10, Command.Read.class),
  PULSE(0x11, Command.Pulse.class),
  PULSE_THEN_READ(0x12, Command.PulseThenRead.class),
  READ_ROW(0x13, Command.ReadRow.class),
  READ_COLUMN(0x14, Command.ReadColumn.class),
  READ_ARRAY(0x15, Command.ReadArray.class),
  FORWARD_READ(0x16, Command.ForwardRead.class),
  TRANSPOSE_READ(0x17, Command.TransposeRead.class),
  UPDATE(0x18, Command.Update.class),
  SOURCE(0x19, Command.Source.class, 2),
  SWEEP(0x1A, Command.Sweep.class, 2),

  IDENTITY(0x81, Response.Identity.class),
  LIMITS(0x82, Response.Limits.class),
  STATUS_REPORT(0x83, Response.Status.class),
  HEARTBEAT_ACK(0x84, Response.HeartbeatAck.class),
  EXECUTED(0x85, Response.Executed.class),
  ACK(0x86, Response.Ack.class),
  CONDUCTANCE(0x90, Response.Conductance.class),
  PULSE_DONE(0x91, Response.PulseDone.class),
  CONDUCTANCES(0x93, Response.Conductances.class),
  CURRENTS(0x96, Response.Currents.class),
  UPDATE_PROGRESS(0x98, Response.UpdateProgress.class),
  MEASURED(0x99, Response.Measured.class, 2),
  SWEEP_POINTS(0x9A, Response.SweepPoints.class, 2),
  ERROR(0xFF, Response.Error.class);

  /** Device operations 0x10..0x1A map to bits 0..10 of IDENTITY's native-operation mask. */
  static final int FIRST_DEVICE_OP = 0x10;

  private static final Opcode[] BY_CODE = new Opcode[256];
  private static final Map<Class<?>, Opcode> BY_TYPE = new HashMap<>();

  static {
    for (Opcode op : values()) {
      BY_CODE[op.code] = op;
      BY_TYPE.put(op.type, op);
    }
  }

  private final int code;
  private final Class<? extends Message> type;
  private final int since;

  Opcode(int code, Class<? extends Message> type) {
    this(code, type, 1);
  }

  Opcode(int code, Class<? extends Message> type, int since) {
    this.code = code;
    this.type = type;
    this.since = since;
  }

  /** The protocol version that introduced this message; every later version keeps it. */
  public int since() {
    return since;
  }

  /** True when a session of protocol {@code version} knows this message. */
  public boolean inVersion(int version) {
    return version >= since;
  }

  /** The opcode byte, 0..255. */
  public int code() {
    return code;
  }

  /** The record class this opcode carries. */
  public Class<? extends Message> type() {
    return type;
  }

  public boolean isCommand() {
    return code < 0x80;
  }

  /**
   * True for the commands that change devices (PULSE, PULSE_THEN_READ, UPDATE, SOURCE, SWEEP): never re-sent
   * blindly, de-duplicated by sequence number on the board. Every other command is idempotent and may be retried.
   */
  public boolean changesDevices() {
    return this == PULSE || this == PULSE_THEN_READ || this == UPDATE || this == SOURCE || this == SWEEP;
  }

  /** True for the device operations a board may or may not do natively (IDENTITY's mask). */
  public boolean isDeviceOperation() {
    return code >= FIRST_DEVICE_OP && code <= SWEEP.code;
  }

  /**
   * The opcode of a wire byte.
   *
   * @throws ProtocolException naming the byte in hex when no message type has it
   */
  public static Opcode of(int code) throws ProtocolException {
    Opcode op = code >= 0 && code < 256 ? BY_CODE[code] : null;
    if (op == null) {
      throw new ProtocolException(String.format("opcode: 0x%02x (expected: a known opcode)", code), code, 1);
    }
    return op;
  }

  /** The opcode of a message. */
  public static Opcode of(Message m) {
    return BY_TYPE.get(m.getClass());
  }
}
