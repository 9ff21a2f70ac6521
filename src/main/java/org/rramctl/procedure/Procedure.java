package org.rramctl.procedure;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.SafetyEnvelope;

/**
 * A characterization procedure: a parameter record, a check of those parameters against the board and the
 * safety envelope that runs before the first pulse, the measurement itself, and a summary computed from the
 * recorded events (so that a resumed run and {@code rramctl runs show} summarise the same way).
 *
 * <p>Work is split into numbered units (a device, a device and cycle, a schedule point) that a resumed
 * run skips when the journal records them done.
 */
public sealed interface Procedure
    permits PulseResponse, ReadStatistics, Retention, ProgramToTarget, PulsedSweep, ArrayMap, Form, IvCurve, Endurance, SwitchSeek, ConvergeToState {

  /** The name used on the command line and in the journal, e.g. {@code pulse-response}. */
  String name();

  /** The parameters, as recorded in the start document. */
  Record params();

  /**
   * Checks the parameters against the board's geometry and the envelope. Sends nothing.
   *
   * @throws IllegalArgumentException (or EnvelopeViolationException) naming the first problem
   */
  void validate(BoardInfo info, SafetyEnvelope envelope);

  /**
   * {@link #validate(BoardInfo, SafetyEnvelope)} with the driver at hand, for checks only the driver can make (what its
   * source-measure hardware can hold beyond the envelope). Sends nothing. The runner calls this one.
   */
  default void validate(org.rramctl.driver.CrossbarDriver driver, SafetyEnvelope envelope) {
    validate(driver.info(), envelope);
  }

  /** Runs (or, on resume, continues) the measurement. */
  void run(ProcedureContext ctx) throws IOException;

  /** Summarises recorded event data (all segments of the run) into a small JSON object. */
  ObjectNode summarize(List<ObjectNode> events);
}
