package org.rramctl.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Receives every document of a run right after the journal acknowledged it (the live publisher, a
 * progress printer, tests). Called on the run's thread; must not block for long. An exception from a sink
 * is counted in the stop document and the sink is dropped; it never ends the run.
 */
@FunctionalInterface
public interface DocumentSink {
  /**
   * @param type the document type (start, event, progress, stop, resume)
   * @param document the document (do not modify)
   * @param json the journal line, UTF-8, without the newline
   */
  void accept(String type, ObjectNode document, byte[] json) throws Exception;
}
