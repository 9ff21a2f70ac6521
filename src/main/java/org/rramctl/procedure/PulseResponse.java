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
 * Potentiation / depression: on each device, {@code pulses} UP pulses then {@code pulses} DOWN pulses, a
 * read after each, repeated for {@code cycles} cycles: the curves calibration's model fit consumes
 * (DESIGN.md section 3.6). For a noise-free soft-bound device, n same-sign pulses from w_0 give
 * {@code w_n = b - (b - w_0)(1 - a/b)^n} (b = b_max, a = a_up going up; b = b_min, a = -a_down going down).
 *
 * <p>Events: {@code array,row,col,cycle,branch,pulse,g} with branch {@code initial} (the read before the
 * cycle, pulse 0), {@code up} (pulse 1..N) or {@code down} (pulse N+1..2N); g in siemens. One unit per
 * device and cycle.
 */
public record PulseResponse(Params params) implements Procedure {
  public static final String NAME = "pulse-response";

  /**
   * @param cells devices ({@link Target} text)
   * @param pulses pulses per branch, N
   * @param cycles up-then-down cycles, C
   * @param amplitudeVolts pulse amplitude magnitude, V
   * @param width pulse width, e.g. "100ns"
   * @param readVolts read voltage, V
   */
  public record Params(String cells, int pulses, int cycles, double amplitudeVolts, String width, double readVolts) {
    public Params {
      Checks.notBlank("cells", cells);
      Checks.atLeast("pulses", pulses, 1, 1_000_000);
      Checks.atLeast("cycles", cycles, 1, 100_000);
      Checks.positive("amplitudeVolts", amplitudeVolts);
      Checks.notBlank("width", width);
      Checks.positive("readVolts", readVolts);
    }

    public static Params defaults() {
      return new Params("0,0", 100, 1, 1.0, "100ns", 0.2);
    }
  }

  public PulseResponse {
    if (params == null) throw new IllegalArgumentException("params: null");
  }

  public static PulseResponse of(Params p) {
    return new PulseResponse(p);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void validate(BoardInfo info, SafetyEnvelope envelope) {
    Target.parse(params.cells, info);
    envelope.checkPulses(Checks.pulse(Polarity.UP, params.amplitudeVolts, params.width, envelope.limits()), 1);
    envelope.checkReadVolts(params.readVolts);
  }

  @Override
  public void run(ProcedureContext ctx) throws IOException {
    CrossbarDriver d = ctx.driver();
    Target target = Target.parse(params.cells, d.info());
    Pulse up = Checks.pulse(Polarity.UP, params.amplitudeVolts, params.width, Checks.limits(d));
    Pulse down = up.withPolarity(Polarity.DOWN);
    int units = target.size() * params.cycles;
    for (int k = 0; k < target.size(); k++) {
      Cell c = target.cell(k);
      for (int cycle = 0; cycle < params.cycles; cycle++) {
        int unit = k * params.cycles + cycle;
        if (ctx.done(unit)) continue;
        ctx.checkpoint();
        emit(ctx, c, cycle, "initial", 0, d.read(c, params.readVolts));
        for (int n = 1; n <= 2 * params.pulses; n++) {
          ctx.checkpoint();
          boolean goingUp = n <= params.pulses;
          double g = d.pulseThenRead(c, goingUp ? up : down, 1, params.readVolts);
          emit(ctx, c, cycle, goingUp ? "up" : "down", n, g);
        }
        ctx.unitDone(unit, units);
      }
    }
  }

  private static void emit(ProcedureContext ctx, Cell c, int cycle, String branch, int pulse, double g) throws IOException {
    ObjectNode e = ProcedureContext.data(c);
    e.put("cycle", cycle);
    e.put("branch", branch);
    e.put("pulse", pulse);
    e.put("g", g);
    ctx.emit(e);
  }

  /** Per device: conductance range reached, and the first up and down steps (the largest, at the start of each branch). */
  @Override
  public ObjectNode summarize(List<ObjectNode> events) {
    ObjectNode s = Json.object();
    ArrayNode rows = s.putArray("cells");
    long pulses = 0;
    for (Map.Entry<String, List<ObjectNode>> e : Checks.byCell(events).entrySet()) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      double firstUp = Double.NaN;
      double firstDown = Double.NaN;
      double prev = Double.NaN;
      for (ObjectNode ev : e.getValue()) {
        double g = ev.path("g").asDouble();
        lo = Math.min(lo, g);
        hi = Math.max(hi, g);
        String branch = ev.path("branch").asText();
        if (!branch.equals("initial")) pulses++;
        if (branch.equals("up") && ev.path("pulse").asInt() == 1 && Double.isNaN(firstUp)) firstUp = g - prev;
        if (branch.equals("down") && ev.path("pulse").asInt() == params.pulses + 1 && Double.isNaN(firstDown)) firstDown = prev - g;
        prev = g;
      }
      ObjectNode r = Checks.cellRow(rows, e.getKey());
      Checks.put(r, "gMinSiemens", lo);
      Checks.put(r, "gMaxSiemens", hi);
      Checks.put(r, "firstUpStepSiemens", firstUp);
      Checks.put(r, "firstDownStepSiemens", firstDown);
    }
    s.put("devices", rows.size());
    s.put("pulses", pulses);
    return s;
  }
}
