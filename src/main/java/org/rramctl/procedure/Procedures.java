package org.rramctl.procedure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.rramctl.journal.Json;

/**
 * Builds procedures by name from JSON parameters: the defaults, overlaid by a parameter file, overlaid by
 * command-line values. Unknown keys are errors (a typo in a file must not silently fall back to a default).
 */
public final class Procedures {
  private record Kind(Record defaults, Function<Record, Procedure> make) {}

  private static final Map<String, Kind> KINDS = new LinkedHashMap<>();

  static {
    KINDS.put(PulseResponse.NAME, new Kind(PulseResponse.Params.defaults(), p -> new PulseResponse((PulseResponse.Params) p)));
    KINDS.put(ReadStatistics.NAME, new Kind(ReadStatistics.Params.defaults(), p -> new ReadStatistics((ReadStatistics.Params) p)));
    KINDS.put(Retention.NAME, new Kind(Retention.Params.defaults(), p -> new Retention((Retention.Params) p)));
    KINDS.put(ProgramToTarget.NAME, new Kind(ProgramToTarget.Params.defaults(), p -> new ProgramToTarget((ProgramToTarget.Params) p)));
    KINDS.put(PulsedSweep.NAME, new Kind(PulsedSweep.Params.defaults(), p -> new PulsedSweep((PulsedSweep.Params) p)));
    KINDS.put(ArrayMap.NAME, new Kind(ArrayMap.Params.defaults(), p -> new ArrayMap((ArrayMap.Params) p)));
    KINDS.put(Form.NAME, new Kind(Form.Params.defaults(), p -> new Form((Form.Params) p)));
    KINDS.put(IvCurve.NAME, new Kind(IvCurve.Params.defaults(), p -> new IvCurve((IvCurve.Params) p)));
    KINDS.put(Endurance.NAME, new Kind(Endurance.Params.defaults(), p -> new Endurance((Endurance.Params) p)));
    KINDS.put(SwitchSeek.NAME, new Kind(SwitchSeek.Params.defaults(), p -> new SwitchSeek((SwitchSeek.Params) p)));
    KINDS.put(ConvergeToState.NAME, new Kind(ConvergeToState.Params.defaults(), p -> new ConvergeToState((ConvergeToState.Params) p)));
  }

  private Procedures() {}

  public static List<String> names() {
    return List.copyOf(KINDS.keySet());
  }

  /** The default parameters of a procedure, as JSON. */
  public static ObjectNode defaults(String name) {
    return Json.MAPPER.valueToTree(kind(name).defaults());
  }

  private static Kind kind(String name) {
    Kind k = KINDS.get(name);
    if (k == null) throw new IllegalArgumentException("procedure: '" + name + "' (expected: one of " + String.join(", ", KINDS.keySet()) + ")");
    return k;
  }

  /**
   * Builds a procedure from the defaults overlaid with each of {@code layers} in turn (null layers skipped).
   *
   * @throws IllegalArgumentException naming the bad or unknown parameter
   */
  public static Procedure of(String name, ObjectNode... layers) {
    Kind k = kind(name);
    ObjectNode merged = defaults(name);
    if (layers != null) for (ObjectNode layer : layers) if (layer != null) merged.setAll(layer);
    try {
      return k.make().apply(Json.MAPPER.treeToValue(merged, k.defaults().getClass()));
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException(name + " parameter: '" + e.getPropertyName() + "' (expected: one of " + String.join(", ", fieldNames(k)) + ")");
    } catch (ValueInstantiationException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      throw new IllegalArgumentException(name + " " + c.getMessage(), c);
    } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
      String field = e.getPath().isEmpty() ? "?" : e.getPath().get(0).getFieldName();
      throw new IllegalArgumentException(name + " parameter: '" + field + "': " + merged.get(field) + " (expected: " + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(name + " parameters: " + e.getOriginalMessage());
    }
  }

  private static List<String> fieldNames(Kind k) {
    List<String> out = new java.util.ArrayList<>();
    defaultsTree(k).fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static JsonNode defaultsTree(Kind k) {
    return Json.MAPPER.valueToTree(k.defaults());
  }

  /** Reads a JSON parameter file (an object of parameter names to values). */
  public static ObjectNode readFile(Path file) throws IOException {
    JsonNode n;
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--params: " + file + ": " + (java.nio.file.Files.isDirectory(file) ? "is a folder" : "no such file")
          + " (expected: a JSON object of parameter names to values)");
    }
    try {
      n = Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("params: " + file + ": not readable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    if (!(n instanceof ObjectNode o)) throw new IllegalArgumentException("params: " + file + " (expected: a JSON object of parameter names to values)");
    return o;
  }
}
