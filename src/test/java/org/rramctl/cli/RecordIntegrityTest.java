package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.driver.FileChecksums;

/**
 * Damaged and doctored files are refused with one line, exit 2: calibration records (checksum, then what the
 * record says), training checkpoints and device-state files (checksum).
 */
class RecordIntegrityTest {
  /** The board of the small network 49-16-10 (two arrays with references). */
  static final String BOARD = "sim:rram-imbalanced?geometry=50x16,17x10&seed=2";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path shared;
  static Path record;

  @BeforeAll
  static void calibrateOnce() throws Exception {
    record = shared.resolve("cal.json");
    CliRun.Result r = CliRun.run("calibrate", "--board", BOARD, "--fit-devices", "0", "--out", record.toString());
    assertEquals(0, r.code(), r.err());
  }

  @TempDir Path dir;

  /** A copy of the record, changed by {@code edit} and sealed again with a valid checksum (a doctored file, not a damaged one). */
  private Path doctored(String name, Consumer<ObjectNode> edit) throws Exception {
    byte[] content = FileChecksums.openJson(record, Files.readAllBytes(record)).content();
    ObjectNode tree = (ObjectNode) JSON.readTree(content);
    edit.accept(tree);
    Path f = dir.resolve(name);
    Files.write(f, FileChecksums.sealJson(JSON.writeValueAsBytes(tree)));
    return f;
  }

  private static void flip(Path file, int from, int count) throws Exception {
    byte[] b = Files.readAllBytes(file);
    for (int i = from; i < from + count; i++) b[i] ^= 0x5a;
    Files.write(file, b);
  }

  private static CliRun.Result check(Path rec) {
    return CliRun.run("calibrate", "--check", rec.toString(), "--board", BOARD);
  }

