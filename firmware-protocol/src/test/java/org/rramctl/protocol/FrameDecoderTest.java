package org.rramctl.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
  private final FrameDecoder decoder = FrameDecoder.create();
  private final List<FrameEvent> events = new ArrayList<>();

  private static final Message READ = new Command.Read(new CellAddress(0, WirePlane.ACTIVE, 3, 5), 2000);
  private static final byte[] GOOD = MessageCodec.frame(READ, 42);

  private void feed(byte[]... chunks) {
    for (byte[] c : chunks) decoder.feed(c, 0, c.length, events::add);
  }

  private static FrameEvent.Frame goodFrame() {
    return new FrameEvent.Frame(MessageCodec.encode(READ, 42));
  }

  private FrameEvent.FramingError onlyError() {
    assertEquals(1, events.size(), events::toString);
    return assertInstanceOf(FrameEvent.FramingError.class, events.get(0));
  }

  @Test
  void wholeFrameYieldsItsPacket() {
    feed(GOOD);
    assertEquals(List.of(goodFrame()), events);
    assertFalse(decoder.hasPartialFrame());
  }

  @Test
  void truncatedFrameWaitsForMoreBytes() {
    feed(Arrays.copyOf(GOOD, GOOD.length - 1));
    assertEquals(List.of(), events);
    assertTrue(decoder.hasPartialFrame());
    feed(new byte[] {0});
    assertEquals(List.of(goodFrame()), events);
  }

  @Test
  void oneByteAtATimeYieldsTheSameFrames() {
    for (int round = 0; round < 3; round++) {
      for (byte b : GOOD) feed(new byte[] {b});
    }
    assertEquals(List.of(goodFrame(), goodFrame(), goodFrame()), events);
  }

  @Test
  void corruptCrcIsReportedAndDecoderResyncs() {
    byte[] payload = Arrays.copyOf(MessageCodec.encode(READ, 42), MessageCodec.encode(READ, 42).length + 4);
    int crc = Crc.crc32c(payload, 0, payload.length - 4) ^ 0x0100;
    for (int k = 0; k < 4; k++) payload[payload.length - 4 + k] = (byte) (crc >>> (8 * k));
    feed(cobsFrame(payload), GOOD);
    assertEquals(FrameEvent.Kind.BAD_CRC, ((FrameEvent.FramingError) events.get(0)).kind());
    assertEquals(goodFrame(), events.get(1));
    assertEquals(2, events.size());
  }

  @Test
  void flippedBitInsideAFrameIsReportedAndTheNextFrameDecodes() {
    byte[] bad = GOOD.clone();
    bad[6] ^= 0x10;
    feed(bad, GOOD);
    assertInstanceOf(FrameEvent.FramingError.class, events.get(0));
    assertEquals(goodFrame(), events.get(1));
  }

  @Test
  void noiseBeforeAFrameIsEndedByALoneDelimiter() {
    feed(new byte[] {0x13, 0x37, 0x42}, new byte[] {0}, GOOD);
    assertEquals(FrameEvent.Kind.BAD_COBS, ((FrameEvent.FramingError) events.get(0)).kind());
    assertEquals(List.of(events.get(0), goodFrame()), events);
  }

  @Test
  void blockCodePastTheEndIsBadCobs() {
    feed(new byte[] {0x05, 0x11, 0x22, 0x00});
    FrameEvent.FramingError e = onlyError();
    assertEquals(FrameEvent.Kind.BAD_COBS, e.kind());
    assertEquals(3, e.frameBytes());
  }

  @Test
  void frameShorterThanHeaderAndCrcIsTooShort() {
    feed(cobsFrame(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
    assertEquals(FrameEvent.Kind.TOO_SHORT, onlyError().kind());
  }

  @Test
  void emptyFramesBetweenDelimitersAreIgnored() {
    feed(new byte[] {0, 0, 0}, GOOD, new byte[] {0});
    assertEquals(List.of(goodFrame()), events);
  }

  @Test
  void oversizeFrameIsReportedOnceAndSkippedToTheNextDelimiter() {
    byte[] longRun = new byte[WireFormat.MAX_ENCODED_BYTES + 500];
    Arrays.fill(longRun, (byte) 0x55);
    feed(longRun, longRun, new byte[] {0}, GOOD);
    assertEquals(FrameEvent.Kind.OVERSIZE, ((FrameEvent.FramingError) events.get(0)).kind());
    assertEquals(WireFormat.MAX_ENCODED_BYTES + 1, ((FrameEvent.FramingError) events.get(0)).frameBytes(), "the byte that passed the limit is counted");
    assertEquals(List.of(events.get(0), goodFrame()), events);
  }

  @Test
  void payloadLongerThanTheMaximumIsOversizeEvenWhenItsEncodingFits() {
    byte[] payload = new byte[WireFormat.MAX_PAYLOAD_BYTES + 1];
    // A zero every 100 bytes keeps the COBS overhead at one byte, so only the decoded length is too long.
    for (int k = 0; k < payload.length; k++) payload[k] = (byte) (k % 100 == 0 ? 0 : 1);
    int crc = Crc.crc32c(payload, 0, payload.length - 4);
    for (int k = 0; k < 4; k++) payload[payload.length - 4 + k] = (byte) (crc >>> (8 * k));
    byte[] frame = cobsFrame(payload);
    assertTrue(frame.length - 1 <= WireFormat.MAX_ENCODED_BYTES);
    feed(frame);
    assertEquals(FrameEvent.Kind.OVERSIZE, onlyError().kind());
  }

  @Test
  void largestPayloadDecodes() {
    byte[] packet = new byte[WireFormat.MAX_PACKET_BYTES];
    Arrays.fill(packet, (byte) 0x7F);
    byte[] frame = FrameEncoder.frame(packet);
    assertEquals(WireFormat.MAX_ENCODED_BYTES + 1, frame.length);
    feed(frame);
    assertEquals(List.of(new FrameEvent.Frame(packet)), events);
  }

  static byte[] cobsFrame(byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(Cobs.encode(payload, 0, payload.length));
    out.write(0);
    return out.toByteArray();
  }
}
