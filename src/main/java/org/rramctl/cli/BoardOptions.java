package org.rramctl.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.rramctl.driver.Boards;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.SafetyEnvelope;
import picocli.CommandLine.Option;

/** The options every board-facing command shares: which board, and the envelope to hold it to. */
public final class BoardOptions {
  @Option(names = {"-b", "--board"}, paramLabel = "URI", defaultValue = "sim:",
      description = "Board URI (default: ${DEFAULT-VALUE}, the emulator). E.g. sim:rram-imbalanced?arrays=1&rows=32&cols=32&seed=7, serial:/dev/ttyACM0.")
  public String board;

  @Option(names = "--envelope", paramLabel = "FILE",
      description = "Board profile JSON with the safety envelope (never wider than the board's limits). Default: the board's own limits.")
  public Path envelope;

  /** Opens the board behind the envelope. */
  public EnvelopedDriver open() throws IOException {
    SafetyEnvelope env = envelope == null ? null : SafetyEnvelope.load(envelope);
    return Boards.open(board, env);
  }
}
