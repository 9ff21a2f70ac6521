package org.rramctl.driver.serial;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Capability;
import org.rramctl.driver.Cell;
import org.rramctl.driver.ConductanceMap;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverStatus;
import org.rramctl.driver.Limits;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.MalformedMessageException;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.SingleDeviceFallback;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.SweepResult;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.driver.transport.Transport;
import org.rramctl.protocol.ArrayInfo;
import org.rramctl.protocol.CellAddress;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.HardwareLimits;
import org.rramctl.protocol.MessageCodec;
import org.rramctl.protocol.Opcode;
import org.rramctl.protocol.PulseShape;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.TileAddress;
import org.rramctl.protocol.WireFormat;
import org.rramctl.protocol.WirePlane;
import org.rramctl.protocol.WirePolarity;
import org.rramctl.protocol.WireReadMode;
import org.rramctl.protocol.WireUnits;

/**
 * A board on a serial line (or a TCP bridge, or a pseudo-terminal) speaking the firmware protocol of
 * PROTOCOL.md, behind the {@link CrossbarDriver} interface. Every operation the board declares native
 * goes out as one command (split into several only when it would not fit the board's largest payload);
 * the rest fall back to single-device commands.
 *
 * <p>Requests are checked against the board's own hardware limits and geometry before anything is sent
 * ({@link IllegalArgumentException}), so the board's LIMIT_EXCEEDED and OUT_OF_RANGE only ever answer a
 * host bug. Wire errors arrive as the typed exceptions listed in {@link BoardSession}; in particular a
 * pulse or update whose fate is unknown is an {@link org.rramctl.driver.OutcomeUnknownException}, never a success.
 *
 * <p>The source-measure role ({@link #sourceMeasure()}) exists only on a board of protocol version 2 or later that
 * declares SOURCE native (PROTOCOL.md section 10); its sweeps run as SWEEP commands where the board declares SWEEP, and
 * are composed from SOURCE commands otherwise. An older board has no such role: the procedures that need it refuse the
 * board by name ({@link SourceMeasure#of}).
 *
 * <p>Threading: that of {@link CrossbarDriver}. {@link #abort()} sends ABORT ahead of anything queued,
 * from any thread. After a lost link the next operation reconnects once (a new transport from the
 * {@link Opener}, a new handshake); {@link #reconnect()} does it on demand. {@link #close()} idles the
 * outputs (ABORT) and closes the transport.
 */
public final class SerialBoardDriver implements CrossbarDriver {

  /** Opens a fresh transport to the board: at start and on every reconnect. */
  @FunctionalInterface
  public interface Opener {
    Transport open() throws IOException;
  }

  private final Opener opener;
  private final SessionSettings settings;
  private final BoardInfo info;
  private final SafetyEnvelope hardware;
  private final float conductanceLsb;
  private final int maxPayloadBytes;
  private final String port;
  private volatile BoardSession session;
  private volatile boolean closed;
  private int reconnects;
  private long pulsesAtOpen; // the board counts since power-up; DriverStatus counts since open

  private SerialBoardDriver(Opener opener, SessionSettings settings, BoardSession session) {
    this.opener = opener;
    this.settings = settings;
    this.session = session;
    this.port = session.port();
    Response.Identity id = session.identity();
    this.info = boardInfo(id);
    this.hardware = SafetyEnvelope.of(info);
    this.conductanceLsb = id.conductanceLsbSiemens();
    this.maxPayloadBytes = id.maxPayloadBytes();
  }

