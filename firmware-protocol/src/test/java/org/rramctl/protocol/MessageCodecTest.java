package org.rramctl.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
  private static final Command.Read READ = new Command.Read(new CellAddress(0, WirePlane.ACTIVE, 3, 5), 2000);

  private static Response.Identity identity(int protocolVersion) {
    return new Response.Identity(protocolVersion, 1000, 8192, "RB-0042", "rramctl-ref", "2.0.0", List.of(new ArrayInfo(32, 32, true)),
        GoldenVectors.LIMITS, 12, 1e-6f, 1e-4f, 2.5e-8f, EnumSet.of(Opcode.READ));
  }

  private static Message golden(String name) {
    return GoldenVectors.ALL.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow().message();
  }

  @Test
  void unknownOpcodeIsRejectedWithItsHexValue() {
    ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.decode(new byte[] {1, 0x7E, 0, 0, 0}));
    assertTrue(e.getMessage().contains("opcode: 0x7e"), e.getMessage());
    assertEquals(0x7E, e.opcode());
    assertEquals(1, e.offset());
  }

  @Test
  void packetOfAnotherVersionIsRefusedNamingBothVersions() {
    byte[] packet = MessageCodec.encode(READ, 1);
    packet[0] = 2;
    ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.decode(packet));
    assertTrue(e.getMessage().startsWith("version: 2 (expected: 1)"), e.getMessage());
  }

  @Test
  void identityOfAnyVersionDecodesSoThatTheHostCanRefuseItByName() throws Exception {
    byte[] packet = MessageCodec.encode(identity(2), 1);
    packet[0] = 2;
    Response.Identity board = (Response.Identity) MessageCodec.decode(packet).message();
    ProtocolVersionException e = assertThrows(ProtocolVersionException.class, () -> new Command.Hello(1, 1).requireAccepts(board));
    assertEquals("board RB-0042 (firmware 2.0.0) speaks protocol version 2 (expected: version 1, the window of this host)", e.getMessage());
    new Command.Hello(1, 2).requireAccepts(board);
  }

  @Test
  void truncatedBodyNamesTheOpcodeAndTheOffset() {
    byte[] packet = Arrays.copyOf(MessageCodec.encode(READ, 1), 11);
    ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.decode(packet));
    assertEquals(Opcode.READ.code(), e.opcode());
    assertEquals(11, e.offset());
  }

  @Test
  void trailingBytesAreMalformed() {
    byte[] packet = Arrays.copyOf(MessageCodec.encode(READ, 1), 14);
    ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.decode(packet));
    assertTrue(e.getMessage().startsWith("READ body: 9 bytes (expected: 8)"), e.getMessage());
  }

  @Test
  void moreFlagOnAResponseThatDoesNotStreamIsMalformed() {
    byte[] packet = MessageCodec.encode(new Response.Conductance(7), 1);
    packet[4] = WireFormat.FLAG_MORE;
    ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.decode(packet));
    assertEquals(4, e.offset());
  }

  @Test
  void fieldOutOfRangeIsMalformedAndNamesTheField() {
    byte[] packet = MessageCodec.encode(READ, 1);
    packet[11] = 0;
    packet[12] = 0;
    ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.decode(packet));
    assertTrue(e.getMessage().startsWith("READ: readTenthMillivolts: 0 (expected: 1..32767)"), e.getMessage());
  }

  @Test
  void updateStreamMarkedPresentButEmptyIsMalformed() {
    Command.Update u = (Command.Update) golden("update");
    byte[] packet = MessageCodec.encode(u, 1);
    int firstRowMagnitude = WireFormat.HEADER_BYTES + 31 + 2;
    packet[firstRowMagnitude] = 0;
    ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.decode(packet));
    assertTrue(e.getMessage().startsWith("stream 0: 0x0"), e.getMessage());
    assertEquals(firstRowMagnitude, e.offset());
  }

  @Test
  void messageTooLongForOneFrameIsRefusedOnEncode() {
    Command.ForwardRead big = new Command.ForwardRead(new TileAddress(0, 0, 0, 4100, 1), WireReadMode.ACTIVE, new short[4100]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MessageCodec.encode(big, 1));
    assertEquals("FORWARD_READ packet: 8215 bytes (expected: <= 8188; split the tile)", e.getMessage());
  }

  @Test
  void largestStreamedPartsFitOneFrame() throws ProtocolException {
    Response.Conductances codes = new Response.Conductances(0, true, 0, new short[Response.Conductances.MAX_CODES]);
    assertEquals(WireFormat.MAX_PACKET_BYTES - 1, MessageCodec.encode(codes, 1).length);
    assertEquals(codes, MessageCodec.decode(MessageCodec.encode(codes, 1)).message());
    Response.Currents amps = new Response.Currents(0, false, 0, new float[Response.Currents.MAX_VALUES]);
    assertEquals(amps, MessageCodec.decode(MessageCodec.encode(amps, 1)).message());
  }

  @Test
  void identityBodyIs48BytesPlusItsTextsAndFivePerArray() {
    // "RB-0042", "rramctl-ref", "1.0.0" and two arrays.
    assertEquals(WireFormat.HEADER_BYTES + 48 + 7 + 11 + 5 + 2 * 5, MessageCodec.encode(golden("identity"), 1).length);
  }

  @Test
  void recordsRefuseValuesTheirWireFieldCannotHold() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CellAddress(256, WirePlane.ACTIVE, 0, 0));
    assertEquals("array: 256 (expected: 0..255)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Command.Update(new TileAddress(0, 0, 0, 1, 1), WirePlane.ACTIVE, 3,
        GoldenVectors.SET_1V5_100NS, GoldenVectors.SET_1V5_100NS, new long[] {8}, new long[] {1}));
    assertEquals("rowStreams[0]: 8 (expected: magnitude < 2^3)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Response.Identity(1, 1000, 8192, "x", "", "", List.of(new ArrayInfo(1, 1, false)),
        GoldenVectors.LIMITS, 12, Float.NaN, 1e-4f, 1e-8f, EnumSet.noneOf(Opcode.class)));
  }

  @Test
  void onlyPulsesUpdatesAndSourceMeasureCommandsChangeDevices() {
    for (Opcode op : Opcode.values()) {
      boolean changes = op == Opcode.PULSE || op == Opcode.PULSE_THEN_READ || op == Opcode.UPDATE || op == Opcode.SOURCE || op == Opcode.SWEEP;
      assertEquals(changes, op.changesDevices(), op::name);
    }
  }

  @Test
  void aSessionDecodesOnlyItsOwnVersionAndItsVersionsMessages() throws ProtocolException {
    Command.Source source = new Command.Source(GoldenVectors.CELL, 2050, 100_000, 100_000);
    assertEquals(new Envelope(2, source), MessageCodec.decode(MessageCodec.encode(source, 2, 2), 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MessageCodec.encode(source, 2, 1));
    assertEquals("SOURCE: protocol version 1 (expected: >= 2, the version that introduced it)", e.getMessage());
    byte[] packet = MessageCodec.encode(source, 2, 2);
    packet[0] = 1;
    ProtocolException p = assertThrows(ProtocolException.class, () -> MessageCodec.decode(packet, 1));
    assertEquals("opcode: 0x19 (expected: a message of protocol version 1; SOURCE is version 2) [opcode 0x19, offset 1]", p.getMessage());
    byte[] status = MessageCodec.encode(new Command.GetStatus(), 3, 1);
    p = assertThrows(ProtocolException.class, () -> MessageCodec.decode(status, 2));
    assertEquals("version: 1 (expected: 2) [opcode 0x03, offset 0]", p.getMessage());
    // HELLO and IDENTITY decode in any session: that is how the two sides learn each other's version.
    assertEquals(new Command.Hello(1, 2), MessageCodec.decode(MessageCodec.encode(new Command.Hello(1, 2), 1, 2), 1).message());
    assertEquals(2, MessageCodec.encode(GoldenVectors.IDENTITY_V2, 1, 1)[0], "IDENTITY carries the board's own version");
  }

  @Test
  void anIdentityCannotDeclareOperationsNewerThanItsVersion() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Response.Identity(1, 1000, 8192, "RB-1", "", "",
        List.of(new ArrayInfo(1, 1, false)), GoldenVectors.LIMITS, 12, 1e-6f, 1e-4f, 1e-8f, EnumSet.of(Opcode.READ, Opcode.SOURCE)));
    assertEquals("nativeOps: SOURCE (expected: operations of protocol version 1; SOURCE is version 2)", e.getMessage());
  }
}
