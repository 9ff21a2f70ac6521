package org.rramctl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.serial.SerialBoardDriver;
import org.rramctl.driver.serial.SessionSettings;
import org.rramctl.driver.transport.SerialPortTransport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rramctl ports}: the serial ports the operating system lists, and with {@code --probe} which of
 * them answer the protocol handshake and what they are. Pseudo-terminals are not listed by the OS; name
 * them as arguments to probe them too.
 */
@Command(name = "ports", mixinStandardHelpOptions = true,
    description = "List serial ports; with --probe, handshake each and show what answers.")
public final class PortsCommand implements Callable<Integer> {
  @Option(names = "--probe", description = "Open each port, send HELLO and print the board that answers.")
  boolean probe;

  @Option(names = "--baud", defaultValue = "115200", description = "Baud rate for probing (default: ${DEFAULT-VALUE}).")
  int baud;

  @Option(names = "--timeout-ms", defaultValue = "500", description = "How long a port may take to answer each handshake attempt (default: ${DEFAULT-VALUE}).")
  int timeoutMillis;

  @Parameters(paramLabel = "PATH", arity = "0..*", description = "More ports to show (e.g. a pseudo-terminal).")
  List<String> extra = new ArrayList<>();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<SerialPortTransport.PortInfo> ports = new ArrayList<>(SerialPortTransport.listPorts());
    for (String path : extra) ports.add(new SerialPortTransport.PortInfo(path, "(named on the command line)"));
    if (ports.isEmpty()) {
      out.println("no serial ports found (pseudo-terminals are not listed: name them, e.g. rramctl ports --probe /tmp/rramctl-board)");
      return 0;
    }
    for (SerialPortTransport.PortInfo p : ports) {
      out.printf(Locale.ROOT, "%-24s %s%n", p.path(), p.description());
      if (probe) out.printf(Locale.ROOT, "%-24s %s%n", "", probe(p.path()));
    }
    return 0;
  }

  private String probe(String path) {
    SessionSettings settings = SessionSettings.defaults().withBaudRate(baud).withResponseTimeout(Duration.ofMillis(timeoutMillis)).withAttempts(2);
    try (SerialBoardDriver d = SerialBoardDriver.open(() -> SerialPortTransport.open(path, baud), settings)) {
      BoardInfo i = d.info();
      StringBuilder arrays = new StringBuilder();
      i.arrays().forEach(g -> arrays.append(arrays.length() == 0 ? "" : ", ").append(g.rows()).append('x').append(g.cols()));
      return String.format(Locale.ROOT, "answers: %s (%s), firmware %s, protocol %d, arrays %s", i.boardId(), i.model(), i.firmwareVersion(), i.protocolVersion(), arrays);
    } catch (IOException e) {
      return "no board: " + e.getMessage();
    }
  }
}
