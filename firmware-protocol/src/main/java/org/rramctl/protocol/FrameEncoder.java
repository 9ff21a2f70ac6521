package org.rramctl.protocol;

/** Turns a packet (header and body) into a frame: appends its CRC-32C, COBS-encodes, appends the 0x00 delimiter. */
public final class FrameEncoder {
  private FrameEncoder() {}

  /**
   * The frame of a packet.
   *
   * @throws IllegalArgumentException when the packet is shorter than a header or longer than
   *     {@link WireFormat#MAX_PACKET_BYTES}
   */
  public static byte[] frame(byte[] packet) {
    Check.range("packet.length", packet.length, WireFormat.HEADER_BYTES, WireFormat.MAX_PACKET_BYTES);
    byte[] payload = java.util.Arrays.copyOf(packet, packet.length + WireFormat.CRC_BYTES);
    int crc = Crc.crc32c(packet, 0, packet.length);
    for (int k = 0; k < 4; k++) payload[packet.length + k] = (byte) (crc >>> (8 * k));
    byte[] cobs = Cobs.encode(payload, 0, payload.length);
    byte[] frame = java.util.Arrays.copyOf(cobs, cobs.length + 1);
    frame[cobs.length] = WireFormat.DELIMITER;
    return frame;
  }
}
