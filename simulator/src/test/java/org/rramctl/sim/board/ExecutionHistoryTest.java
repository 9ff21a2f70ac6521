package org.rramctl.sim.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.Opcode;
import org.rramctl.protocol.Outcome;

/** The board's duplicate memory (PROTOCOL.md 5.4): the newest records only, by (sequence, opcode); a reboot forgets them. */
class ExecutionHistoryTest {
  @Test
  void theBoardRemembersExactlyTheNewestCapacityRecords() {
    ExecutionHistory h = new ExecutionHistory();
    for (int seq = 0; seq <= ExecutionHistory.CAPACITY; seq++) h.refused(seq, Opcode.PULSE, ErrorCode.BUSY);
    assertEquals(ExecutionHistory.CAPACITY, h.recent().size());
    assertTrue(h.find(0, Opcode.PULSE).isEmpty(), "the oldest is gone: a copy of its frame would now run");
    assertEquals(Outcome.FAILED, h.find(1, Opcode.PULSE).orElseThrow().outcome(), "the oldest kept one is still a duplicate");
    assertEquals(ExecutionHistory.CAPACITY, h.recent().get(0).sequence(), "newest first");
    assertTrue(h.find(1, Opcode.PULSE_THEN_READ).isEmpty(), "the same sequence with another opcode is another command");
  }

  @Test
  void aRebootForgetsTheRecordsButNotTheLog() {
    ExecutionHistory h = new ExecutionHistory();
    h.refused(7, Opcode.PULSE, ErrorCode.LIMIT_EXCEEDED);
    h.forgetRecords();
    assertTrue(h.recent().isEmpty());
    assertTrue(h.find(7, Opcode.PULSE).isEmpty());
  }
}