  /**
   * Opens a transport with {@code opener} and handshakes.
   *
   * @throws org.rramctl.driver.RefusedException of code {@code VERSION_MISMATCH} when the board speaks a
   *     version outside the window of {@code settings}; the transport is closed again
   */
  public static SerialBoardDriver open(Opener opener, SessionSettings settings) throws IOException {
    BoardSession s = BoardSession.open(opener.open(), settings);
    SerialBoardDriver d = new SerialBoardDriver(opener, settings, s);
    try {
      d.pulsesAtOpen = d.boardStatus().pulsesApplied();
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
    return d;
  }

  /** The board's identity as a driver sees it: units in volts, siemens, nanoseconds. */
  public static BoardInfo boardInfo(Response.Identity id) {
    List<ArrayGeometry> arrays = new ArrayList<>();
    boolean anyReference = false;
    for (int i = 0; i < id.arrays().size(); i++) {
      ArrayInfo a = id.arrays().get(i);
      arrays.add(new ArrayGeometry(i, a.rows(), a.cols(), a.hasReference()));
      anyReference |= a.hasReference();
    }
    HardwareLimits h = id.limits();
    Limits limits = Limits.builder()
        .maxPulseVolts(h.maxPulseMillivolts() / 1000.0)
        .maxReadVolts(h.maxReadTenthMillivolts() / 10_000.0)
        .minPulseWidthNanos(h.minPulseWidthNanos())
        .maxPulseWidthNanos(h.maxPulseWidthNanos())
        .maxPulsesPerCommand((int) Math.min(h.maxPulsesPerCommand(), Integer.MAX_VALUE))
        .maxPulseRateHz(h.maxPulseRateHz())
        .complianceAmps(h.complianceNanoamps() / 1e9)
        .build();
    Set<Capability> ops = EnumSet.noneOf(Capability.class);
    for (Opcode op : id.nativeOps()) ops.add(capability(op));
    if (anyReference) ops.add(Capability.REFERENCE_ARRAYS);
    return new BoardInfo(id.boardId(), id.model(), id.firmwareVersion(), id.protocolVersion(), arrays, limits, id.adcBits(), id.gMinSiemens(),
        id.gMaxSiemens(), ops);
  }

  private static Capability capability(Opcode op) {
    return switch (op) {
      case READ -> Capability.READ;
      case PULSE -> Capability.PULSE;
      case PULSE_THEN_READ -> Capability.PULSE_THEN_READ;
      case READ_ROW -> Capability.READ_ROW;
      case READ_COLUMN -> Capability.READ_COLUMN;
      case READ_ARRAY -> Capability.READ_ARRAY;
      case FORWARD_READ -> Capability.FORWARD_READ;
      case TRANSPOSE_READ -> Capability.TRANSPOSE_READ;
      case UPDATE -> Capability.PARALLEL_UPDATE;
      case SOURCE -> Capability.SOURCE_MEASURE;
      case SWEEP -> Capability.SWEEP;
      default -> throw new IllegalArgumentException("nativeOps: " + op + " (expected: a device operation)");
    };
  }

  /** The port or endpoint this driver talks to. */
  public String port() {
    return port;
  }

  /** How many times the driver has reconnected after a lost link. Caller thread. */
  public int reconnects() {
    return reconnects;
  }

  /** The current session, for diagnostics (framing errors, bytes sent). */
  public BoardSession session() {
    return session;
  }

  /**
   * Drops the current session and opens a new one: a new transport, handshake and LAST_EXECUTED. Caller
   * thread. The board must be the same one (same board id).
   */
  public void reconnect() throws IOException {
    checkOpen();
    session.close();
    BoardSession s = BoardSession.open(opener.open(), settings);
    if (!s.identity().boardId().equals(info.boardId())) {
      s.close();
      throw new LinkLostException(port, "on reconnecting, board id: " + s.identity().boardId() + " (expected: " + info.boardId() + ", the board this driver opened)");
    }
    session = s;
    reconnects++;
  }

  private BoardSession live() throws IOException {
    checkOpen();
    BoardSession s = session;
    if (s.isDead()) {
      reconnect();
      s = session;
    }
    return s;
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("serial board " + info.boardId() + " on " + port + " is closed");
  }

  private List<Response> call(Command c, Cell cell) throws IOException {
    return live().call(c, cell);
  }

  @Override
  public BoardInfo info() {
    return info;
  }

  @Override
  public double read(Cell cell, double readVolts) throws IOException {
    checkOpen();
    info.checkCell(cell);
    hardware.checkReadVolts(readVolts);
    if (!info.supportsNatively(Capability.READ)) throw unsupported("read");
    Response r = call(new Command.Read(address(cell), WireUnits.readCode(readVolts)), cell).get(0);
    return siemens(((Response.Conductance) r).code());
  }

  @Override
  public void pulse(Cell cell, Pulse pulse, int count) throws IOException {
    checkOpen();
    info.checkCell(cell);
    hardware.checkPulses(pulse, count);
    if (!info.supportsNatively(Capability.PULSE)) throw unsupported("pulse");
    call(new Command.Pulse(address(cell), polarity(pulse), shape(pulse), count), cell);
  }

  @Override
  public double pulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) throws IOException {
    checkOpen();
    if (!info.supportsNatively(Capability.PULSE_THEN_READ)) return SingleDeviceFallback.pulseThenRead(this, cell, pulse, count, readVolts);
    info.checkCell(cell);
    hardware.checkPulses(pulse, count);
    hardware.checkReadVolts(readVolts);
    int code = WireUnits.readCode(readVolts);
    Response r = call(new Command.PulseThenRead(address(cell), polarity(pulse), shape(pulse), count, code), cell).get(0);
    // Recovered from the board's history after a lost answer: the pulses ran once; the read is repeatable.
    if (r instanceof Response.PulseDone) return read(cell, readVolts);
    return siemens(((Response.Conductance) r).code());
  }

