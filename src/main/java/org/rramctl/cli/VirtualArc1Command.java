package org.rramctl.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.arc1.Transcript;
import org.rramctl.sim.arc1.VirtualArc1;
import org.rramctl.sim.arc1.VirtualArc1Server;
import org.rramctl.sim.pty.PtyTransport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rramctl virtual-arc1}: a simulated ArC ONE on a real pseudo-terminal, speaking the ArC ONE's own
 * command protocol over emulated devices, so the {@code arc1:} driver (or ArC's own host software) can be
 * used with no board: {@code rramctl info --board arc1:PATH?parity=none}.
 */
@Command(name = "virtual-arc1", mixinStandardHelpOptions = true,
    description = "Serve a simulated ArC ONE (ArC Instruments' crossbar board protocol) on a pseudo-terminal until Ctrl-C.")
final class VirtualArc1Command implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--pty", required = true, paramLabel = "PATH", description = "Symlink to create for the pseudo-terminal, e.g. /tmp/arc1.")
  Path pty;

  @Option(names = "--preset", defaultValue = "rram-imbalanced", paramLabel = "NAME",
      description = "Device preset or preset file (default: ${DEFAULT-VALUE}); its nominal pulse becomes 2.5 V / 100 us, threshold 1 V, "
          + "except for presets with switching physics (hfox-pristine), whose rate law already spans pulses and millisecond sweeps.")
  String preset;

  @Option(names = "--geometry", defaultValue = "32x32", paramLabel = "WORDSxBITS", description = "Crossbar size, up to 32x32 (default: ${DEFAULT-VALUE}).")
  String geometry;

  @Option(names = "--seed", defaultValue = "1", description = "Device and noise seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--transcript", paramLabel = "FILE", description = "Append every command's bytes in and out to FILE (hex), as the board parsed them.")
  Path transcript;

  @Override
  public Integer call() throws Exception {
    String[] wb = geometry.toLowerCase(Locale.ROOT).split("x");
    int words;
    int bits;
    try {
      if (wb.length != 2) throw new NumberFormatException();
      words = Integer.parseInt(wb[0].trim());
      bits = Integer.parseInt(wb[1].trim());
      if (words < 1 || words > 32 || bits < 1 || bits > 32) throw new NumberFormatException();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--geometry: '" + geometry + "' (expected: WORDSxBITS, each 1..32, e.g. 32x32)");
    }
    DevicePreset p = DevicePreset.resolve(preset);
    if (p.switching() == null) p = VirtualArc1.arcScale(p); // as virtual-smu: a switching preset keeps its own nominal pulse
    VirtualArc1 board = new VirtualArc1(p, words, bits, seed);
    BufferedWriter log = transcript == null ? null : Files.newBufferedWriter(transcript, StandardCharsets.US_ASCII,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    if (log != null) {
      board.onExchange(x -> {
        try {
          log.write(Transcript.format(x));
          log.flush();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    PrintWriter out = spec.commandLine().getOut();
    // Held for the server's life: a second virtual ArC ONE on the same link is refused naming this process, and a
    // link left behind by a killed one is replaced (as virtual-board and virtual-smu do).
    try (org.rramctl.journal.RunLock link = VirtualBoardCommand.claimLink(pty)) {
      PtyTransport transport = PtyTransport.open(pty.toAbsolutePath());
      VirtualArc1Server server = new VirtualArc1Server(board, transport);
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "virtual-arc1 shutdown"));
      out.printf("virtual ArC ONE on %s (-> %s), %dx%d devices: preset %s, seed %d. Try: rramctl info --board 'arc1:%s?parity=none'%n",
          pty, transport.clientPath(), words, bits, p.name(), seed, pty);
      out.flush();
      server.join();
      if (log != null) log.close();
      if (server.failure() != null) throw server.failure();
    }
    return 0;
  }
}
