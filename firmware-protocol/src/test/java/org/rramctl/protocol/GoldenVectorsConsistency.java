package org.rramctl.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The golden vectors describe one board and one session, so they must agree with each other, not only decode:
 * every command is one the IDENTITY board would accept (geometry, limits, native operations, payload size);
 * every response answers the command with its sequence number, with the numbers that command implies (pulse
 * counts, codes per read, currents per tile column, UPDATE progress slot by slot); the EXECUTED history matches
 * the commands it lists; an ERROR detail has 4.2's shape {@code name: value (expected: ...)}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GoldenVectorsConsistency {
  /** The protocol version of the session the file describes. */
  abstract int version();

  private static final Pattern DETAIL = Pattern.compile("([A-Za-z][\\w .\\[\\]]*): (.+) \\(expected: (.+)\\)");

  private final Map<Integer, Command> commands = new HashMap<>();
  private final List<Envelope> responses = new ArrayList<>();
  private Response.Identity identity;

  @BeforeAll
  void decodeTheStoredFile() throws IOException, ProtocolException {
    for (GoldenVectorsTest.Line l : GoldenVectorsTest.stored(version())) {
      List<FrameEvent> events = new ArrayList<>();
      FrameDecoder.create().feed(l.frame(), 0, l.frame().length, events::add);
      Envelope e = MessageCodec.decode(((FrameEvent.Frame) events.get(0)).packet(), version());
      if (e.message() instanceof Command c) {
        assertNull(commands.put(e.sequence(), c), "one command per sequence number: " + e.sequence());
      } else {
        responses.add(e);
        if (e.message() instanceof Response.Identity id) identity = id;
      }
    }
    assertNotNull(identity, "an IDENTITY vector");
  }

  private HardwareLimits limits() {
    return identity.limits();
  }

  @Test
  void theLimitsVectorRepeatsTheIdentitysLimits() {
    for (Envelope e : responses) {
      if (e.message() instanceof Response.Limits l) assertEquals(limits(), l.limits());
    }
  }

  @Test
  void everyCommandIsOneTheIdentityBoardAccepts() {
    for (Map.Entry<Integer, Command> e : commands.entrySet()) {
      Command c = e.getValue();
      assertNull(refusal(c), "sequence " + e.getKey() + ": " + c);
      int payload = MessageCodec.encode(c, e.getKey(), version()).length + WireFormat.CRC_BYTES;
      assertTrue(payload <= identity.maxPayloadBytes(), "sequence " + e.getKey() + ": payload " + payload);
    }
  }

  /** What the board would refuse in {@code c} (PROTOCOL.md 6, the geometry and limit checks), or null. */
  private String refusal(Command c) {
    Opcode op = c.opcode();
    if (op.code() >= Opcode.READ.code() && !identity.nativeOps().contains(op)) return "UNSUPPORTED " + op;
    if (c instanceof Command.Hello h) return h.minVersion() <= identity.protocolVersion() && identity.protocolVersion() <= h.maxVersion() ? null : "version window";
    if (c instanceof Command.Read r) return or(cell(r.cell()), read(r.readTenthMillivolts()));
    if (c instanceof Command.Pulse p) return or(cell(p.cell()), shape(p.shape()), count(p.count()));
    if (c instanceof Command.PulseThenRead p) return or(cell(p.cell()), shape(p.shape()), count(p.count()), read(p.readTenthMillivolts()));
    if (c instanceof Command.ReadRow r) return or(plane(r.array(), r.plane()), r.row() < array(r.array()).rows() ? null : "row", read(r.readTenthMillivolts()));
    if (c instanceof Command.ReadColumn r) return or(plane(r.array(), r.plane()), r.col() < array(r.array()).cols() ? null : "col", read(r.readTenthMillivolts()));
    if (c instanceof Command.ReadArray r) return or(plane(r.array(), r.plane()), read(r.readTenthMillivolts()));
    if (c instanceof Command.ForwardRead f) return or(tile(f.tile(), f.mode()), vector(f.rowTenthMillivolts()));
    if (c instanceof Command.TransposeRead t) return or(tile(t.tile(), t.mode()), vector(t.colTenthMillivolts()));
    if (c instanceof Command.Update u) {
      return or(tile(u.tile(), u.plane() == WirePlane.ACTIVE ? WireReadMode.ACTIVE : WireReadMode.REFERENCE), shape(u.up()), shape(u.down()), count(u.bitLength()));
    }
    if (c instanceof Command.Source so) return or(cell(so.cell()), level(so.millivolts()), width(so.durationNanos()), compliance(so.complianceNanoamps()));
    if (c instanceof Command.Sweep sw) {
      String levels = null;
      for (short mv : sw.levelsMillivolts()) levels = or(levels, level(mv));
      String rate = !sw.pulsed() || (sw.stepNanos() + sw.offNanos()) * limits().maxPulseRateHz() >= 1_000_000_000L ? null : "sweep rate";
      return or(cell(sw.cell()), levels, width(sw.stepNanos()), compliance(sw.complianceNanoamps()), count(sw.levelsMillivolts().length), rate);
    }
    return null;
  }

  private String level(int millivolts) {
    return Math.abs(millivolts) <= limits().maxPulseMillivolts() ? null : "level " + millivolts + " mV";
  }

  private String width(long nanos) {
    return nanos >= limits().minPulseWidthNanos() && nanos <= limits().maxPulseWidthNanos() ? null : "duration " + nanos;
  }

  private String compliance(long nanoamps) {
    return nanoamps <= limits().complianceNanoamps() ? null : "compliance " + nanoamps + " nA";
  }

  private String or(String... problems) {
    for (String p : problems) if (p != null) return p;
    return null;
  }

  private ArrayInfo array(int a) {
    return identity.arrays().get(a);
  }

  private String plane(int a, WirePlane p) {
    if (a >= identity.arrays().size()) return "array " + a;
    return p == WirePlane.REFERENCE && !array(a).hasReference() ? "reference plane of array " + a : null;
  }

  private String cell(CellAddress c) {
    String p = plane(c.array(), c.plane());
    if (p != null) return p;
    return c.row() < array(c.array()).rows() && c.col() < array(c.array()).cols() ? null : "cell " + c;
  }

  private String tile(TileAddress t, WireReadMode mode) {
    String p = plane(t.array(), mode == WireReadMode.ACTIVE ? WirePlane.ACTIVE : WirePlane.REFERENCE);
    if (p != null) return p;
    return t.row0() + t.rows() <= array(t.array()).rows() && t.col0() + t.cols() <= array(t.array()).cols() ? null : "tile " + t;
  }

  private String read(int tenthMillivolts) {
    return tenthMillivolts <= limits().maxReadTenthMillivolts() ? null : "read voltage " + tenthMillivolts;
  }

  private String vector(short[] v) {
    for (short x : v) if (Math.abs(x) > limits().maxReadTenthMillivolts()) return "vector voltage " + x;
    return null;
  }

  private String shape(PulseShape s) {
    if (s.amplitudeMillivolts() > limits().maxPulseMillivolts()) return "amplitude " + s.amplitudeMillivolts();
    if (s.widthNanos() < limits().minPulseWidthNanos() || s.widthNanos() > limits().maxPulseWidthNanos()) return "width " + s.widthNanos();
    return s.periodNanos() * limits().maxPulseRateHz() >= 1_000_000_000L ? null : "period " + s.periodNanos() + " ns over the " + limits().maxPulseRateHz() + " Hz limit";
  }

  private String count(long n) {
    return n <= limits().maxPulsesPerCommand() ? null : "count " + n;
  }

  @Test
  void everyResponseAnswersTheCommandWithItsSequenceNumber() {
    for (Envelope e : responses) {
      if (e.message() instanceof Response.Error) continue; // checked on its own below
      Command c = commands.get(e.sequence());
      assertNotNull(c, "a command vector with sequence " + e.sequence() + " for " + e.message());
      assertEquals(answer(c.opcode()), e.message().opcode(), "sequence " + e.sequence() + ": " + c + " answered by " + e.message());
    }
  }

  private Opcode answer(Opcode command) {
    return switch (command) {
      case HELLO -> Opcode.IDENTITY;
      case GET_LIMITS -> Opcode.LIMITS;
      case STATUS -> Opcode.STATUS_REPORT;
      case HEARTBEAT -> Opcode.HEARTBEAT_ACK;
      case LAST_EXECUTED -> Opcode.EXECUTED;
      case ABORT -> Opcode.ACK;
      case READ, PULSE_THEN_READ -> Opcode.CONDUCTANCE;
      case PULSE -> Opcode.PULSE_DONE;
      case READ_ROW, READ_COLUMN, READ_ARRAY -> Opcode.CONDUCTANCES;
      case FORWARD_READ, TRANSPOSE_READ -> Opcode.CURRENTS;
      case UPDATE -> Opcode.UPDATE_PROGRESS;
      case SOURCE -> Opcode.MEASURED;
      case SWEEP -> Opcode.SWEEP_POINTS;
      default -> throw new IllegalArgumentException("not a command: " + command);
    };
  }

  /** Pulses an UPDATE applies in its first {@code slots} slots: popcount(|r_j| & |c_i| & mask) over all devices. */
  static long updatePulses(Command.Update u, int slots) {
    long mask = slots >= 64 ? -1L : (1L << slots) - 1;
    long n = 0;
    for (long r : u.rowStreams()) for (long c : u.colStreams()) n += Long.bitCount(Math.abs(r) & Math.abs(c) & mask);
    return n;
  }

  /** Pulses a device-changing command applies when it completes. */
  private long totalPulses(Command c) {
    if (c instanceof Command.Pulse p) return p.count();
    if (c instanceof Command.PulseThenRead p) return p.count();
    if (c instanceof Command.Source) return 1; // SOURCE and SWEEP count levels applied
    if (c instanceof Command.Sweep sw) return sw.levelsMillivolts().length;
    return updatePulses((Command.Update) c, ((Command.Update) c).bitLength());
  }

  @Test
  void streamsAndCountsMatchTheirCommands() {
    Map<Integer, List<Response>> parts = new HashMap<>();
    for (Envelope e : responses) {
      Command c = commands.get(e.sequence());
      if (e.message() instanceof Response.PulseDone d) assertEquals(((Command.Pulse) c).count(), d.pulsesApplied(), "PULSE_DONE of " + c);
      if (e.message() instanceof Response.Measured m) {
        double limit = ((Command.Source) c).complianceNanoamps() * 1e-9;
        assertTrue(Math.abs(m.amps()) <= limit * (1 + 1e-6), "MEASURED within the compliance of " + c);
        assertEquals(m.atCompliance(), Math.abs(m.amps()) >= limit * (1 - 1e-6), "compliance flag of " + m + " for " + c);
      }
      if (e.message() instanceof Response.Part) parts.computeIfAbsent(e.sequence(), k -> new ArrayList<>()).add((Response) e.message());
    }
    assertFalse(parts.isEmpty());
    for (Map.Entry<Integer, List<Response>> stream : parts.entrySet()) {
      Command c = commands.get(stream.getKey());
      List<Response> p = stream.getValue();
      for (int k = 0; k < p.size(); k++) {
        Response.Part part = (Response.Part) p.get(k);
        assertEquals(k, part.part(), "parts numbered 0, 1, ... for " + c);
        assertEquals(k < p.size() - 1, part.more(), "MORE on every part but the last for " + c);
      }
      if (c instanceof Command.Update u) {
        for (Response r : p) {
          Response.UpdateProgress up = (Response.UpdateProgress) r;
          assertEquals(updatePulses(u, up.slotsDone()), up.pulsesApplied(), "pulses after " + up.slotsDone() + " slots of " + u);
          if (!up.more()) assertEquals(u.bitLength(), up.slotsDone(), "the final part reports every slot");
        }
      } else {
        long expected;
        if (c instanceof Command.ReadRow r) expected = array(r.array()).cols();
        else if (c instanceof Command.ReadColumn r) expected = array(r.array()).rows();
        else if (c instanceof Command.ReadArray r) expected = (long) array(r.array()).rows() * array(r.array()).cols();
        else if (c instanceof Command.ForwardRead f) expected = f.tile().cols();
        else if (c instanceof Command.Sweep sw) expected = sw.levelsMillivolts().length;
        else expected = ((Command.TransposeRead) c).tile().rows();
        long next = 0;
        for (Response r : p) {
          long first = r instanceof Response.Conductances cs ? cs.first() : r instanceof Response.SweepPoints sp ? sp.first() : ((Response.Currents) r).first();
          assertEquals(next, first, "parts are contiguous for " + c);
          next += r instanceof Response.Conductances cs ? cs.codes().length : r instanceof Response.SweepPoints sp ? sp.amps().length : ((Response.Currents) r).amps().length;
          if (r instanceof Response.SweepPoints sp) {
            Command.Sweep sw = (Command.Sweep) c;
            for (int k = 0; k < sp.amps().length; k++) {
              double limit = sw.complianceNanoamps() * 1e-9;
              assertTrue(Math.abs(sp.amps()[k]) <= limit * (1 + 1e-6), "point " + (sp.first() + k) + " within the compliance of " + c);
              assertEquals(sp.atCompliance()[k], Math.abs(sp.amps()[k]) >= limit * (1 - 1e-6), "compliance flag of point " + (sp.first() + k) + " of " + c);
            }
          }
        }
        assertEquals(expected, next, "values streamed for " + c);
      }
    }
  }

  @Test
  void theExecutionHistoryMatchesTheCommandsItLists() {
    int listed = 0;
    for (Envelope e : responses) {
      if (!(e.message() instanceof Response.Executed x)) continue;
      for (ExecutionRecord r : x.records()) {
        Command c = commands.get(r.sequence());
        if (c == null) continue;
        listed++;
        assertEquals(c.opcode(), r.opcode(), "record " + r);
        switch (r.outcome()) {
          case COMPLETED -> {
            assertEquals(ErrorCode.NONE, r.error(), "record " + r);
            assertEquals(totalPulses(c), r.pulsesApplied(), "record " + r + " of " + c);
          }
          case ABORTED, FAILED -> {
            assertFalse(r.error() == ErrorCode.NONE, "record " + r);
            assertTrue(r.pulsesApplied() <= totalPulses(c), "record " + r + " of " + c);
          }
          case IN_PROGRESS -> assertTrue(r.pulsesApplied() <= totalPulses(c), "record " + r + " of " + c);
        }
      }
    }
    assertTrue(listed > 0, "the history lists commands among the vectors");
  }

  @Test
  void errorDetailsHaveTheShapeOfSection42AndNameARealViolation() throws ProtocolException {
    int errors = 0;
    for (Envelope e : responses) {
      if (!(e.message() instanceof Response.Error err)) continue;
      errors++;
      Matcher m = DETAIL.matcher(err.detail());
      assertTrue(m.matches(), "detail shaped 'name: value (expected: ...)': " + err.detail());
      assertTrue(Opcode.of(err.offendingOpcode()).isCommand(), "offending opcode " + err.offendingOpcode());
      if (err.code() == ErrorCode.LIMIT_EXCEEDED && m.group(1).equals("amplitude")) {
        int mv = Integer.parseInt(m.group(2).replace(" mV", ""));
        assertTrue(mv > limits().maxPulseMillivolts(), "the amplitude is over the IDENTITY board's limit: " + err.detail());
        assertEquals("<= " + limits().maxPulseMillivolts(), m.group(3), err.detail());
      }
      if (err.code() == ErrorCode.LIMIT_EXCEEDED && m.group(1).equals("compliance")) {
        long na = Long.parseLong(m.group(2).replace(" nA", ""));
        assertTrue(na > limits().complianceNanoamps(), "the compliance is over the IDENTITY board's limit: " + err.detail());
        assertEquals("<= " + limits().complianceNanoamps(), m.group(3), err.detail());
      }
    }
    assertTrue(errors > 0);
  }
}
