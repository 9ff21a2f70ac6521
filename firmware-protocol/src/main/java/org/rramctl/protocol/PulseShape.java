package org.rramctl.protocol;

/**
 * A pulse shape on the wire: amplitude u16 millivolts (a magnitude; the polarity travels separately),
 * width u32 ns, period between pulse starts of a train u32 ns (10 bytes).
 */
public record PulseShape(int amplitudeMillivolts, long widthNanos, long periodNanos) {
  public static final int BYTES = 10;

  public PulseShape {
    Check.range("amplitudeMillivolts", amplitudeMillivolts, 1, 0xFFFF);
    Check.range("widthNanos", widthNanos, 1, 0xFFFF_FFFFL);
    Check.range("periodNanos", periodNanos, widthNanos, 0xFFFF_FFFFL);
  }
}
