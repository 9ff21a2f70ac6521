package org.rramctl.sim.board;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.ExecutionRecord;
import org.rramctl.protocol.Opcode;
import org.rramctl.protocol.Outcome;
import org.rramctl.protocol.Response;

/**
 * What the board remembers of the device-changing commands it was sent (PROTOCOL.md 5.4): the newest
 * {@value #CAPACITY} as {@link ExecutionRecord}s, which LAST_EXECUTED reports and which de-duplicate commands by
 * (sequence, opcode); and, for tests, the log of every command it started ({@link VirtualBoard.LogEntry}), which a
 * reboot does not clear.
 *
 * <p>Not thread-safe: the board guards it with its monitor.
 */
final class ExecutionHistory {
  static final int CAPACITY = Response.Executed.MAX_RECORDS;

  /** A command that started: its IN_PROGRESS record (replaced when it ends) and its line in the log. */
  record Started(ExecutionRecord inProgress, int logIndex) {}

  private final List<ExecutionRecord> recent = new ArrayList<>(); // newest first
  private final List<VirtualBoard.LogEntry> log = new ArrayList<>();

  /** The newest record of {@code opcode} sent with {@code sequence}, if the board still remembers one. */
  Optional<ExecutionRecord> find(int sequence, Opcode opcode) {
    for (ExecutionRecord r : recent) {
      if (r.sequence() == sequence && r.opcode() == opcode) return Optional.of(r);
    }
    return Optional.empty();
  }

  /** Records a command IN_PROGRESS before its first pulse, so that LAST_EXECUTED never misses one that started. */
  Started start(int sequence, int connection, Command command) {
    ExecutionRecord r = new ExecutionRecord(sequence, command.opcode(), Outcome.IN_PROGRESS, ErrorCode.NONE, 0);
    remember(r);
    log.add(new VirtualBoard.LogEntry(sequence, connection, command, 0, Outcome.IN_PROGRESS));
    return new Started(r, log.size() - 1);
  }

  /** Records a device-changing command the board refused with {@code why}: FAILED, no pulses. */
  void refused(int sequence, Opcode opcode, ErrorCode why) {
    remember(new ExecutionRecord(sequence, opcode, Outcome.FAILED, why, 0));
  }

  /**
   * Records how a started command ended: its record (if the board still remembers it) and its log line.
   *
   * @param stopReason what stopped it (NONE when nothing asked it to)
   * @param pulsesAtStop pulses applied when the stop was asked for; -1 when not stopped
   */
  void finish(Started started, Outcome outcome, ErrorCode error, long pulsesApplied, ErrorCode stopReason, long pulsesAtStop) {
    ExecutionRecord r = started.inProgress();
    for (int i = 0; i < recent.size(); i++) {
      if (recent.get(i) == r) {
        recent.set(i, new ExecutionRecord(r.sequence(), r.opcode(), outcome, error, pulsesApplied));
        break;
      }
    }
    VirtualBoard.LogEntry e = log.get(started.logIndex());
    log.set(started.logIndex(), new VirtualBoard.LogEntry(e.sequence(), e.connection(), e.command(), pulsesApplied, outcome, stopReason, pulsesAtStop));
  }

  /** The remembered records, newest first (a copy). */
  List<ExecutionRecord> recent() {
    return List.copyOf(recent);
  }

  /** Every command started since power-up, oldest first (a copy). */
  List<VirtualBoard.LogEntry> log() {
    return List.copyOf(log);
  }

  /** A reboot: the records go (the board's RAM), the log stays (it is the test's record, not the board's). */
  void forgetRecords() {
    recent.clear();
  }

  private void remember(ExecutionRecord r) {
    recent.add(0, r);
    while (recent.size() > CAPACITY) recent.remove(recent.size() - 1);
  }
}
