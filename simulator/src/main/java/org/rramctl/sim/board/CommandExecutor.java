package org.rramctl.sim.board;

import java.util.concurrent.locks.LockSupport;
import org.rramctl.driver.Cell;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.Plane;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.ReadMode;
import org.rramctl.driver.StochasticUpdate;
import org.rramctl.driver.Tile;
import org.rramctl.protocol.CellAddress;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.Outcome;
import org.rramctl.protocol.PulseShape;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.TileAddress;
import org.rramctl.protocol.WireFormat;
import org.rramctl.protocol.WirePlane;
import org.rramctl.protocol.WirePolarity;
import org.rramctl.protocol.WireReadMode;
import org.rramctl.sim.EmulatorDriver;

/**
 * Runs an admitted device command on the emulated devices as firmware would: reads streamed in parts of at most
 * {@link VirtualBoard.Config#maxValuesPerPart()}, updates in runs of slots with progress at least every 100 ms,
 * and with {@link VirtualBoard.Config#realTimePulses()} trains pulse by pulse and updates slot by slot in wall
 * time. A stop (ABORT, watchdog, reset, lost link) takes effect before the next pulse, slot or part.
 *
 * <p>One per connection, used by one thread at a time (the connection's executor, or its reader for commands run
 * inline).
 */
final class CommandExecutor {
  /** Where a command's intermediate frames go, and whether the connection is ending. */
  interface Link {
    void reply(int sequence, Response r);

    boolean stopping();
  }

  /** How a command ended: its final frame (an answer or an ERROR) and what the history records. */
  record Result(Response last, Outcome outcome, ErrorCode failure, long pulsesApplied) {}

  private static final long PROGRESS_NANOS = 100_000_000L;
  /** Slots the board fires between checks for ABORT and the watchdog. */
  private static final int SLOTS_PER_STEP = 8;

  private final EmulatorDriver emulator;
  private final VirtualBoard.Config config;
  private final float conductanceLsb;
  private final Link link;

  CommandExecutor(EmulatorDriver emulator, VirtualBoard.Config config, float conductanceLsb, Link link) {
    this.emulator = emulator;
    this.config = config;
    this.conductanceLsb = conductanceLsb;
    this.link = link;
  }

  /** Pulses a command applied so far (final once it ends). */
  private static final class Tally {
    long pulses;
  }

  /** Runs {@code job}, sending all but its final frame through the link. */
  Result execute(Job job) {
    Command c = job.command;
    Tally applied = new Tally();
    try {
      return new Result(run(job, c, applied), Outcome.COMPLETED, ErrorCode.NONE, applied.pulses);
    } catch (DriverAbortedException | Stopped e) {
      ErrorCode reason = job.stopReason == null ? ErrorCode.ABORTED : job.stopReason;
      Response last = ErrorResponses.of(reason, c.opcode().code(), "stopped after " + applied.pulses + " pulses; outputs idle");
      return new Result(last, Outcome.ABORTED, reason, applied.pulses);
    } catch (RuntimeException e) {
      // The emulator refused what the validator let through: a board bug, reported as such.
      Response last = ErrorResponses.of(ErrorCode.HARDWARE_FAULT, c.opcode().code(), String.valueOf(e.getMessage()));
      return new Result(last, Outcome.FAILED, ErrorCode.HARDWARE_FAULT, applied.pulses);
    }
  }

