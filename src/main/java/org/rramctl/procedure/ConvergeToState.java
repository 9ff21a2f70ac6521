package org.rramctl.procedure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.journal.Json;

/**
 * Converge to state (the ArC ONE ConvergeToState's way, beside the write-verify {@code program}): drive each device
 * toward a target resistance with pulse trains of growing amplitude: read; if within tolerance, stop; otherwise apply
 * {@code pulses} pulses toward the target at the current amplitude, which grows by {@code stepVolts} per iteration
 * up to {@code toVolts}. When a train overshoots (the device crosses the target) the polarity alternates and the
 * amplitude starts again from {@code fromVolts}, so the ramp closes in from both sides. Stops within tolerance, or at
 * {@code maxIterations}.
 *
 * <p>Events: {@code array,row,col,iteration,polarity,amplitudeVolts,pulses,g,ohms,errorOhms}. One unit per device.
 */
public record ConvergeToState(Params params) implements Procedure {
  public static final String NAME = "converge";

  /**
   * @param cells devices
   * @param targetOhms target resistance, ohm
   * @param tolerance accepted relative error |R - target| / target
   * @param fromVolts first amplitude, V
   * @param toVolts largest amplitude, V
   * @param stepVolts amplitude growth per iteration, V
   * @param width pulse width
   * @param pulses pulses per train
   * @param maxIterations iteration budget per device
   * @param readVolts read voltage, V
   */
  public record Params(String cells, double targetOhms, double tolerance, double fromVolts, double toVolts, double stepVolts, String width, int pulses,
      int maxIterations, double readVolts) {
    public Params {
      Checks.notBlank("cells", cells);
      Checks.positive("targetOhms", targetOhms);
      Checks.positive("tolerance", tolerance);
      Checks.positive("fromVolts", fromVolts);
      Checks.positive("toVolts", toVolts);
      if (toVolts < fromVolts) throw new IllegalArgumentException("toVolts: " + toVolts + " (expected: >= fromVolts " + fromVolts + ")");
      Checks.positive("stepVolts", stepVolts);
      Checks.notBlank("width", width);
      Checks.atLeast("pulses", pulses, 1, 1_000_000);
      Checks.atLeast("maxIterations", maxIterations, 1, 10_000_000);
      Checks.positive("readVolts", readVolts);
    }

    /** ArC ONE ConvergeToState-like defaults: 20 kOhm within 5 %, 0.5 V growing by 0.05 V to 1.5 V, ten 100 ns pulses per train. */
    public static Params defaults() {
      return new Params("0,0", 20e3, 0.05, 0.5, 1.5, 0.05, "100ns", 10, 1000, 0.2);
    }
  }

  public ConvergeToState {
    if (params == null) throw new IllegalArgumentException("params: null");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void validate(BoardInfo info, SafetyEnvelope envelope) {
    Target.parse(params.cells, info);
    double g = 1 / params.targetOhms;
    if (g < info.gMinSiemens() || g > info.gMaxSiemens()) {
      throw new IllegalArgumentException("targetOhms: " + params.targetOhms + " (expected: within the board's window " + 1 / info.gMaxSiemens() + " .. "
          + 1 / info.gMinSiemens() + " ohm)");
    }
    envelope.checkPulses(Checks.pulse(Polarity.UP, params.toVolts, params.width, envelope.limits()), params.pulses);
    envelope.checkReadVolts(params.readVolts);
  }

  @Override
  public void run(ProcedureContext ctx) throws IOException {
    CrossbarDriver d = ctx.driver();
    Target target = Target.parse(params.cells, d.info());
    for (int k = 0; k < target.size(); k++) {
      if (ctx.done(k)) continue;
      ctx.checkpoint();
      Cell c = target.cell(k);
      double g = d.read(c, params.readVolts);
      emit(ctx, c, 0, null, 0, 0, g);
      double amplitude = params.fromVolts;
      Polarity last = null;
      int used = 0;
      for (int it = 1; it <= params.maxIterations && !within(g); it++) {
        ctx.checkpoint();
        // Resistance too high means conductance too low: SET (UP) toward the target.
        Polarity dir = 1 / g > params.targetOhms ? Polarity.UP : Polarity.DOWN;
        if (last != null && dir != last) amplitude = params.fromVolts; // overshot: alternate, start the ramp again
        g = d.pulseThenRead(c, Checks.pulse(dir, amplitude, params.width, Checks.limits(d)), params.pulses, params.readVolts);
        used += params.pulses;
        emit(ctx, c, it, dir, amplitude, used, g);
        last = dir;
        amplitude = Math.min(params.toVolts, amplitude + params.stepVolts);
      }
      ctx.unitDone(k, target.size());
    }
  }

  private boolean within(double g) {
    return g > 0 && Math.abs(1 / g - params.targetOhms) <= params.tolerance * params.targetOhms;
  }

  private void emit(ProcedureContext ctx, Cell c, int it, Polarity dir, double amplitude, int pulses, double g) throws IOException {
    ObjectNode e = ProcedureContext.data(c);
    e.put("iteration", it);
    e.put("polarity", dir == null ? "none" : dir.name().toLowerCase(java.util.Locale.ROOT));
    e.put("amplitudeVolts", amplitude);
    e.put("pulses", pulses);
    e.put("g", g);
    Checks.put(e, "ohms", 1 / g);
    Checks.put(e, "errorOhms", 1 / g - params.targetOhms);
    ctx.emit(e);
  }

  /** Per device: reached or not, iterations, pulses, final resistance and relative error. */
  @Override
  public ObjectNode summarize(List<ObjectNode> events) {
    ObjectNode s = Json.object();
    ArrayNode rows = s.putArray("cells");
    int reached = 0;
    for (Map.Entry<String, List<ObjectNode>> e : Checks.byCell(events).entrySet()) {
      ObjectNode last = e.getValue().get(e.getValue().size() - 1);
      boolean ok = within(last.path("g").asDouble());
      if (ok) reached++;
      ObjectNode r = Checks.cellRow(rows, e.getKey());
      r.put("reached", ok);
      r.put("iterations", last.path("iteration").asInt());
      r.put("pulses", last.path("pulses").asInt());
      Checks.put(r, "finalOhms", 1 / last.path("g").asDouble());
      Checks.put(r, "relativeError", (1 / last.path("g").asDouble() - params.targetOhms) / params.targetOhms);
    }
    s.put("devices", rows.size());
    s.put("reached", reached);
    return s;
  }
}
