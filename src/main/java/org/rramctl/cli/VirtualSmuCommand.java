package org.rramctl.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.pty.PtyTransport;
import org.rramctl.sim.scpi.VirtualSmu;
import org.rramctl.sim.scpi.VirtualSmuServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code rramctl virtual-smu}: a simulated Keithley 2400 or 2600B on a real pseudo-terminal, measuring
 * emulated RRAM devices, so the SCPI driver can be used with no instrument:
 * {@code rramctl read --board scpi:serial:PATH --cell 0,0}.
 */
@Command(name = "virtual-smu", mixinStandardHelpOptions = true,
    description = "Serve a simulated Keithley 2400 (SCPI) or 2600B (TSP) source-measure unit on a pseudo-terminal until Ctrl-C.")
final class VirtualSmuCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "2400|2600", description = "Instrument to simulate.")
  String model;

  @Option(names = "--pty", required = true, paramLabel = "PATH", description = "Symlink to create for the pseudo-terminal, e.g. /tmp/rramctl-smu.")
  Path pty;

  @Option(names = "--preset", defaultValue = "rram-imbalanced", paramLabel = "NAME",
      description = "Device preset or preset file (default: ${DEFAULT-VALUE}); its nominal pulse becomes 1.0 V / 1 ms, threshold 0.5 V, "
          + "except for presets with switching physics (hfox-pristine), whose rate law already spans pulses and millisecond sweeps.")
  String preset;

  @Option(names = "--seed", defaultValue = "1", description = "Device and noise seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    VirtualSmu.Model m = VirtualSmu.Model.parse(model);
    DevicePreset p = DevicePreset.resolve(preset);
    if (p.switching() == null) p = p.withNominalPulse(1.0, VirtualSmu.NOMINAL_PULSE.toNanos(), 0.5);
    PrintWriter out = spec.commandLine().getOut();
    try (org.rramctl.journal.RunLock link = VirtualBoardCommand.claimLink(pty)) { // held for the server's life
      PtyTransport transport = PtyTransport.open(pty.toAbsolutePath());
      VirtualSmuServer server = new VirtualSmuServer(new VirtualSmu(m, p, seed), transport);
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "virtual-smu shutdown"));
      out.printf("virtual %s on %s (-> %s), devices: preset %s, seed %d. Try: rramctl read --board scpi:serial:%s --cell 0,0%n",
          m == VirtualSmu.Model.K2400 ? "Keithley 2400" : "Keithley 2602B", pty, transport.clientPath(), p.name(), seed, pty);
      out.flush();
      server.join();
      if (server.failure() != null) throw server.failure();
      return 0;
    }
  }
}
