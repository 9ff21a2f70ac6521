package org.rramctl.procedure;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Plane;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.journal.Json;

/**
 * Array map: reads every device of the target (by default the whole of array 0) row by row, with the
 * driver's row read (native on boards that have it), and records one event per device. No pulses.
 *
 * <p>Events: {@code array,row,col,g}. One unit per row.
 */
public record ArrayMap(Params params) implements Procedure {
  public static final String NAME = "map";

  /**
   * @param cells devices (default: all of array 0)
   * @param readVolts read voltage, V
   */
  public record Params(String cells, double readVolts) {
    public Params {
      Checks.notBlank("cells", cells);
      Checks.positive("readVolts", readVolts);
    }

    public static Params defaults() {
      return new Params("all", 0.2);
    }
  }

  public ArrayMap {
    if (params == null) throw new IllegalArgumentException("params: null");
  }

  public static ArrayMap of(Params p) {
    return new ArrayMap(p);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void validate(BoardInfo info, SafetyEnvelope envelope) {
    Target.parse(params.cells, info);
    envelope.checkReadVolts(params.readVolts);
  }

  @Override
  public void run(ProcedureContext ctx) throws IOException {
    Target t = Target.parse(params.cells, ctx.driver().info());
    for (int r = 0; r < t.rows(); r++) {
      if (ctx.done(r)) continue;
      ctx.checkpoint();
      int row = t.row0() + r;
      double[] g = ctx.driver().readRow(t.array(), Plane.ACTIVE, row, params.readVolts);
      for (int c = 0; c < t.cols(); c++) {
        ObjectNode e = ProcedureContext.data(Cell.active(t.array(), row, t.col0() + c));
        e.put("g", g[t.col0() + c]);
        ctx.emit(e);
      }
      ctx.unitDone(r, t.rows());
    }
  }

  /** Size, minimum, mean, maximum and standard deviation over the map. */
  @Override
  public ObjectNode summarize(List<ObjectNode> events) {
    double[] g = events.stream().mapToDouble(e -> e.path("g").asDouble()).toArray();
    ObjectNode s = Json.object();
    s.put("devices", g.length);
    s.put("rows", events.stream().mapToInt(e -> e.path("row").asInt()).distinct().count());
    s.put("cols", events.stream().mapToInt(e -> e.path("col").asInt()).distinct().count());
    Checks.put(s, "gMinSiemens", java.util.Arrays.stream(g).min().orElse(Double.NaN));
    Checks.put(s, "gMeanSiemens", Checks.mean(g));
    Checks.put(s, "gMaxSiemens", java.util.Arrays.stream(g).max().orElse(Double.NaN));
    Checks.put(s, "gStdSiemens", Checks.std(g));
    return s;
  }
}