  @Override
  public double[] readRow(int array, Plane plane, int row, double readVolts) throws IOException {
    checkOpen();
    if (!info.supportsNatively(Capability.READ_ROW)) return SingleDeviceFallback.readRow(this, array, plane, row, readVolts);
    info.checkPlane(array, plane);
    info.checkRow(array, row);
    hardware.checkReadVolts(readVolts);
    double[] out = new double[info.array(array).cols()];
    assemble(call(new Command.ReadRow(array, wirePlane(plane), row, WireUnits.readCode(readVolts)), null), out);
    return out;
  }

  @Override
  public double[] readColumn(int array, Plane plane, int col, double readVolts) throws IOException {
    checkOpen();
    if (!info.supportsNatively(Capability.READ_COLUMN)) return SingleDeviceFallback.readColumn(this, array, plane, col, readVolts);
    info.checkPlane(array, plane);
    info.checkColumn(array, col);
    hardware.checkReadVolts(readVolts);
    double[] out = new double[info.array(array).rows()];
    assemble(call(new Command.ReadColumn(array, wirePlane(plane), col, WireUnits.readCode(readVolts)), null), out);
    return out;
  }

  @Override
  public ConductanceMap readArray(int array, Plane plane, double readVolts) throws IOException {
    checkOpen();
    if (!info.supportsNatively(Capability.READ_ARRAY)) return SingleDeviceFallback.readArray(this, array, plane, readVolts);
    info.checkPlane(array, plane);
    hardware.checkReadVolts(readVolts);
    ArrayGeometry g = info.array(array);
    double[] out = new double[g.devices()];
    assemble(call(new Command.ReadArray(array, wirePlane(plane), WireUnits.readCode(readVolts)), null), out);
    return new ConductanceMap(g.rows(), g.cols(), out);
  }

  private void assemble(List<Response> parts, double[] out) throws IOException {
    int filled = 0;
    for (Response r : parts) {
      Response.Conductances c = (Response.Conductances) r;
      if (c.first() + c.codes().length > out.length) throw streamMismatch("codes", c.first() + c.codes().length, out.length);
      for (int k = 0; k < c.codes().length; k++) out[(int) c.first() + k] = siemens(c.code(k));
      filled += c.codes().length;
    }
    if (filled != out.length) throw streamMismatch("codes", filled, out.length);
  }

  private MalformedMessageException streamMismatch(String what, long got, int expected) {
    return new MalformedMessageException(port, "streamed " + what + ": " + got + " (expected: " + expected + ")", -1, -1, null);
  }

  @Override
  public double[] forwardRead(Tile tile, ReadMode mode, double[] rowVolts) throws IOException {
    checkOpen();
    checkVector(tile, mode, "rowVolts", rowVolts, tile.rows()); // the board's limits, whichever way the read is made
    if (!info.supportsNatively(Capability.FORWARD_READ)) return SingleDeviceFallback.forwardRead(this, tile, mode, rowVolts);
    short[] codes = codes(rowVolts);
    double[] out = new double[tile.cols()];
    // Inputs beyond one frame go in row blocks: the partial column currents add.
    int perFrame = vectorsPerFrame();
    for (int r0 = 0; r0 < tile.rows(); r0 += perFrame) {
      int n = Math.min(perFrame, tile.rows() - r0);
      TileAddress t = new TileAddress(tile.array(), tile.row0() + r0, tile.col0(), n, tile.cols());
      addCurrents(call(new Command.ForwardRead(t, wireMode(mode), java.util.Arrays.copyOfRange(codes, r0, r0 + n)), null), out);
    }
    return out;
  }

