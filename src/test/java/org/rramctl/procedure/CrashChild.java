package org.rramctl.procedure;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import org.rramctl.driver.Boards;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.journal.Durability;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunDirectory;

/**
 * The child JVM of {@link CrashTest}: runs a long pulse response and prints "ack SEQ TYPE" on stdout after
 * each document the journal acknowledged, so the parent knows what must survive the SIGKILL it sends.
 * Arguments: runs directory, durability (FLUSH or FORCE), board URI, and optionally "hook" to install the
 * Ctrl-C shutdown hook the CLI uses.
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out; // the protocol to the parent test, not logging
    try (EnvelopedDriver d = Boards.open(args[2], null)) {
      Runner r = new Runner(new RunDirectory(Path.of(args[0])), d, args[2]).durability(Durability.valueOf(args[1]))
          .shutdownHook(args.length > 3 && args[3].equals("hook"));
      r.sink((type, doc, json) -> {
        out.println("ack " + doc.get("seq").asLong() + " " + type + " " + doc.get("run").asText());
        out.flush();
      });
      ObjectNode p = Json.object();
      p.put("pulses", 200);
      // With the hook the parent signals mid-run: give it a run long enough that the signal always lands
      // before the end, on a fast quiet machine too (40 cycles once finished before SIGINT arrived).
      p.put("cycles", args.length > 3 && args[3].equals("hook") ? 4000 : 40);
      r.run(Procedures.of(PulseResponse.NAME, p));
    }
  }
}