  private static void refused(CliRun.Result r, String expected) {
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("rramctl: ") && r.err().contains(expected), r.err());
  }

  @Test
  @Timeout(120)
  void aSoundRecordPassesTheCheckWithItsChecksumVerified() {
    CliRun.Result r = check(record);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("checksum verified, complete, fits board emulator-rram-imbalanced-seed2"), r.out());
  }

  @Test
  @Timeout(120)
  void aDamagedRecordIsRefusedByItsChecksum() throws Exception {
    Path f = Files.copy(record, dir.resolve("damaged.json"));
    byte[] b = Files.readAllBytes(f);
    String text = new String(b, java.nio.charset.StandardCharsets.UTF_8);
    int at = text.indexOf("\"spSiemens\":[") + 14; // inside the first number
    b[at] = (byte) (b[at] == '1' ? '2' : '1');
    Files.write(f, b);
    refused(check(f), f + ": checksum mismatch (CRC-32C ");
    refused(CliRun.run("train", "--side", "7", "--layers", "49-16-10", "--epochs", "1", "--train-limit", "10", "--out", dir.resolve("t").toString(),
        "--no-progress", "--board", BOARD, "--zero-shift", "--calibration", f.toString()), "checksum mismatch");
  }

  @Test
  @Timeout(120)
  void aRecordWrittenBeforeChecksumsIsReadUnverifiedAndSaysSo() throws Exception {
    byte[] content = FileChecksums.openJson(record, Files.readAllBytes(record)).content();
    Path old = Files.write(dir.resolve("old.json"), content);
    CliRun.Result r = check(old);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("no checksum (written before rramctl sealed its records; read unverified)"), r.out());
  }

  private static ObjectNode tile0(ObjectNode rec) {
    return (ObjectNode) rec.get("tiles").get(0);
  }

  @Test
  @Timeout(120)
  void recordsThatTrainingWouldNotUseFailTheCheckWithOneLine() throws Exception {
    refused(check(doctored("neg.json", r -> ((ArrayNode) tile0(r).get("spSiemens")).set(0, -1.0))),
        "tiles[0] device row 0 col 0: spSiemens: -1.0 (expected: inside the board's conductance window");
    refused(check(doctored("huge.json", r -> ((ArrayNode) tile0(r).get("spSiemens")).set(3, 1e3))), "spSiemens: 1000.0 (expected: inside");
    refused(check(doctored("nan.json", r -> ((ArrayNode) tile0(r).get("spSiemens")).set(5, JSON.getNodeFactory().textNode("NaN")))),
        "spSiemens: NaN (expected: inside");
    refused(check(doctored("empty.json", r -> r.putArray("tiles"))), "tiles: none (expected: at least one calibrated tile)");
    refused(check(doctored("partial.json", r -> r.put("complete", false))), "complete: false, the calibration was stopped before it finished");
    refused(check(doctored("50v.json", r -> ((ObjectNode) r.get("envelope")).put("maxPulseVolts", 50.0))), "envelope of 50.0 V pulses");
    refused(check(doctored("row0.json", r -> tile0(r).put("row0", -24))), "tiles[0]: rows -24..25, cols 0..15 (expected: inside array 0 of 50 x 16)");
    refused(check(doctored("window.json", r -> ((ObjectNode) r.get("board")).put("gMaxSiemens", -1.0))), "board conductance window");
    refused(check(dir), dir + ": is a folder (expected: a calibration record file)");
    refused(check(dir.resolve("missing.json")), "missing.json: no such file (expected: a calibration record)");
  }

  @Test
  @Timeout(120)
  void trainRefusesAnInvalidRecordBeforeItProgramsAnything() throws Exception {
    Path bad = doctored("rails.json", r -> {
      ArrayNode sp = (ArrayNode) tile0(r).get("spSiemens");
      for (int i = 0; i < sp.size(); i++) sp.set(i, 1e3);
    });
    refused(CliRun.run("train", "--side", "7", "--layers", "49-16-10", "--epochs", "1", "--train-limit", "10", "--out", dir.resolve("t").toString(),
        "--no-progress", "--board", BOARD, "--zero-shift", "--calibration", bad.toString()), "spSiemens: 1000.0 (expected: inside");
  }

  @Test
  @Timeout(120)
  void trainRefusesReferencesItCouldNotProgramInsteadOfReportingSuccess() throws Exception {
    // Every symmetry point at the very bottom of the window: a valid record, but soft-bound references only
    // approach the bound, so write-verify cannot hold them there.
    Path edge = doctored("edge.json", r -> {
      double gMin = r.get("board").get("gMinSiemens").asDouble() * 1.0001;
      for (var t : r.get("tiles")) {
        ArrayNode sp = (ArrayNode) t.get("spSiemens");
        ArrayNode ref = (ArrayNode) t.get("refAchievedSiemens");
        for (int i = 0; i < sp.size(); i++) {
          sp.set(i, gMin);
          ref.set(i, gMin);
        }
      }
    });
    CliRun.Result r = CliRun.run("train", "--side", "7", "--layers", "49-16-10", "--epochs", "1", "--train-limit", "10", "--out",
        dir.resolve("t").toString(), "--no-progress", "--board", BOARD, "--zero-shift", "--calibration", edge.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("not programmed within tolerance"), r.err());
    assertTrue(!r.out().contains("epoch   1"), "no training: " + r.out());
  }

  @Test
  @Timeout(120)
  void aDamagedCheckpointOrDeviceStateIsRefusedByItsChecksum() throws Exception {
    Path out = dir.resolve("t");
    String[] train = {"train", "--side", "7", "--layers", "49-16-10", "--epochs", "1", "--train-limit", "50", "--out", out.toString(), "--no-progress",
        "--board", BOARD};
    CliRun.Result first = CliRun.run(train);
    assertEquals(0, first.code(), first.err());
    String[] resume = java.util.stream.Stream.concat(java.util.Arrays.stream(train), java.util.stream.Stream.of("--resume")).toArray(String[]::new);
    resume[6] = "2";

    Path state = out.resolve("device-epoch-1.state");
    byte[] before = Files.readAllBytes(state);
    flip(state, 1000, 320);
    refused(CliRun.run(resume), state + ": checksum mismatch");
    Files.write(state, before);

    Path cp = out.resolve("checkpoint.json");
    byte[] cpBefore = Files.readAllBytes(cp);
    String text = Files.readString(cp).replace("\"epochsDone\":1", "\"epochsDone\":0");
    Files.writeString(cp, text);
    refused(CliRun.run(resume), cp + ": checksum mismatch");
    Files.write(cp, cpBefore);

    CliRun.Result ok = CliRun.run(resume);
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("epoch   2"), ok.out());
  }
}
