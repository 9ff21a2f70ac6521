package org.rramctl.protocol;

/**
 * Constants of the host-board wire format, versions {@value #MIN_VERSION}..{@value #MAX_VERSION}. PROTOCOL.md is the
 * normative description; this is the one place in the code that draws the frame. The frame and the header are the same
 * in every version; a version adds messages (version 2: SOURCE and SWEEP, PROTOCOL.md section 10), and a session speaks
 * the one version its handshake settled on (the board's, when it lies in the host's window).
 *
 * <pre>
 * frame on the wire:  COBS(payload) 0x00          COBS part at most MAX_ENCODED_BYTES (8225)
 * payload:            packet, CRC-32C(packet)     MIN_PAYLOAD_BYTES..MAX_PAYLOAD_BYTES (9..8192)
 *
 *   +---------+--------+----------+-------+----------------+-----------+
 *   | version | opcode | sequence | flags | body           | CRC-32C   |
 *   | u8      | u8     | u16 LE   | u8    | 0..8183 bytes  | u32 LE    |
 *   +---------+--------+----------+-------+----------------+-----------+
 *     0         1        2          4       5                n - 4        (n = payload length)
 *   |<------------- packet: MessageCodec ------------------>|<- framing: FrameEncoder/FrameDecoder ->
 *
 * CRC-32C (Castagnoli): poly 0x1EDC6F41, init 0xFFFFFFFF, reflected in and out, xorout 0xFFFFFFFF,
 * check("123456789") = 0xE3069283; computed over the packet.
 * flags: bit 0 MORE (more frames of this streamed response follow); bits 1..7 zero.
 * </pre>
 *
 * All multi-byte integers and floats are little-endian.
 */
public final class WireFormat {
  private WireFormat() {}

  /** The lowest protocol version this codec speaks: the first, whose messages every later version keeps. */
  public static final int MIN_VERSION = 1;
  /** The highest protocol version this codec speaks: version 1 plus SOURCE and SWEEP. */
  public static final int MAX_VERSION = 2;

  /** Frame delimiter; COBS guarantees it never appears inside an encoded frame. */
  public static final byte DELIMITER = 0;

  public static final int HEADER_BYTES = 5;
  public static final int CRC_BYTES = 4;
  /** Smallest payload: a header, an empty body and the CRC. */
  public static final int MIN_PAYLOAD_BYTES = HEADER_BYTES + CRC_BYTES;
  /** Largest payload (header + body + CRC) either side may send; boards may accept less (IDENTITY). */
  public static final int MAX_PAYLOAD_BYTES = 8192;
  /** Largest packet: a payload without its CRC. */
  public static final int MAX_PACKET_BYTES = MAX_PAYLOAD_BYTES - CRC_BYTES;
  /** Largest body: {@link #MAX_PAYLOAD_BYTES} less header and CRC. */
  public static final int MAX_BODY_BYTES = MAX_PAYLOAD_BYTES - HEADER_BYTES - CRC_BYTES;
  /** Largest COBS encoding of a payload, delimiter excluded: n + 1 + floor(n / 254). */
  public static final int MAX_ENCODED_BYTES = Cobs.maxEncodedLength(MAX_PAYLOAD_BYTES);

  public static final int FLAG_MORE = 0x01;

  /** Pulse amplitudes travel as u16 millivolts (magnitude; polarity separately). */
  public static final double PULSE_VOLTS_PER_LSB = 1e-3;
  /** Read voltages (single reads and vector-read inputs) travel as i16 in units of 100 microvolts. */
  public static final double READ_VOLTS_PER_LSB = 1e-4;
  /** Compliance currents travel as u32 nanoamperes. */
  public static final double COMPLIANCE_AMPS_PER_LSB = 1e-9;
}
