package org.rramctl.protocol;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits a byte stream into frames: pure and push-based. Feed it bytes as they arrive, in chunks of any
 * size; it reports each complete frame ({@link FrameEvent.Frame}) or each run of bytes up to a delimiter
 * that was not a frame ({@link FrameEvent.FramingError}), in stream order. It never throws on input:
 * corruption is reported and skipped to the next 0x00, after which decoding resumes (resynchronises).
 * Bytes of an unfinished frame are kept until its delimiter arrives; at most
 * {@link WireFormat#MAX_ENCODED_BYTES} are kept, beyond that the frame is reported OVERSIZE once and the
 * rest of it skipped. Empty frames (consecutive delimiters) are ignored: a sender may send a lone 0x00
 * to end whatever partial frame noise left in the receiver.
 *
 * <p>Not thread-safe: one reader thread feeds it.
 */
public final class FrameDecoder {
  private final byte[] encoded = new byte[WireFormat.MAX_ENCODED_BYTES];
  private final byte[] decoded = new byte[WireFormat.MAX_ENCODED_BYTES];
  private int length;
  private boolean discarding;

  public static FrameDecoder create() {
    return new FrameDecoder();
  }

  private FrameDecoder() {}

  /** Feeds {@code len} bytes of {@code bytes} from {@code off}; events go to {@code sink} before this returns. */
  public void feed(byte[] bytes, int off, int len, Consumer<? super FrameEvent> sink) {
    for (int i = off, end = off + len; i < end; i++) {
      byte b = bytes[i];
      if (b != WireFormat.DELIMITER) {
        if (discarding) continue;
        if (length == encoded.length) {
          discarding = true;
          sink.accept(new FrameEvent.FramingError(FrameEvent.Kind.OVERSIZE, length + 1,
              "frame: more than " + WireFormat.MAX_ENCODED_BYTES + " encoded bytes (expected: <= " + WireFormat.MAX_ENCODED_BYTES + ")"));
          continue;
        }
        encoded[length++] = b;
      } else {
        if (!discarding && length > 0) sink.accept(complete());
        discarding = false;
        length = 0;
      }
    }
  }

  /** True when bytes of an unfinished frame are waiting for their delimiter. */
  public boolean hasPartialFrame() {
    return length > 0 || discarding;
  }

  private FrameEvent complete() {
    int n = Cobs.decode(encoded, 0, length, decoded);
    if (n < 0) return error(FrameEvent.Kind.BAD_COBS, "cobs: a block code runs past the end of the frame");
    if (n < WireFormat.MIN_PAYLOAD_BYTES) {
      return error(FrameEvent.Kind.TOO_SHORT, "payload: " + n + " bytes (expected: >= " + WireFormat.MIN_PAYLOAD_BYTES + ")");
    }
    if (n > WireFormat.MAX_PAYLOAD_BYTES) {
      return error(FrameEvent.Kind.OVERSIZE, "payload: " + n + " bytes (expected: <= " + WireFormat.MAX_PAYLOAD_BYTES + ")");
    }
    int packet = n - WireFormat.CRC_BYTES;
    int expected = Crc.crc32c(decoded, 0, packet);
    int actual = (decoded[packet] & 0xFF) | (decoded[packet + 1] & 0xFF) << 8 | (decoded[packet + 2] & 0xFF) << 16 | (decoded[packet + 3] & 0xFF) << 24;
    if (actual != expected) {
      return error(FrameEvent.Kind.BAD_CRC, String.format("crc: 0x%08x (expected: 0x%08x)", actual, expected));
    }
    return new FrameEvent.Frame(Arrays.copyOf(decoded, packet));
  }

  private FrameEvent error(FrameEvent.Kind kind, String detail) {
    return new FrameEvent.FramingError(kind, length, detail);
  }
}
