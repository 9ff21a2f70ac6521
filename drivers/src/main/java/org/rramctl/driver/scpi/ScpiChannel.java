package org.rramctl.driver.scpi;

import java.io.IOException;

/**
 * A line-oriented command channel to a SCPI or TSP instrument. Each call sends one line (the channel
 * adds the terminator). Thread-safety: {@link #send} may be called from any thread (an abort sends its
 * shutdown while another thread waits in {@link #query}); implementations serialise writes so lines
 * never interleave.
 */
public interface ScpiChannel extends AutoCloseable {
  /** Sends a line that produces no reply. */
  void send(String line) throws IOException;

  /** Sends a line and returns the one reply line (without terminator). */
  String query(String line) throws IOException;

  /** The port or address, for messages. */
  String endpoint();

  @Override
  void close();
}
