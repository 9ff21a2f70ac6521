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
 * Read statistics: {@code reads} reads of each device in the same state (phase {@code base}); then, when
 * {@code stepPulses > 0}, {@code stepPulses} UP pulses, {@code reads} more reads (phase {@code after-up})
 * and the same number of DOWN pulses to bring the device back near where it was. The mean difference of the
 * two phases divided by {@code stepPulses} is the step size per pulse at that state, so the read noise
 * can be stated relative to it (noise / step: below 1, one pulse is resolvable by a single read).
 *
 * <p>Events: {@code array,row,col,phase,read,g}. One unit per device.
 */
public record ReadStatistics(Params params) implements Procedure {
  public static final String NAME = "read-statistics";

  /**
   * @param cells devices
   * @param reads reads per phase
   * @param stepPulses pulses used to measure the step size (0: no step measurement, no pulses at all)
   * @param amplitudeVolts pulse amplitude, V
   * @param width pulse width
   * @param readVolts read voltage, V
   */
  public record Params(String cells, int reads, int stepPulses, double amplitudeVolts, String width, double readVolts) {
    public Params {
      Checks.notBlank("cells", cells);
      Checks.atLeast("reads", reads, 2, 10_000_000);
      Checks.atLeast("stepPulses", stepPulses, 0, 1_000_000);
      Checks.positive("amplitudeVolts", amplitudeVolts);
      Checks.notBlank("width", width);
      Checks.positive("readVolts", readVolts);
    }

    public static Params defaults() {
      return new Params("0,0", 100, 10, 1.0, "100ns", 0.2);
    }
  }

  public ReadStatistics {
    if (params == null) throw new IllegalArgumentException("params: null");
  }

  public static ReadStatistics of(Params p) {
    return new ReadStatistics(p);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void validate(BoardInfo info, SafetyEnvelope envelope) {
    Target.parse(params.cells, info);
    if (params.stepPulses > 0) envelope.checkPulses(Checks.pulse(Polarity.UP, params.amplitudeVolts, params.width, envelope.limits()), params.stepPulses);
    envelope.checkReadVolts(params.readVolts);
  }

  @Override
  public void run(ProcedureContext ctx) throws IOException {
    CrossbarDriver d = ctx.driver();
    Target target = Target.parse(params.cells, d.info());
    Pulse up = Checks.pulse(Polarity.UP, params.amplitudeVolts, params.width, Checks.limits(d));
    for (int k = 0; k < target.size(); k++) {
      if (ctx.done(k)) continue;
      Cell c = target.cell(k);
      readPhase(ctx, c, "base");
      if (params.stepPulses > 0) {
        ctx.checkpoint();
        d.pulse(c, up, params.stepPulses);
        readPhase(ctx, c, "after-up");
        ctx.checkpoint();
        d.pulse(c, up.withPolarity(Polarity.DOWN), params.stepPulses);
      }
      ctx.unitDone(k, target.size());
    }
  }

  private void readPhase(ProcedureContext ctx, Cell c, String phase) throws IOException {
    for (int i = 0; i < params.reads; i++) {
      ctx.checkpoint();
      ObjectNode e = ProcedureContext.data(c);
      e.put("phase", phase);
      e.put("read", i);
      e.put("g", ctx.driver().read(c, params.readVolts));
      ctx.emit(e);
    }
  }

  /** Per device: mean and standard deviation of the base reads, step per pulse, and noise / step. */
  @Override
  public ObjectNode summarize(List<ObjectNode> events) {
    ObjectNode s = Json.object();
    ArrayNode rows = s.putArray("cells");
    for (Map.Entry<String, List<ObjectNode>> e : Checks.byCell(events).entrySet()) {
      double[] base = e.getValue().stream().filter(x -> x.path("phase").asText().equals("base")).mapToDouble(x -> x.path("g").asDouble()).toArray();
      double[] after = e.getValue().stream().filter(x -> x.path("phase").asText().equals("after-up")).mapToDouble(x -> x.path("g").asDouble()).toArray();
      ObjectNode r = Checks.cellRow(rows, e.getKey());
      r.put("reads", base.length);
      double mean = Checks.mean(base);
      double std = Checks.std(base);
      Checks.put(r, "meanSiemens", mean);
      Checks.put(r, "stdSiemens", std);
      double step = after.length == 0 || params.stepPulses == 0 ? Double.NaN : (Checks.mean(after) - mean) / params.stepPulses;
      Checks.put(r, "stepPerPulseSiemens", step);
      Checks.put(r, "noiseToStep", std / step);
    }
    s.put("devices", rows.size());
    return s;
  }
}
