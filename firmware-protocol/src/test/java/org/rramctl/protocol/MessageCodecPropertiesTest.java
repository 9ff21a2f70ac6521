package org.rramctl.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class MessageCodecPropertiesTest {

  @Provide
  Arbitrary<Message> messages() {
    return Messages.any();
  }

  @Example
  void everyMessageTypeHasAGenerator() {
    assertEquals(GoldenVectorsTest.leafTypes(Message.class), Set.copyOf(Messages.byType().keySet()));
  }

  @Property(tries = 3000)
  void decodeOfEncodeIsTheSameMessageAndSequence(@ForAll("messages") Message m, @ForAll @IntRange(max = 0xFFFF) int sequence,
      @ForAll @IntRange(min = WireFormat.MIN_VERSION, max = WireFormat.MAX_VERSION) int version) throws ProtocolException {
    int v = Math.max(version, m.opcode().since()); // a session of an older version cannot carry the message at all
    assertEquals(new Envelope(sequence, m), MessageCodec.decode(MessageCodec.encode(m, sequence, v), v));
  }

  @Property(tries = 1000)
  void aFrameCarriesExactlyItsPacket(@ForAll("messages") Message m, @ForAll @IntRange(max = 0xFFFF) int sequence) {
    byte[] packet = MessageCodec.encode(m, sequence, m.opcode().since());
    List<FrameEvent> events = new ArrayList<>();
    byte[] frame = MessageCodec.frame(m, sequence, m.opcode().since());
    FrameDecoder.create().feed(frame, 0, frame.length, events::add);
    assertEquals(List.of(new FrameEvent.Frame(packet)), events);
  }

  /**
   * Packets with a valid header and random bodies, or valid packets with a few bytes changed after the
   * header: the codec either decodes them or throws ProtocolException, never anything else.
   */
  @Property(tries = 3000)
  void damagedPacketsDecodeOrRaiseProtocolExceptionOnly(@ForAll("messages") Message m, @ForAll long seed) {
    Random random = new Random(seed);
    int version = m.opcode().since();
    byte[] packet = MessageCodec.encode(m, 7, version);
    int mode = random.nextInt(3);
    if (mode == 0) {
      packet = Arrays.copyOf(packet, WireFormat.HEADER_BYTES + random.nextInt(packet.length * 2));
      for (int k = WireFormat.HEADER_BYTES; k < packet.length; k++) packet[k] = (byte) random.nextInt(256);
    } else if (mode == 1) {
      for (int k = 0; k < 3; k++) packet[random.nextInt(packet.length)] = (byte) random.nextInt(256);
    } else {
      packet = Arrays.copyOf(packet, random.nextInt(packet.length + 3));
    }
    try {
      MessageCodec.decode(packet, version);
    } catch (ProtocolException expected) {
      assertEquals(true, expected.offset() >= 0 && expected.offset() <= packet.length, expected::getMessage);
    }
  }

  @Example
  void everyOpcodeMapsToItsOwnType() {
    Set<Class<?>> types = new HashSet<>();
    for (Opcode op : Opcode.values()) {
      assertEquals(true, types.add(op.type()), op::name);
      assertEquals(op.isCommand(), Command.class.isAssignableFrom(op.type()), op::name);
    }
    assertEquals(GoldenVectorsTest.leafTypes(Message.class), types);
  }
}
