package org.rramctl.protocol;

import java.util.zip.CRC32C;

/**
 * The frame check: CRC-32C (Castagnoli), the JDK's {@link CRC32C}. Parameters in {@link WireFormat}.
 * Chosen over CRC-16/CCITT because frames reach 8 KiB, where a 16-bit CRC's Hamming distance of 4 ends
 * (32751 bits) and its 1-in-65536 miss rate for random corruption is too high for a link that carries
 * pulse commands; the JDK version is hardware-accelerated, and ARMv8 and many MCUs have it in silicon.
 */
public final class Crc {
  private Crc() {}

  /** CRC-32C of {@code len} bytes of {@code b} from {@code off}, as an unsigned value in an int. */
  public static int crc32c(byte[] b, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(b, off, len);
    return (int) crc.getValue();
  }
}
