package org.rramctl.sim.arc1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.SweepResult;
import org.rramctl.driver.arc1.Arc1Driver;
import org.rramctl.driver.arc1.Arc1Settings;
import org.rramctl.driver.arc1.Arc1Wire;
import org.rramctl.sim.DevicePreset;

/**
 * Holds the virtual ArC ONE's CurveTracer and the Java driver's source-measure role to the bytes ArC's own host library
 * wrote and read when it ran its CurveTracer module (resource arc1/libarc1-curvetracer.txt; how it was recorded:
 * arc1/LIBARC1-CROSSCHECK.md): the same job bytes for a one-point source and for an I-V loop, and the currents libarc1
 * computes from the same answers (level over resistance).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Libarc1CurveTracerCrossCheckTest {
  static List<VirtualArc1.Exchange> recorded() throws IOException {
    try (InputStream in = Libarc1CurveTracerCrossCheckTest.class.getResourceAsStream("/arc1/libarc1-curvetracer.txt")) {
      return Transcript.parse(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
    }
  }

  /** The board libarc1 talked to: seed 1, hfox-pristine (virtual-arc1 keeps a switching preset's own nominal pulse), 4 x 4. */
  static VirtualArc1 board() {
    return new VirtualArc1(DevicePreset.named("hfox-pristine"), 4, 4, 1);
  }

  private static String hex(byte[] b) {
    return HexFormat.ofDelimiter(" ").formatHex(b);
  }

  @Test
  void theRecordingHoldsTwoCurveTracerJobsAfterTheHandshake() throws IOException {
    assertEquals(List.of("00", "0", "01", "999", "201", "201"), recorded().stream().map(VirtualArc1.Exchange::code).toList());
  }

  @Test
  void theVirtualBoardAnswersLibarc1sCurveTracerAsRecorded() throws IOException {
    VirtualArc1 b = board();
    for (VirtualArc1.Exchange x : recorded()) {
      assertEquals(hex(x.answered()), hex(b.feed(x.received(), 0, x.received().length)), "answer to command " + x.code());
    }
    assertEquals(List.of(), b.errors());
  }

  @Test
  void theDriverWritesLibarc1sCurveTracerBytesAndTakesTheCurrentsAsLibarc1Does() throws IOException {
    List<VirtualArc1.Exchange> rec = recorded();
    Arc1Link link = Arc1Link.to(board());
    Arc1Settings s = Arc1Settings.defaults().withGeometry(4, 4).withResetWait(Duration.ZERO).withWriteDelay(Duration.ZERO);
    try (Arc1Driver d = Arc1Driver.open(link, s, 1e-6, 1e-4)) {
      link.takeWritten();
      SourceMeasure sm = d.sourceMeasure().orElseThrow();
      Cell c = Cell.active(0, 2, 3);
      double amps = sm.source(c, 2.5, 100_000, 100e-6);
      assertEquals(hex(rec.get(4).received()), hex(link.takeWritten()), "CurveTracer, one point at 2.5 V");
      assertEquals(2.5 / Arc1Wire.float32(rec.get(4).answered(), 0), amps, 0.0, "level / resistance");

      Sweep loop = Sweep.loop(0.3, 0.2, 0.1, 1_000_000, 0, 80e-6);
      SweepResult r = sm.sweep(c, loop);
      assertEquals(hex(rec.get(5).received()), hex(link.takeWritten()), "CurveTracer, the loop");
      assertArrayEquals(loop.levelsVolts(), r.volts());
      byte[] answered = rec.get(5).answered();
      int kept = 0;
      for (int k = 0; k < answered.length / Arc1Wire.TRIPLET_BYTES - 1; k++) {
        float v = Arc1Wire.float32(answered, k * Arc1Wire.TRIPLET_BYTES + 4);
        if (k == 0 || k == 6) {
          assertEquals(0f, v, "point " + k + " opens a branch at 0 V and is left out");
          continue;
        }
        // libarc1 divides the two float32 in float32; the driver divides the same two numbers in double.
        assertEquals((double) v / Arc1Wire.float32(answered, k * Arc1Wire.TRIPLET_BYTES), r.amps(kept++), 0.0, "point " + k);
      }
      assertEquals(r.points(), kept);
    }
  }
}