  private Response run(Job job, Command c, Tally applied) throws Stopped, DriverAbortedException {
    if (c instanceof Command.Read r) {
      return new Response.Conductance(code(emulator.read(cell(r.cell()), volts(r.readTenthMillivolts()))));
    } else if (c instanceof Command.Pulse p) {
      applyPulses(job, cell(p.cell()), pulse(p.polarity(), p.shape()), p.count(), applied);
      return new Response.PulseDone(applied.pulses);
    } else if (c instanceof Command.PulseThenRead p) {
      applyPulses(job, cell(p.cell()), pulse(p.polarity(), p.shape()), p.count(), applied);
      return new Response.Conductance(code(emulator.read(cell(p.cell()), volts(p.readTenthMillivolts()))));
    } else if (c instanceof Command.ReadRow r) {
      return streamCodes(job, emulator.readRow(r.array(), plane(r.plane()), r.row(), volts(r.readTenthMillivolts())));
    } else if (c instanceof Command.ReadColumn r) {
      return streamCodes(job, emulator.readColumn(r.array(), plane(r.plane()), r.col(), volts(r.readTenthMillivolts())));
    } else if (c instanceof Command.ReadArray r) {
      return streamCodes(job, emulator.readArray(r.array(), plane(r.plane()), volts(r.readTenthMillivolts())).siemens());
    } else if (c instanceof Command.ForwardRead f) {
      return streamCurrents(job, emulator.forwardRead(tile(f.tile()), mode(f.mode()), volts(f.rowTenthMillivolts())));
    } else if (c instanceof Command.TransposeRead t) {
      return streamCurrents(job, emulator.transposeRead(tile(t.tile()), mode(t.mode()), volts(t.colTenthMillivolts())));
    } else if (c instanceof Command.Update u) {
      return update(job, u, applied);
    } else if (c instanceof Command.Source so) {
      double compliance = so.complianceNanoamps() * WireFormat.COMPLIANCE_AMPS_PER_LSB;
      long start = System.nanoTime();
      checkStop(job);
      double amps = emulator.source(cell(so.cell()), so.millivolts() / 1000.0, so.durationNanos(), compliance);
      applied.pulses = 1;
      job.applied = 1;
      if (config.realTimePulses()) awaitNanos(job, start + so.durationNanos());
      return new Response.Measured((float) amps, limited(amps, compliance));
    } else if (c instanceof Command.Sweep sw) {
      return sweep(job, sw, applied);
    }
    throw new IllegalStateException("not a device command: " + c);
  }

  /** Applies a train; with real-time pulses it takes count x period, checking for a stop before each pulse. */
  private void applyPulses(Job job, Cell cell, Pulse pulse, long count, Tally applied) throws Stopped {
    if (!config.realTimePulses()) {
      checkStop(job);
      emulator.pulse(cell, pulse, (int) count);
      applied.pulses = count;
      return;
    }
    // One pulse at a time, each at its own start time (pulse k at k x period), checking for a stop before
    // each: a stop request costs at most the pulse in progress (PROTOCOL.md 5.6).
    long start = System.nanoTime();
    while (applied.pulses < count) {
      awaitNanos(job, start + applied.pulses * pulse.periodNanos());
      checkStop(job);
      emulator.pulse(cell, pulse, 1);
      applied.pulses++;
      job.applied = applied.pulses;
    }
    awaitNanos(job, start + count * pulse.periodNanos()); // the last period ends the train
    checkStop(job);
  }

  /** Parks until {@code deadline} (System.nanoTime) or until the job is stopped. */
  private void awaitNanos(Job job, long deadline) {
    for (long left; job.stopReason == null && !link.stopping() && (left = deadline - System.nanoTime()) > 0;) LockSupport.parkNanos(left);
  }

