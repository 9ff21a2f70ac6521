package org.rramctl.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GoldenVectorsTest {

  record Line(String name, int sequence, byte[] frame, String meaning, String fields) {}

  /** The vectors of golden-vectors.txt, a session of protocol version 1. */
  static List<Line> stored() throws IOException {
    return stored(1);
  }

  /** The vectors of the file of protocol {@code version}'s session. */
  static List<Line> stored(int version) throws IOException {
    List<Line> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        GoldenVectorsTest.class.getResourceAsStream(GoldenVectors.file(version)), StandardCharsets.UTF_8))) {
      for (String s; (s = r.readLine()) != null; ) {
        if (s.isBlank() || s.startsWith("#")) continue;
        String[] f = s.split(" \\| ", 5);
        lines.add(new Line(f[0], Integer.parseInt(f[1]), HexFormat.of().parseHex(f[2]), f[3], f[4]));
      }
    }
    return lines;
  }

  /** The record classes under a sealed interface, found through getPermittedSubclasses, recursively. */
  static Set<Class<?>> leafTypes(Class<?> sealed) {
    Set<Class<?>> leaves = new HashSet<>();
    for (Class<?> c : sealed.getPermittedSubclasses()) {
      if (c.isSealed()) leaves.addAll(leafTypes(c));
      else leaves.add(c);
    }
    return leaves;
  }

  static Envelope decodeFrame(byte[] frame, int version) throws ProtocolException {
    List<FrameEvent> events = new ArrayList<>();
    FrameDecoder.create().feed(frame, 0, frame.length, events::add);
    assertEquals(1, events.size(), events::toString);
    return MessageCodec.decode(((FrameEvent.Frame) events.get(0)).packet(), version);
  }

  @Test
  void everyCommandAndResponseTypeHasAGoldenVector() throws IOException {
    Set<Class<?>> covered = new HashSet<>();
    for (int version = WireFormat.MIN_VERSION; version <= WireFormat.MAX_VERSION; version++) {
      for (Line l : stored(version)) covered.add(decodeFrame(l.frame(), version).message().getClass());
    }
    Set<Class<?>> all = new HashSet<>(leafTypes(Command.class));
    all.addAll(leafTypes(Response.class));
    assertEquals(31, all.size());
    Set<Class<?>> missing = new HashSet<>(all);
    missing.removeAll(covered);
    assertEquals(Set.of(), missing);
  }

  @ParameterizedTest(name = "protocol version {0}")
  @ValueSource(ints = {1, 2})
  void storedVectorsAreTheExpectedMessages(int version) throws IOException {
    Map<String, GoldenVectors.Vector> expected = new LinkedHashMap<>();
    for (GoldenVectors.Vector v : GoldenVectors.of(version)) expected.put(v.name(), v);
    List<Line> lines = stored(version);
    assertEquals(expected.keySet(), new java.util.LinkedHashSet<>(lines.stream().map(Line::name).toList()));
    for (Line l : lines) {
      GoldenVectors.Vector v = expected.get(l.name());
      assertEquals(new Envelope(v.sequence(), v.message()), decodeFrame(l.frame(), version), l.name());
      assertEquals(l.sequence(), v.sequence(), l.name());
      assertEquals(HexFormat.of().formatHex(l.frame()), HexFormat.of().formatHex(MessageCodec.frame(v.message(), v.sequence(), version)), l.name());
      assertEquals(l.fields(), v.message().toString(), l.name());
      assertEquals(l.meaning(), v.meaning(), l.name());
    }
  }

  /** The payload of a frame, COBS-decoded by hand (PROTOCOL.md 1.1), without the JDK or the codec. */
  private static byte[] payloadByHand(byte[] f) {
    byte[] payload = new byte[f.length];
    int n = 0;
    for (int i = 0; i < f.length - 1; ) {
      int code = f[i++] & 0xFF;
      for (int k = 1; k < code; k++) payload[n++] = f[i++];
      if (code < 0xFF && i < f.length - 1) payload[n++] = 0;
    }
    return Arrays.copyOf(payload, n);
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
  }

  private static long u32(byte[] b, int at) {
    return u16(b, at) | (long) u16(b, at + 2) << 16;
  }

  /**
   * Reads the version-2 bodies (SOURCE, SWEEP, MEASURED, SWEEP_POINTS, and IDENTITY's mask) at the byte offsets
   * PROTOCOL.md section 10 gives, by hand, and compares them with the messages the vectors were made from: the codec
   * cannot hide a layout bug behind a matching decoder (the C firmware's test does this for version 1).
   */
  @Test
  void aHandDecoderReadsTheVersion2BodiesAtTheOffsetsOfProtocolMd() throws IOException {
    Map<String, GoldenVectors.Vector> expected = new LinkedHashMap<>();
    for (GoldenVectors.Vector v : GoldenVectors.V2) expected.put(v.name(), v);
    int checked = 0;
    for (Line l : stored(2)) {
      byte[] p = payloadByHand(l.frame());
      int body = WireFormat.HEADER_BYTES;
      int end = p.length - WireFormat.CRC_BYTES;
      Message m = expected.get(l.name()).message();
      switch (p[1] & 0xFF) {
        case 0x19 -> {
          Command.Source s = (Command.Source) m;
          assertEquals(16, end - body, l.name());
          assertEquals(s.cell(), new CellAddress(p[body], WirePlane.values()[p[body + 1]], u16(p, body + 2), u16(p, body + 4)), l.name());
          assertEquals(s.millivolts(), (short) u16(p, body + 6), l.name());
          assertEquals(s.durationNanos(), u32(p, body + 8), l.name());
          assertEquals(s.complianceNanoamps(), u32(p, body + 12), l.name());
          checked++;
        }
        case 0x1A -> {
          Command.Sweep s = (Command.Sweep) m;
          assertEquals(18 + 2 * s.levelsMillivolts().length, end - body, l.name());
          assertEquals(s.stepNanos(), u32(p, body + 6), l.name());
          assertEquals(s.offNanos(), u32(p, body + 10), l.name());
          assertEquals(s.complianceNanoamps(), u32(p, body + 14), l.name());
          for (int k = 0; k < s.levelsMillivolts().length; k++) assertEquals(s.levelsMillivolts()[k], (short) u16(p, body + 18 + 2 * k), l.name());
          checked++;
        }
        case 0x99 -> {
          Response.Measured r = (Response.Measured) m;
          assertEquals(5, end - body, l.name());
          assertEquals(r.amps(), Float.intBitsToFloat((int) u32(p, body)), l.name());
          assertEquals(r.atCompliance() ? 1 : 0, p[body + 4], l.name());
          checked++;
        }
        case 0x9A -> {
          Response.SweepPoints r = (Response.SweepPoints) m;
          assertEquals(4 + 5 * r.amps().length, end - body, l.name());
          assertEquals(r.more() ? 1 : 0, p[4], l.name() + ": MORE");
          assertEquals(r.part(), u16(p, body), l.name());
          assertEquals(r.first(), u16(p, body + 2), l.name());
          for (int k = 0; k < r.amps().length; k++) {
            assertEquals(r.amps()[k], Float.intBitsToFloat((int) u32(p, body + 4 + 5 * k)), l.name());
            assertEquals(r.atCompliance()[k] ? 1 : 0, p[body + 8 + 5 * k], l.name());
          }
          checked++;
        }
        case 0x81 -> {
          assertEquals(0x07FF, u16(p, end - 2), l.name() + ": nativeOps, bits 9 SOURCE and 10 SWEEP set");
          checked++;
        }
        default -> { }
      }
    }
    assertEquals(10, checked);
  }

  /** COBS-decodes each stored frame by hand and checks its CRC with the bit-by-bit definition, not the JDK. */
  @ParameterizedTest(name = "protocol version {0}")
  @ValueSource(ints = {1, 2})
  void everyStoredFrameCarriesAValidCrcByAnIndependentComputation(int version) throws IOException {
    for (Line l : stored(version)) {
      byte[] f = l.frame();
      assertEquals(0, f[f.length - 1], l.name());
      byte[] payload = payloadByHand(f);
      int n = payload.length;
      int stored = (payload[n - 4] & 0xFF) | (payload[n - 3] & 0xFF) << 8 | (payload[n - 2] & 0xFF) << 16 | (payload[n - 1] & 0xFF) << 24;
      assertEquals(CrcTest.bitwiseCrc32c(payload, 0, n - 4), stored, l.name());
      assertEquals(version, payload[0], l.name() + ": the header carries the session's version");
      assertEquals(l.sequence(), (payload[2] & 0xFF) | (payload[3] & 0xFF) << 8, l.name());
      assertTrue(n <= WireFormat.MAX_PAYLOAD_BYTES, l.name());
    }
  }
}
