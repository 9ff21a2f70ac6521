package org.rramctl.sim.board;

import org.rramctl.protocol.Response;

/** The board's answer to a device command: it starts as a {@link Job}, or it is refused with an ERROR. */
sealed interface Admission {
  record Admitted(Job job) implements Admission {}

  record Refused(Response.Error error) implements Admission {}
}
