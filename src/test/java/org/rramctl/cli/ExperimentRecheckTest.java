package org.rramctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rramctl.train.Recheck;

/** {@code experiment zero-shift --recheck-every N}: the zero-shifted cells re-check symmetry points (issue 19 point 3). */
class ExperimentRecheckTest {
  @TempDir Path dir;

  @Test
  @Timeout(180)
  void theZeroShiftedCellsRecheckAndTheRegimeSaysSo() throws IOException {
    Path out = dir.resolve("zs");
    CliRun.Result r = CliRun.run("experiment", "zero-shift", "--side", "7", "--layers", "49-16-10", "--train-limit", "60", "--epochs", "1",
        "--imbalance", "2", "--jobs", "1", "--recheck-every", "30", "--recheck-devices", "2", "--out", out.toString());
    assertEquals(0, r.code(), r.err() + r.out());
    // 60 samples, a re-check every 30: two lines in the zero-shifted cell's journal, none for the conventional cell
    assertEquals(2, Files.readAllLines(out.resolve("cells/ratio2-zero-shifted-seed1/" + Recheck.FILE)).size());
    assertFalse(Files.exists(out.resolve("cells/ratio2-conventional-seed1/" + Recheck.FILE)));
    String md = Files.readString(out.resolve("results.md"));
    assertTrue(md.contains("Zero-shifted re-checks during training: every 30 samples, 2 random devices per tile, references re-programmed beyond 1 % of the window, quick search."), md);
  }
}