  @Override
  public double[] transposeRead(Tile tile, ReadMode mode, double[] colVolts) throws IOException {
    checkOpen();
    checkVector(tile, mode, "colVolts", colVolts, tile.cols());
    if (!info.supportsNatively(Capability.TRANSPOSE_READ)) return SingleDeviceFallback.transposeRead(this, tile, mode, colVolts);
    short[] codes = codes(colVolts);
    double[] out = new double[tile.rows()];
    int perFrame = vectorsPerFrame();
    for (int c0 = 0; c0 < tile.cols(); c0 += perFrame) {
      int n = Math.min(perFrame, tile.cols() - c0);
      TileAddress t = new TileAddress(tile.array(), tile.row0(), tile.col0() + c0, tile.rows(), n);
      addCurrents(call(new Command.TransposeRead(t, wireMode(mode), java.util.Arrays.copyOfRange(codes, c0, c0 + n)), null), out);
    }
    return out;
  }

  private void checkVector(Tile tile, ReadMode mode, String name, double[] volts, int length) {
    info.checkTile(tile);
    if (mode == null) throw new IllegalArgumentException("mode: null (expected: ACTIVE, REFERENCE or DIFFERENTIAL)");
    if (mode != ReadMode.ACTIVE) info.checkPlane(tile.array(), Plane.REFERENCE);
    SingleDeviceFallback.checkLength(name, volts, length);
    hardware.checkVectorVolts(name, volts);
  }

  /** Input voltages per forward/transpose frame: the board's payload less header, CRC, tile and mode. */
  private int vectorsPerFrame() {
    return (maxPayloadBytes - WireFormat.HEADER_BYTES - WireFormat.CRC_BYTES - TileAddress.BYTES - 1) / 2;
  }

  private void addCurrents(List<Response> parts, double[] out) throws IOException {
    int filled = 0;
    for (Response r : parts) {
      Response.Currents c = (Response.Currents) r;
      if (c.first() + c.amps().length > out.length) throw streamMismatch("currents", c.first() + c.amps().length, out.length);
      for (int k = 0; k < c.amps().length; k++) out[c.first() + k] += c.amps()[k];
      filled += c.amps().length;
    }
    if (filled != out.length) throw streamMismatch("currents", filled, out.length);
  }

  @Override
  public void parallelUpdate(Tile tile, Plane plane, StochasticUpdate u) throws IOException {
    checkOpen();
    if (!info.supportsNatively(Capability.PARALLEL_UPDATE)) {
      SingleDeviceFallback.parallelUpdate(this, tile, plane, u);
      return;
    }
    info.checkTile(tile);
    info.checkPlane(tile.array(), plane);
    SingleDeviceFallback.checkShape(tile, u);
    hardware.checkUpdate(u);
    long[] rows = streams(u.rowBits(), u.rowSigns());
    long[] cols = streams(u.colBits(), u.colSigns());
    updateBlock(tile, wirePlane(plane), u, rows, cols, 0, tile.rows(), 0, tile.cols(), true);
  }

  /**
   * Sends rows [r0, r1) x columns [c0, c1) of the program as one UPDATE, or splits it until every part fits
   * the board's largest payload (PROTOCOL.md 4.1: the program is separable by rows and by columns, device
   * (j, i) gets popcount(|r_j| &amp; |c_i|) pulses whichever block carries it). Columns are split first when
   * even a one-row block would not fit (a column section alone can exceed a small board's payload: 8
   * columns at BL 63 are 66 bytes), otherwise rows. A split-off block with no firing row or no firing
   * column pulses nothing and is not sent.
   */
  private void updateBlock(Tile tile, WirePlane plane, StochasticUpdate u, long[] rows, long[] cols, int r0, int r1, int c0, int c1, boolean whole)
      throws IOException {
    if (!whole && (allZero(rows, r0, r1) || allZero(cols, c0, c1))) return;
    Command.Update c = update(tile, plane, u, rows, cols, r0, r1, c0, c1);
    if (fits(c)) {
      call(c, null);
      return;
    }
    if (c1 - c0 > 1 && !fits(oneFiringRow(c))) {
      int mid = (c0 + c1) >>> 1;
      updateBlock(tile, plane, u, rows, cols, r0, r1, c0, mid, false);
      updateBlock(tile, plane, u, rows, cols, r0, r1, mid, c1, false);
    } else if (r1 - r0 > 1) {
      int mid = (r0 + r1) >>> 1;
      updateBlock(tile, plane, u, rows, cols, r0, mid, c0, c1, false);
      updateBlock(tile, plane, u, rows, cols, mid, r1, c0, c1, false);
    } else {
      // One row and one column always fit the smallest payload a board may announce (64 bytes: 5 + 31 + 2 x 10 + 4).
      throw new IllegalStateException("update of one device: " + (MessageCodec.encode(c, 0).length + WireFormat.CRC_BYTES) + " bytes (expected: <= " + maxPayloadBytes + ")");
    }
  }

