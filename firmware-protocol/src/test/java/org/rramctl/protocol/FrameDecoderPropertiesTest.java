package org.rramctl.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The decoder against chunked, random and mutated streams. Every byte stream comes from a
 * {@link Random} seeded by jqwik, so a failure reproduces from jqwik's reported seed. Volume per run:
 * 250 noise streams of 2000..10000 bytes and 250 mutated streams of at least 4000 bytes, so at least
 * 1.5 MB and typically about 2.5 MB of damaged input.
 */
class FrameDecoderPropertiesTest {
  @Provide
  Arbitrary<List<Message>> streams() {
    return Messages.any().list().ofMinSize(1).ofMaxSize(12);
  }

  private static byte[] wire(List<Message> messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int k = 0; k < messages.size(); k++) out.writeBytes(MessageCodec.frame(messages.get(k), k, WireFormat.MAX_VERSION));
    return out.toByteArray();
  }

  private static List<FrameEvent> feedInChunks(byte[] bytes, List<Integer> chunkSizes) {
    FrameDecoder decoder = FrameDecoder.create();
    List<FrameEvent> events = new ArrayList<>();
    int at = 0;
    for (int k = 0; at < bytes.length; k++) {
      int n = Math.min(chunkSizes.isEmpty() ? 1 : chunkSizes.get(k % chunkSizes.size()), bytes.length - at);
      decoder.feed(bytes, at, n, events::add);
      at += n;
    }
    return events;
  }

  @Property(tries = 300)
  void anyChunkingOfAValidStreamYieldsTheSameFrames(
      @ForAll("streams") List<Message> messages, @ForAll @Size(max = 20) List<@IntRange(min = 1, max = 300) Integer> chunkSizes)
      throws ProtocolException {
    byte[] bytes = wire(messages);
    List<FrameEvent> whole = feedInChunks(bytes, List.of(bytes.length));
    assertEquals(whole, feedInChunks(bytes, chunkSizes));
    assertEquals(whole, feedInChunks(bytes, List.of(1)));
    assertEquals(messages.size(), whole.size());
    for (int k = 0; k < messages.size(); k++) {
      assertEquals(new Envelope(k, messages.get(k)), MessageCodec.decode(((FrameEvent.Frame) whole.get(k)).packet(), WireFormat.MAX_VERSION));
    }
  }

  /**
   * Random bytes with a varying density of zeros (none: only OVERSIZE; 1/256: uniform noise; 1/8: many
   * short frames), then two good frames: only framing events come out, and the last is the good frame.
   */
  @Property(tries = 250)
  void randomBytesGiveNoFrameOnlyFramingErrorsAndTheDecoderResyncs(
      @ForAll long seed, @ForAll @IntRange(min = 2000, max = 10000) int length, @ForAll @IntRange(min = 0, max = 2) int zeroDensity,
      @ForAll("streams") List<Message> good) {
    Random random = new Random(seed);
    byte[] noise = new byte[length];
    random.nextBytes(noise);
    for (int k = 0; k < length; k++) {
      if (zeroDensity == 0 && noise[k] == 0) noise[k] = 1;
      if (zeroDensity == 2 && random.nextInt(8) == 0) noise[k] = 0;
    }
    assertResyncs(noise, List.of(), MessageCodec.frame(good.get(0), 9, WireFormat.MAX_VERSION), random);
  }

  /** Valid streams with bytes flipped, dropped, inserted or duplicated, then two good frames. */
  @Property(tries = 250)
  void mutatedStreamsGiveOnlyTheOriginalFramesAndTheDecoderResyncs(
      @ForAll long seed, @ForAll("streams") List<Message> messages, @ForAll @IntRange(min = 1, max = 20) int mutations) {
    Random random = new Random(seed);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (out.size() < 4000) out.writeBytes(wire(messages));
    List<Byte> bytes = new ArrayList<>();
    for (byte b : out.toByteArray()) bytes.add(b);
    for (int k = 0; k < mutations; k++) {
      int at = random.nextInt(bytes.size());
      switch (random.nextInt(4)) {
        case 0 -> bytes.set(at, (byte) (bytes.get(at) ^ (1 << random.nextInt(8))));
        case 1 -> bytes.remove(at);
        case 2 -> bytes.add(at, (byte) random.nextInt(256));
        default -> bytes.add(at, bytes.get(at));
      }
    }
    byte[] mutated = new byte[bytes.size()];
    for (int k = 0; k < mutated.length; k++) mutated[k] = bytes.get(k);
    List<byte[]> originals = new ArrayList<>();
    for (int k = 0; k < messages.size(); k++) originals.add(MessageCodec.frame(messages.get(k), k, WireFormat.MAX_VERSION));
    assertResyncs(mutated, originals, MessageCodec.frame(messages.get(0), 3, WireFormat.MAX_VERSION), random);
  }

  /** The packet (payload and CRC, before stuffing) a clean decoder takes out of {@code frame}. */
  private static FrameEvent.Frame packetOf(byte[] frame) {
    List<FrameEvent> out = new ArrayList<>();
    FrameDecoder.create().feed(frame, 0, frame.length, out::add);
    assertEquals(1, out.size(), "one frame");
    return (FrameEvent.Frame) out.get(0);
  }

  /**
   * Feeds {@code garbage} in random chunks: every frame that comes out must be one of {@code originals}
   * unchanged (the CRC-32C lets a damaged frame through with probability 2^-32 per frame: with at most about
   * 10^6 candidate frames in a run, about 2e-4 of runs would see one, and it would be reported here as the
   * bug it would be for a board); then two good frames, and the decoder must deliver the good one.
   */
  private static void assertResyncs(byte[] garbage, List<byte[]> originals, byte[] good, Random random) {
    FrameDecoder decoder = FrameDecoder.create();
    List<FrameEvent> events = new ArrayList<>();
    for (int at = 0; at < garbage.length; ) {
      int n = Math.min(1 + random.nextInt(512), garbage.length - at);
      decoder.feed(garbage, at, n, events::add);
      at += n;
    }
    List<FrameEvent.Frame> allowed = new ArrayList<>();
    for (byte[] o : originals) allowed.add(packetOf(o));
    for (FrameEvent e : events) {
      if (e instanceof FrameEvent.Frame f) {
        assertTrue(allowed.contains(f), "a frame out of a damaged stream that is none of the frames sent: " + f);
      }
    }
    decoder.feed(good, 0, good.length, events::add);
    decoder.feed(good, 0, good.length, events::add);
    List<FrameEvent> clean = new ArrayList<>();
    FrameDecoder.create().feed(good, 0, good.length, clean::add);
    assertEquals(clean.get(0), events.get(events.size() - 1));
  }
}
