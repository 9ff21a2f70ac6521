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

class GoldenVectorsTest {

  record Line(String name, int sequence, byte[] frame, String meaning, String fields) {}

  static List<Line> stored() throws IOException {
    List<Line> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        GoldenVectorsTest.class.getResourceAsStream("/golden-vectors.txt"), StandardCharsets.UTF_8))) {
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

  private static Envelope decodeFrame(byte[] frame) throws ProtocolException {
    List<FrameEvent> events = new ArrayList<>();
    FrameDecoder.create().feed(frame, 0, frame.length, events::add);
    assertEquals(1, events.size(), events::toString);
    return MessageCodec.decode(((FrameEvent.Frame) events.get(0)).packet());
  }

  @Test
  void everyCommandAndResponseTypeHasAGoldenVector() throws IOException {
    Set<Class<?>> covered = new HashSet<>();
    for (Line l : stored()) covered.add(decodeFrame(l.frame()).message().getClass());
    Set<Class<?>> all = new HashSet<>(leafTypes(Command.class));
    all.addAll(leafTypes(Response.class));
    assertEquals(27, all.size());
    Set<Class<?>> missing = new HashSet<>(all);
    missing.removeAll(covered);
    assertEquals(Set.of(), missing);
  }

  @Test
  void storedVectorsAreTheExpectedMessages() throws IOException {
    Map<String, GoldenVectors.Vector> expected = new LinkedHashMap<>();
    for (GoldenVectors.Vector v : GoldenVectors.ALL) expected.put(v.name(), v);
    List<Line> lines = stored();
    assertEquals(expected.keySet(), new java.util.LinkedHashSet<>(lines.stream().map(Line::name).toList()));
    for (Line l : lines) {
      GoldenVectors.Vector v = expected.get(l.name());
      assertEquals(new Envelope(v.sequence(), v.message()), decodeFrame(l.frame()), l.name());
      assertEquals(l.sequence(), v.sequence(), l.name());
      assertEquals(HexFormat.of().formatHex(l.frame()), HexFormat.of().formatHex(MessageCodec.frame(v.message(), v.sequence())), l.name());
      assertEquals(l.fields(), v.message().toString(), l.name());
      assertEquals(l.meaning(), v.meaning(), l.name());
    }
  }

  /** COBS-decodes each stored frame by hand and checks its CRC with the bit-by-bit definition, not the JDK. */
  @Test
  void everyStoredFrameCarriesAValidCrcByAnIndependentComputation() throws IOException {
    for (Line l : stored()) {
      byte[] f = l.frame();
      assertEquals(0, f[f.length - 1], l.name());
      byte[] payload = new byte[f.length];
      int n = 0;
      for (int i = 0; i < f.length - 1; ) {
        int code = f[i++] & 0xFF;
        for (int k = 1; k < code; k++) payload[n++] = f[i++];
        if (code < 0xFF && i < f.length - 1) payload[n++] = 0;
      }
      payload = Arrays.copyOf(payload, n);
      int stored = (payload[n - 4] & 0xFF) | (payload[n - 3] & 0xFF) << 8 | (payload[n - 2] & 0xFF) << 16 | (payload[n - 1] & 0xFF) << 24;
      assertEquals(CrcTest.bitwiseCrc32c(payload, 0, n - 4), stored, l.name());
      assertEquals(WireFormat.VERSION, payload[0], l.name());
      assertEquals(l.sequence(), (payload[2] & 0xFF) | (payload[3] & 0xFF) << 8, l.name());
      assertTrue(n <= WireFormat.MAX_PAYLOAD_BYTES, l.name());
    }
  }
}
