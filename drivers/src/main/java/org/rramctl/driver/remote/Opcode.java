package org.rramctl.driver.remote;

/**
 * The first byte of every message: which {@link Request} or {@link Reply} type follows. Requests use
 * 0x01..0x7f, replies 0x80..0xff. Unknown bytes are refused with their hex value.
 */
public enum Opcode {
  HELLO(0x01, Request.Hello.class),
  HEARTBEAT(0x02, Request.Heartbeat.class),
  STATUS(0x03, Request.Status.class),
  ACQUIRE(0x04, Request.Acquire.class),
  RELEASE(0x05, Request.Release.class),
  ABORT(0x06, Request.Abort.class),
  READ(0x10, Request.Read.class),
  PULSE(0x11, Request.ApplyPulses.class),
  PULSE_THEN_READ(0x12, Request.PulseThenRead.class),
  READ_ROW(0x13, Request.ReadRow.class),
  READ_COLUMN(0x14, Request.ReadColumn.class),
  READ_ARRAY(0x15, Request.ReadArray.class),
  FORWARD_READ(0x16, Request.ForwardRead.class),
  TRANSPOSE_READ(0x17, Request.TransposeRead.class),
  PARALLEL_UPDATE(0x18, Request.ParallelUpdate.class),
  READ_DIFFERENTIAL(0x19, Request.ReadDifferential.class),
  SOURCE(0x1a, Request.Source.class),
  SWEEP(0x1b, Request.RunSweep.class),

  OK(0x80, Reply.Ok.class),
  VALUE(0x81, Reply.Value.class),
  VECTOR(0x82, Reply.Vector.class),
  MAP(0x83, Reply.Map.class),
  WELCOME(0x84, Reply.Welcome.class),
  STATUS_REPLY(0x85, Reply.Status.class),
  LEASE(0x86, Reply.Lease.class),
  PONG(0x87, Reply.Pong.class),
  WORKING(0x88, Reply.Working.class),
  SWEEP_RESULT(0x89, Reply.SweepData.class),
  ERROR(0xe0, Reply.Error.class),
  REFUSED(0xe1, Reply.Refused.class),
  HELD(0xe2, Reply.Held.class);

  private static final Opcode[] BY_CODE = new Opcode[256];

  static {
    for (Opcode o : values()) BY_CODE[o.code] = o;
  }

  private final int code;
  private final Class<?> type;

  Opcode(int code, Class<?> type) {
    this.code = code;
    this.type = type;
  }

  /** The byte on the wire, 0..255. */
  public int code() {
    return code;
  }

  /** The record type this opcode carries. */
  public Class<?> type() {
    return type;
  }

  public boolean isRequest() {
    return code < 0x80;
  }

  /** @throws IllegalArgumentException for a byte that names no message, in hex */
  public static Opcode of(int code) {
    Opcode o = code >= 0 && code < 256 ? BY_CODE[code] : null;
    if (o == null) throw new IllegalArgumentException(String.format("opcode: 0x%02x (expected: one of the opcodes in drivers/REMOTE.md)", code & 0xff));
    return o;
  }

  /** The opcode of a message type. */
  public static Opcode of(Class<?> type) {
    for (Opcode o : values()) if (o.type == type) return o;
    throw new IllegalArgumentException("message type: " + type.getName() + " (expected: a Request or Reply record)");
  }
}