  private static Command.Update update(Tile tile, WirePlane plane, StochasticUpdate u, long[] rows, long[] cols, int r0, int r1, int c0, int c1) {
    TileAddress t = new TileAddress(tile.array(), tile.row0() + r0, tile.col0() + c0, r1 - r0, c1 - c0);
    return new Command.Update(t, plane, u.bitLength(), shape(u.up()), shape(u.down()), java.util.Arrays.copyOfRange(rows, r0, r1),
        java.util.Arrays.copyOfRange(cols, c0, c1));
  }

  /** {@code c} cut down to its first row, made to fire: the largest one-row block with these columns. */
  private static Command.Update oneFiringRow(Command.Update c) {
    TileAddress t = c.tile();
    TileAddress row = new TileAddress(t.array(), t.row0(), t.col0(), 1, t.cols());
    return new Command.Update(row, c.plane(), c.bitLength(), c.up(), c.down(), new long[] {(1L << c.bitLength()) - 1}, c.colStreams());
  }

  private static boolean allZero(long[] streams, int from, int to) {
    for (int k = from; k < to; k++) if (streams[k] != 0) return false;
    return true;
  }

  private boolean fits(Command c) {
    try {
      return MessageCodec.encode(c, 0).length + WireFormat.CRC_BYTES <= maxPayloadBytes;
    } catch (IllegalArgumentException tooBig) {
      return false;
    }
  }

  private static long[] streams(long[] bits, byte[] signs) {
    long[] out = new long[bits.length];
    for (int k = 0; k < bits.length; k++) out[k] = signs[k] < 0 ? -bits[k] : bits[k];
    return out;
  }

  /**
   * The source-measure role when the board's protocol version has SOURCE (2 and later) and the board declares it
   * native; empty for an older board or one without a current-limited source.
   */
  @Override
  public java.util.Optional<SourceMeasure> sourceMeasure() {
    return info.supportsNatively(Capability.SOURCE_MEASURE) ? java.util.Optional.of(sourceMeasure) : java.util.Optional.empty();
  }

  private final SourceMeasure sourceMeasure = new SourceMeasure() {
    @Override
    public double source(Cell cell, double volts, long durationNanos, double complianceAmps) throws IOException {
      checkOpen();
      info.checkCell(cell);
      hardware.checkSource(volts, durationNanos, complianceAmps);
      Command.Source c = new Command.Source(address(cell), levelMillivolts(volts), durationNanos, complianceNanoamps(complianceAmps));
      return ((Response.Measured) call(c, cell).get(0)).amps();
    }

    @Override
    public SweepResult sweep(Cell cell, org.rramctl.driver.Sweep sweep) throws IOException {
      checkOpen();
      info.checkCell(cell);
      hardware.checkSweep(sweep);
      if (!info.supportsNatively(Capability.SWEEP)) return SourceMeasure.composeSweep(this, cell, sweep);
      double[] volts = sweep.levelsVolts();
      short[] levels = new short[volts.length];
      for (int k = 0; k < volts.length; k++) {
        levels[k] = (short) levelMillivolts(volts[k]);
        volts[k] = levels[k] / 1000.0; // what the board applies
      }
      long compliance = complianceNanoamps(sweep.complianceAmps());
      double[] amps = new double[levels.length];
      // Levels beyond one frame go as consecutive SWEEPs (PROTOCOL.md 10.2): between two of them the output is at 0 V for a round trip.
      int perFrame = (maxPayloadBytes - WireFormat.HEADER_BYTES - WireFormat.CRC_BYTES - Command.Sweep.FIXED_BYTES) / 2;
      for (int from = 0; from < levels.length; from += perFrame) {
        int n = Math.min(perFrame, levels.length - from);
        Command.Sweep c = new Command.Sweep(address(cell), sweep.stepNanos(), sweep.offNanos(), compliance, java.util.Arrays.copyOfRange(levels, from, from + n));
        int filled = 0;
        for (Response r : call(c, cell)) {
          Response.SweepPoints p = (Response.SweepPoints) r;
          if (p.first() != filled || p.first() + p.amps().length > n) throw streamMismatch("sweep points", p.first() + p.amps().length, n);
          for (int k = 0; k < p.amps().length; k++) amps[from + p.first() + k] = p.amps()[k];
          filled += p.amps().length;
        }
        if (filled != n) throw streamMismatch("sweep points", filled, n);
      }
      return new SweepResult(volts, amps, sweep.complianceAmps());
    }
  };

