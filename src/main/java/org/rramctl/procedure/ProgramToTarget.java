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
import org.rramctl.driver.Pulse;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.journal.Json;

/**
 * Program to target (write-verify): read; while the conductance is further than {@code toleranceSiemens}
 * from {@code targetSiemens} and the pulse budget lasts, pulse toward the target and read again.
 *
 * <p>The pulse count per step comes from the last observed step size in that direction: 70 % of the
 * distance divided by the step, at least 1. Soft bounds shrink the step as the device nears a bound, so
 * aiming short and re-measuring converges without overshooting by more than about one step; a step that
 * read as zero or backwards (noise) keeps the previous estimate.
 *
 * <p>Events: {@code array,row,col,iteration,polarity,count,pulses,g,error} (iteration 0 is the first read,
 * {@code pulses} the running total, {@code error = g - target}). One unit per device.
 */
public record ProgramToTarget(Params params) implements Procedure {
  public static final String NAME = "program";

  /** Fraction of the estimated distance aimed for in one step. */
  static final double AIM = 0.7;

  /**
   * @param cells devices
   * @param targetSiemens target conductance, S
   * @param toleranceSiemens accepted |G - target|, S
   * @param maxPulses pulse budget per device
   * @param amplitudeVolts pulse amplitude, V
   * @param width pulse width
   * @param readVolts read voltage, V
   */
  public record Params(String cells, double targetSiemens, double toleranceSiemens, int maxPulses, double amplitudeVolts, String width, double readVolts) {
    public Params {
      Checks.notBlank("cells", cells);
      Checks.positive("targetSiemens", targetSiemens);
      Checks.positive("toleranceSiemens", toleranceSiemens);
      Checks.atLeast("maxPulses", maxPulses, 1, 100_000_000);
      Checks.positive("amplitudeVolts", amplitudeVolts);
      Checks.notBlank("width", width);
      Checks.positive("readVolts", readVolts);
    }

    public static Params defaults() {
      return new Params("0,0", 50e-6, 0.5e-6, 10_000, 1.0, "100ns", 0.2);
    }
  }

  public ProgramToTarget {
    if (params == null) throw new IllegalArgumentException("params: null");
  }

  public static ProgramToTarget of(Params p) {
    return new ProgramToTarget(p);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void validate(BoardInfo info, SafetyEnvelope envelope) {
    Target.parse(params.cells, info);
    if (params.targetSiemens < info.gMinSiemens() || params.targetSiemens > info.gMaxSiemens()) {
      throw new IllegalArgumentException("targetSiemens: " + params.targetSiemens + " (expected: within the board's window "
          + info.gMinSiemens() + " .. " + info.gMaxSiemens() + " S)");
    }
    envelope.checkPulses(Checks.pulse(Polarity.UP, params.amplitudeVolts, params.width, envelope.limits()), 1);
    envelope.checkReadVolts(params.readVolts);
  }

  @Override
  public void run(ProcedureContext ctx) throws IOException {
    CrossbarDriver d = ctx.driver();
    Target target = Target.parse(params.cells, d.info());
    Pulse up = Checks.pulse(Polarity.UP, params.amplitudeVolts, params.width, Checks.limits(d));
    int perCommand = Math.max(1, Math.min(d.info().hardwareLimits().maxPulsesPerCommand(), 1_000_000));
    for (int k = 0; k < target.size(); k++) {
      if (ctx.done(k)) continue;
      ctx.checkpoint();
      Cell c = target.cell(k);
      double g = d.read(c, params.readVolts);
      emit(ctx, c, 0, null, 0, 0, g);
      double[] step = {Double.NaN, Double.NaN}; // siemens per pulse, [UP, DOWN]
      int used = 0;
      for (int it = 1; Math.abs(g - params.targetSiemens) > params.toleranceSiemens && used < params.maxPulses; it++) {
        ctx.checkpoint();
        Polarity dir = g < params.targetSiemens ? Polarity.UP : Polarity.DOWN;
        int slot = dir == Polarity.UP ? 0 : 1;
        int n = 1;
        if (!Double.isNaN(step[slot])) n = (int) Math.max(1, Math.min(AIM * Math.abs(params.targetSiemens - g) / step[slot], Integer.MAX_VALUE));
        n = Math.min(n, Math.min(params.maxPulses - used, perCommand));
        double g2 = d.pulseThenRead(c, up.withPolarity(dir), n, params.readVolts);
        double observed = (g2 - g) * dir.sign() / n;
        if (observed > 0) step[slot] = observed;
        used += n;
        g = g2;
        emit(ctx, c, it, dir, n, used, g);
      }
      ctx.unitDone(k, target.size());
    }
  }

  private void emit(ProcedureContext ctx, Cell c, int it, Polarity dir, int count, int pulses, double g) throws IOException {
    ObjectNode e = ProcedureContext.data(c);
    e.put("iteration", it);
    e.put("polarity", dir == null ? "none" : dir.name().toLowerCase(java.util.Locale.ROOT));
    e.put("count", count);
    e.put("pulses", pulses);
    e.put("g", g);
    e.put("error", g - params.targetSiemens);
    ctx.emit(e);
  }

  /** Per device: reached or not, pulses used, final error. */
  @Override
  public ObjectNode summarize(List<ObjectNode> events) {
    ObjectNode s = Json.object();
    ArrayNode rows = s.putArray("cells");
    int reached = 0;
    for (Map.Entry<String, List<ObjectNode>> e : Checks.byCell(events).entrySet()) {
      ObjectNode last = e.getValue().get(e.getValue().size() - 1);
      boolean ok = Math.abs(last.path("error").asDouble()) <= params.toleranceSiemens;
      if (ok) reached++;
      ObjectNode r = Checks.cellRow(rows, e.getKey());
      r.put("reached", ok);
      r.put("pulses", last.path("pulses").asInt());
      r.put("iterations", last.path("iteration").asInt());
      r.put("finalSiemens", last.path("g").asDouble());
      r.put("errorSiemens", last.path("error").asDouble());
    }
    s.put("devices", rows.size());
    s.put("reached", reached);
    return s;
  }
}
