package org.rramctl.protocol;

import java.util.Arrays;

/** What a {@link FrameDecoder} reports: a good frame's packet, or a framing error it skipped. */
public sealed interface FrameEvent {

  /** A frame whose COBS, length and CRC checked out: its packet (header and body; the CRC removed). */
  record Frame(byte[] packet) implements FrameEvent {
    public Frame {
      Check.notNull("packet", packet);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Frame f && Arrays.equals(packet, f.packet);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(packet);
    }

    @Override
    public String toString() {
      return "Frame[" + packet.length + " bytes]";
    }
  }

  /**
   * Bytes up to a delimiter that did not form a frame; the decoder skipped them.
   *
   * @param frameBytes how many encoded bytes were skipped (for OVERSIZE: how many had arrived when the
   *     limit was passed; the rest up to the next delimiter are skipped silently)
   */
  record FramingError(Kind kind, int frameBytes, String detail) implements FrameEvent {
    public FramingError {
      Check.notNull("kind", kind);
      Check.notNull("detail", detail);
    }
  }

  /** Why bytes were skipped. */
  enum Kind {
    /** A block code runs past the frame's end. */
    BAD_COBS,
    /** Decoded to fewer bytes than a header and a CRC. */
    TOO_SHORT,
    /** Longer than {@link WireFormat#MAX_ENCODED_BYTES} encoded or {@link WireFormat#MAX_PAYLOAD_BYTES} decoded. */
    OVERSIZE,
    /** The CRC-32C does not match. */
    BAD_CRC
  }
}