  /** A source level on the wire: signed millivolts (the envelope has already bounded |V|). */
  private static int levelMillivolts(double volts) {
    return (int) Math.round(volts * 1000);
  }

  /** A compliance on the wire: nanoamperes, at least 1 (a smaller one would round to "none", which the wire cannot say). */
  private static long complianceNanoamps(double amps) {
    long na = Math.round(amps / WireFormat.COMPLIANCE_AMPS_PER_LSB);
    if (na < 1) throw new IllegalArgumentException("complianceAmps: " + amps + " (expected: >= 1e-9, the wire's 1 nA step)");
    return na;
  }

  @Override
  public DriverStatus status() throws IOException {
    checkOpen();
    Response.Status s = boardStatus();
    // A board that rebooted since counts from zero again: never report a negative count.
    long sinceOpen = Math.max(0, s.pulsesApplied() - pulsesAtOpen);
    return new DriverStatus(s.outputsIdle(), s.aborted(), sinceOpen, s.lastError() == ErrorCode.NONE ? "" : s.lastError().name());
  }

  private Response.Status boardStatus() throws IOException {
    return (Response.Status) call(new Command.GetStatus(), null).get(0);
  }

  @Override
  public void abort() {
    abortAndConfirm();
  }

  /** True when the board answered the ABORT with ACK, i.e. confirmed every output idle (PROTOCOL.md 5.6). */
  @Override
  public boolean abortAndConfirm() {
    BoardSession s = session;
    return s != null && s.abort();
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    BoardSession s = session;
    s.abort(); // idles the outputs before we let go of the line
    s.close();
  }

  @Override
  public String toString() {
    return "SerialBoardDriver[" + info.boardId() + " on " + port + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // units and enums, driver <-> wire

  private double siemens(int code) {
    return WireUnits.siemens(code, conductanceLsb);
  }

  private UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException("board " + info.boardId() + ": " + what + " is not native (expected: READ and PULSE on every board)");
  }

  static CellAddress address(Cell c) {
    return new CellAddress(c.array(), wirePlane(c.plane()), c.row(), c.col());
  }

  static WirePlane wirePlane(Plane p) {
    return p == Plane.ACTIVE ? WirePlane.ACTIVE : WirePlane.REFERENCE;
  }

  static WirePolarity polarity(Pulse p) {
    return p.polarity() == org.rramctl.driver.Polarity.UP ? WirePolarity.UP : WirePolarity.DOWN;
  }

  static WireReadMode wireMode(ReadMode m) {
    return switch (m) {
      case ACTIVE -> WireReadMode.ACTIVE;
      case REFERENCE -> WireReadMode.REFERENCE;
      case DIFFERENTIAL -> WireReadMode.DIFFERENTIAL;
    };
  }

  static PulseShape shape(Pulse p) {
    return new PulseShape(WireUnits.pulseMillivolts(p.amplitudeVolts()), p.widthNanos(), p.periodNanos());
  }

  private static short[] codes(double[] volts) {
    short[] out = new short[volts.length];
    for (int k = 0; k < volts.length; k++) out[k] = WireUnits.readCode(volts[k]);
    return out;
  }
}