  private Response update(Job job, Command.Update u, Tally applied) throws Stopped, DriverAbortedException {
    TileAddress t = u.tile();
    long[] rb = new long[t.rows()];
    byte[] rs = new byte[t.rows()];
    long[] cb = new long[t.cols()];
    byte[] cs = new byte[t.cols()];
    Pulse up = pulse(WirePolarity.UP, u.up());
    Pulse down = pulse(WirePolarity.DOWN, u.down());
    Tile tile = tile(t);
    Plane plane = plane(u.plane());
    int part = 0;
    long lastProgress = System.nanoTime();
    // In runs of up to SLOTS_PER_STEP slots: device (j, i) gets popcount(|r_j| & |c_i|) pulses over any
    // run of slots, so runs give exactly the per-slot result; a stop takes effect between runs, at a
    // fraction of the cost of one emulator call per slot.
    // Real time: one slot per step, each taking one pulse period of the slower shape, as hardware pulsing
    // the coincident devices of a slot in parallel would.
    int step = config.realTimePulses() ? 1 : SLOTS_PER_STEP;
    long slotNanos = Math.max(u.up().periodNanos(), u.down().periodNanos());
    long start = System.nanoTime();
    for (int slot = 0; slot < u.bitLength(); slot += step) {
      if (config.realTimePulses()) awaitNanos(job, start + slot * slotNanos);
      checkStop(job);
      int k = Math.min(step, u.bitLength() - slot);
      long mask = (1L << k) - 1;
      int[] rowsPerSlot = new int[k];
      int[] colsPerSlot = new int[k];
      boolean anyRow = slice(u.rowStreams(), slot, mask, rb, rs, rowsPerSlot);
      boolean anyCol = slice(u.colStreams(), slot, mask, cb, cs, colsPerSlot);
      if (anyRow && anyCol) {
        emulator.parallelUpdate(tile, plane, new StochasticUpdate(k, rb, rs, cb, cs, up, down));
        for (int q = 0; q < k; q++) applied.pulses += (long) rowsPerSlot[q] * colsPerSlot[q];
        job.applied = applied.pulses;
      }
      long now = System.nanoTime();
      if (now - lastProgress >= PROGRESS_NANOS && slot + k < u.bitLength()) {
        link.reply(job.sequence, new Response.UpdateProgress(part++, true, slot + k, Math.min(applied.pulses, 0xFFFF_FFFFL)));
        lastProgress = now;
      }
    }
    return new Response.UpdateProgress(part, false, u.bitLength(), Math.min(applied.pulses, 0xFFFF_FFFFL));
  }

  /**
   * Runs a sweep level by level on the emulator's source-measure role (as its own sweep does), checking for a stop before each level (at most
   * the level in progress completes after ABORT). Points stream in parts of at most {@link VirtualBoard.Config#maxValuesPerPart()},
   * and with real-time pulses a part leaves at least every 100 ms while the sweep runs (PROTOCOL.md 10.2); each level
   * then takes step + off of wall time.
   */
  private Response sweep(Job job, Command.Sweep sw, Tally applied) throws Stopped {
    Cell cell = cell(sw.cell());
    double compliance = sw.complianceNanoamps() * WireFormat.COMPLIANCE_AMPS_PER_LSB;
    short[] levels = sw.levelsMillivolts();
    int per = Math.min(config.maxValuesPerPart(), Response.SweepPoints.MAX_POINTS);
    float[] amps = new float[per];
    boolean[] limited = new boolean[per];
    int part = 0;
    int first = 0;
    int held = 0;
    long start = System.nanoTime();
    long lastPart = start;
    for (int k = 0; k < levels.length; k++) {
      if (config.realTimePulses()) awaitNanos(job, start + k * (sw.stepNanos() + sw.offNanos()));
      checkStop(job);
      double i = emulator.source(cell, levels[k] / 1000.0, sw.stepNanos(), compliance);
      applied.pulses++;
      job.applied = applied.pulses;
      amps[held] = (float) i;
      limited[held++] = limited(i, compliance);
      boolean last = k == levels.length - 1;
      long now = System.nanoTime();
      if (!last && (held == per || (config.realTimePulses() && now - lastPart >= PROGRESS_NANOS))) {
        link.reply(job.sequence, new Response.SweepPoints(part++, true, first, java.util.Arrays.copyOf(amps, held), java.util.Arrays.copyOf(limited, held)));
        first += held;
        held = 0;
        lastPart = now;
      }
    }
    if (config.realTimePulses()) awaitNanos(job, start + levels.length * (sw.stepNanos() + sw.offNanos()));
    checkStop(job);
    return new Response.SweepPoints(part, false, first, java.util.Arrays.copyOf(amps, held), java.util.Arrays.copyOf(limited, held));
  }

  /** True when the board's current limiter held the current: the emulator returns exactly the compliance then. */
  private static boolean limited(double amps, double complianceAmps) {
    return Math.abs(amps) >= complianceAmps;
  }

