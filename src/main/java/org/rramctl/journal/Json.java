package org.rramctl.journal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one Jackson configuration the journal, the procedures and the CLI share. */
public final class Json {
  /** Thread-safe once configured. Unknown properties in parameter files are errors, not ignored. */
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }
}
