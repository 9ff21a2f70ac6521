package org.rramctl.procedure;

import java.nio.file.Path;
import java.util.List;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.journal.Journal;
import org.rramctl.journal.RunDirectory;
import org.rramctl.sim.DevicePreset;
import org.rramctl.sim.EmulatorDriver;

/** A test bench: an emulated board behind its envelope, its ground truth, and a runner writing to a temp directory. */
final class Bench implements AutoCloseable {
  /** ADC step of the 16-bit ideal preset: full scale 1.25 G_max over 2^16 - 1 codes. */
  static final double LSB = 1.25 * 1e-4 / 65535;

  final EmulatorDriver emulator;
  final EnvelopedDriver driver;
  final EmulatorDriver.Truth truth;
  final RunDirectory runs;
  final Runner runner;

  private final AutoCloseable board;

  Bench(DevicePreset preset, int rows, int cols, Path dir) {
    emulator = EmulatorDriver.open(preset, List.of(new int[] {rows, cols}), 3);
    driver = new EnvelopedDriver(emulator, SafetyEnvelope.of(emulator.info()));
    truth = emulator.truth();
    runs = new RunDirectory(dir);
    runner = new Runner(runs, driver, "sim:" + preset.name() + "?arrays=1&rows=" + rows + "&cols=" + cols + "&seed=3");
    board = null;
  }

  /**
   * The same emulated devices behind the path a lab board takes: a VirtualBoard serving the firmware
   * protocol on a real pseudo-terminal, SerialBoardDriver over jSerialComm on its slave.
   */
  static Bench overSerial(DevicePreset preset, int rows, int cols, Path dir) throws java.io.IOException {
    return overSerial(preset, rows, cols, dir, org.rramctl.sim.board.VirtualBoard.Config.defaults());
  }

  /** {@link #overSerial(DevicePreset, int, int, Path)} with a board of the given configuration (an older protocol version, say). */
  static Bench overSerial(DevicePreset preset, int rows, int cols, Path dir, org.rramctl.sim.board.VirtualBoard.Config config) throws java.io.IOException {
    EmulatorDriver emu = EmulatorDriver.open(preset, List.of(new int[] {rows, cols}), 3);
    org.rramctl.sim.board.VirtualBoard vb = new org.rramctl.sim.board.VirtualBoard(emu, config);
    org.rramctl.sim.pty.PtyTransport pty = org.rramctl.sim.pty.PtyTransport.open(dir.resolve("board-" + System.nanoTime()));
    vb.serve(pty);
    String path = pty.clientPath();
    org.rramctl.driver.serial.SerialBoardDriver serial = org.rramctl.driver.serial.SerialBoardDriver.open(
        () -> org.rramctl.driver.transport.SerialPortTransport.open(path, 115_200), org.rramctl.driver.serial.SessionSettings.defaults());
    return new Bench(emu, serial, dir, "serial:" + path, vb);
  }

  /**
   * The same emulated devices behind an ArC ONE: a VirtualArc1 on a real pseudo-terminal, the {@code arc1:} provider's
   * Arc1Driver over jSerialComm on its slave (libarc1's settings, no reset wait or write delay).
   */
  static Bench overArc1(DevicePreset preset, int rows, int cols, Path dir) throws java.io.IOException {
    return overArc1(new org.rramctl.sim.arc1.VirtualArc1(preset, rows, cols, 3), rows, cols, dir);
  }

  /** {@link #overArc1(DevicePreset, int, int, Path)} with the given virtual ArC ONE (whose exchanges a test may watch). */
  static Bench overArc1(org.rramctl.sim.arc1.VirtualArc1 board, int rows, int cols, Path dir) throws java.io.IOException {
    org.rramctl.sim.pty.PtyTransport pty = org.rramctl.sim.pty.PtyTransport.open(dir.resolve("arc1-" + System.nanoTime()));
    org.rramctl.sim.arc1.VirtualArc1Server server = new org.rramctl.sim.arc1.VirtualArc1Server(board, pty);
    org.rramctl.driver.CrossbarDriver arc1 = new org.rramctl.driver.arc1.Arc1DriverProvider()
        .open(org.rramctl.driver.BoardUri.parse("arc1:" + pty.clientPath() + "?words=" + rows + "&bits=" + cols + "&resetWait=0&writeDelay=0"));
    return new Bench(board.devices(), arc1, dir, "arc1:" + pty.clientPath(), server);
  }

  /** The same emulated devices served by a DriverServer on loopback and driven through a RemoteDriver over ZeroMQ. */
  static Bench overRemote(DevicePreset preset, int rows, int cols, Path dir) throws java.io.IOException {
    EmulatorDriver emu = EmulatorDriver.open(preset, List.of(new int[] {rows, cols}), 3);
    org.rramctl.driver.remote.DriverServer server = org.rramctl.driver.remote.DriverServer.start(emu,
        org.rramctl.driver.remote.ServerOptions.of("tcp://127.0.0.1:*"));
    org.rramctl.driver.remote.RemoteDriver remote = org.rramctl.driver.remote.RemoteDriver.open(server.endpoint(),
        org.rramctl.driver.remote.ClientOptions.defaults().withLabel("bench"));
    return new Bench(emu, remote, dir, "zmq+" + server.endpoint(), server);
  }

  private Bench(EmulatorDriver emu, org.rramctl.driver.CrossbarDriver wire, Path dir, String uri, AutoCloseable board) {
    this.emulator = emu;
    this.driver = new EnvelopedDriver(wire, SafetyEnvelope.of(wire.info()));
    this.truth = emu.truth();
    this.runs = new RunDirectory(dir);
    this.runner = new Runner(runs, driver, uri);
    this.board = board;
  }

  @Override
  public void close() {
    driver.close();
    if (board != null) {
      try {
        board.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static Bench ideal(int rows, int cols, Path dir) {
    return new Bench(DevicePreset.named("ideal"), rows, cols, dir);
  }

  /**
   * The soft-bound closed form of a pulse-response run: the noise-free conductance after {@code ups} up pulses
   * from w = 0 and then {@code downs} down pulses, siemens.
   */
  static double afterPulses(EmulatorDriver.DeviceParams p, int ups, int downs) {
    double w = p.bMax() - p.bMax() * Math.pow(1 - p.aUp() / p.bMax(), ups);
    w = p.bMin() - (p.bMin() - w) * Math.pow(1 + p.aDown() / p.bMin(), downs);
    return p.gAtZeroSiemens() + w * p.siemensPerWeight();
  }

  /** Noise-free conductance the ideal emulator maps weight w of cell c to, siemens. */
  double siemens(Cell c, double w) {
    EmulatorDriver.DeviceParams p = truth.params(c);
    return p.gAtZeroSiemens() + w * p.siemensPerWeight();
  }

  Journal journal(Runner.Outcome o) throws java.io.IOException {
    return Journal.read(o.journal());
  }
}