  /**
   * The {@code mask}-wide run of slots from {@code slot} of each line's stream: its bits (magnitude) into
   * {@code bits}, its sign (0 when it fires in none of them) into {@code signs}, and per slot of the run how many
   * lines fire into {@code firing}. Returns whether any line fires.
   */
  private static boolean slice(long[] streams, int slot, long mask, long[] bits, byte[] signs, int[] firing) {
    boolean any = false;
    for (int j = 0; j < streams.length; j++) {
      long s = streams[j];
      bits[j] = (Math.abs(s) >>> slot) & mask;
      signs[j] = (byte) (bits[j] == 0 ? 0 : s < 0 ? -1 : 1);
      for (long b = bits[j]; b != 0; b &= b - 1) firing[Long.numberOfTrailingZeros(b)]++;
      any |= bits[j] != 0;
    }
    return any;
  }

  private Response streamCodes(Job job, double[] siemens) throws Stopped {
    return stream(job, siemens.length, Response.Conductances.MAX_CODES, (part, more, first, n) -> {
      short[] codes = new short[n];
      for (int k = 0; k < n; k++) codes[k] = (short) code(siemens[first + k]);
      return new Response.Conductances(part, more, first, codes);
    });
  }

  private Response streamCurrents(Job job, double[] amps) throws Stopped {
    return stream(job, amps.length, Response.Currents.MAX_VALUES, (part, more, first, n) -> {
      float[] f = new float[n];
      for (int k = 0; k < n; k++) f[k] = (float) amps[first + k];
      return new Response.Currents(part, more, first, f);
    });
  }

  /** One part of a streamed reply: values {@code first .. first + n - 1} of the whole. */
  private interface Part {
    Response make(int part, boolean more, int first, int n);
  }

  /**
   * Sends {@code length} values in parts of at most the board's configured size (and the message's own limit),
   * every part but the last as its own reply; returns the last part for the caller to send as the final answer.
   */
  private Response stream(Job job, int length, int messageLimit, Part parts) throws Stopped {
    int per = Math.min(config.maxValuesPerPart(), messageLimit);
    int part = 0;
    for (int first = 0; ; first += per) {
      checkStop(job);
      int n = Math.min(per, length - first);
      boolean more = first + n < length;
      Response r = parts.make(part++, more, first, n);
      if (!more) return r;
      link.reply(job.sequence, r);
    }
  }

  private void checkStop(Job job) throws Stopped {
    if (job.stopReason != null || link.stopping()) throw new Stopped();
  }

  /** A stop request (ABORT, watchdog, reset, lost link) seen between pulses, slots or parts. */
  private static final class Stopped extends Exception {
    Stopped() {
      super(null, null, false, false);
    }
  }

  // Wire units to the driver's.

  private int code(double siemens) {
    long c = Math.round(siemens / conductanceLsb);
    return (int) Math.max(0, Math.min(0xFFFF, c));
  }

  private static double volts(int tenthMillivolts) {
    return tenthMillivolts / 10_000.0;
  }

  private static double[] volts(short[] codes) {
    double[] v = new double[codes.length];
    for (int k = 0; k < codes.length; k++) v[k] = codes[k] / 10_000.0;
    return v;
  }

  private static Plane plane(WirePlane p) {
    return p == WirePlane.ACTIVE ? Plane.ACTIVE : Plane.REFERENCE;
  }

  private static Cell cell(CellAddress a) {
    return new Cell(a.array(), plane(a.plane()), a.row(), a.col());
  }

  private static Tile tile(TileAddress t) {
    return new Tile(t.array(), t.row0(), t.col0(), t.rows(), t.cols());
  }

  private static ReadMode mode(WireReadMode m) {
    return switch (m) {
      case ACTIVE -> ReadMode.ACTIVE;
      case REFERENCE -> ReadMode.REFERENCE;
      case DIFFERENTIAL -> ReadMode.DIFFERENTIAL;
    };
  }

  private static Pulse pulse(WirePolarity polarity, PulseShape s) {
    return new Pulse(polarity == WirePolarity.UP ? Polarity.UP : Polarity.DOWN, s.amplitudeMillivolts() / 1000.0, s.widthNanos(), s.periodNanos());
  }
}
