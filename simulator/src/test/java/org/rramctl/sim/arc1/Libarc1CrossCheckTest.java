package org.rramctl.sim.arc1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rramctl.driver.Cell;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.arc1.Arc1Driver;
import org.rramctl.driver.arc1.Arc1Settings;
import org.rramctl.driver.arc1.Arc1Wire;
import org.rramctl.sim.DevicePreset;

/**
 * Holds the virtual ArC ONE and the Java driver to the bytes ArC's own host library wrote and read
 * (resources arc1/libarc1-readme-ops.txt; how it was recorded: arc1/LIBARC1-CROSSCHECK.md).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Libarc1CrossCheckTest {
  static List<VirtualArc1.Exchange> recorded() throws IOException {
    try (InputStream in = Libarc1CrossCheckTest.class.getResourceAsStream("/arc1/libarc1-readme-ops.txt")) {
      return Transcript.parse(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
    }
  }

  /** The board libarc1 talked to: seed 1, rram-imbalanced at ArC scale, 32 x 32. */
  static VirtualArc1 board() {
    return new VirtualArc1(VirtualArc1.arcScale(DevicePreset.named("rram-imbalanced")), 32, 32, 1);
  }

  private static String hex(byte[] b) {
    return HexFormat.ofDelimiter(" ").formatHex(b);
  }

  @Test
  void theRecordingHoldsTheReadmeOperations() throws IOException {
    List<String> codes = recorded().stream().map(VirtualArc1.Exchange::code).toList();
    assertEquals(List.of("00", "0", "01", "999", "1", "3", "02", "04", "2"), codes);
  }

  @Test
  void theVirtualBoardAnswersLibarc1sBytesAsRecorded() throws IOException {
    VirtualArc1 b = board();
    for (VirtualArc1.Exchange x : recorded()) {
      byte[] answer = b.feed(x.received(), 0, x.received().length);
      assertEquals(hex(x.answered()), hex(answer), "answer to command " + x.code());
    }
    assertEquals(List.of(), b.errors());
  }

  @Test
  void theDriverWritesLibarc1sBytesAndReadsTheRecordedAnswers() throws IOException {
    List<VirtualArc1.Exchange> rec = recorded();
    Arc1Link link = Arc1Link.to(board());
    Arc1Settings s = Arc1Settings.defaults().withResetWait(Duration.ZERO).withWriteDelay(Duration.ZERO);
    try (Arc1Driver d = Arc1Driver.open(link, s, 1e-6, 1e-4)) {
      assertEquals(hex(concat(rec.subList(0, 4), false)), hex(link.takeWritten()), "reset, initialise, read setup, firmware query");
      assertArrayEquals(new int[] {1, 0}, d.firmwareVersion());

      double g = d.read(Cell.active(0, 1, 6), 0.5);
      assertEquals(hex(rec.get(4).received()), hex(link.takeWritten()), "read_one(2, 7)");
      assertEquals(1.0 / Arc1Wire.float32(rec.get(4).answered(), 0), g, 0.0);

      Pulse p = Pulse.up(2.5, Duration.ofNanos(100_000));
      g = d.pulseThenRead(Cell.active(0, 1, 6), p, 1, 0.5);
      assertEquals(hex(rec.get(5).received()), hex(link.takeWritten()), "pulseread_one(2, 7, 2.5, 100e-6)");
      assertEquals(1.0 / Arc1Wire.float32(rec.get(5).answered(), 0), g, 0.0);

      d.pulse(Cell.active(0, 4, 11), p, 1);
      assertEquals(hex(concat(rec.subList(6, 8), false)), hex(link.takeWritten()), "select(5, 12) + pulse_active(2.5, 100e-6)");

      ConductanceMap all = d.readArray(0, Plane.ACTIVE, 0.5);
      assertEquals(hex(rec.get(8).received()), hex(link.takeWritten()), "read_all()");
      byte[] answered = rec.get(8).answered();
      for (int k = 0; k < 32 * 32; k++) assertEquals(1.0 / Arc1Wire.float32(answered, 4 * k), all.get(k / 32, k % 32), 0.0, "device " + k);
    }
  }

  private static byte[] concat(List<VirtualArc1.Exchange> xs, boolean answers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (VirtualArc1.Exchange x : xs) out.writeBytes(answers ? x.answered() : x.received());
    return out.toByteArray();
  }
}
