package org.rramctl.procedure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Durations;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.driver.Sweep;
import org.rramctl.driver.SweepResult;
import org.rramctl.journal.Json;

/**
 * I-V curve tracing (the ArC ONE CurveTracer's and a Keithley staircase sweep's job): on each device, {@code cycles}
 * bipolar loops 0 -> +setVolts -> 0 -> -resetVolts -> 0 in {@code stepVolts} steps, each point held for {@code step}
 * (staircase) or pulsed with {@code off} at 0 V between points ({@code mode=pulsed}), under the compliance. Each loop is
 * one {@link SourceMeasure#sweep} call: native on boards that declare SWEEP (the emulator, Keithley 2400/2600B),
 * composed point by point elsewhere.
 *
 * <p>Per cycle: the SET voltage is the level of the largest rise of the chord conductance |I/V| between neighbouring
 * points of the rising positive branch, the RESET voltage that of the largest fall on the falling negative branch;
 * R_on is |V/I| at the last positive point of the descending branch (after the SET, at one step), R_off at the last
 * negative point (after the RESET, at one step): both within the loop, so the first loop after forming counts too.
 *
 * <p>Events: {@code array,row,col,cycle,point,volts,amps,atCompliance}. One unit per device and cycle.
 */
public record IvCurve(Params params) implements Procedure {
  public static final String NAME = "iv";

  /**
   * @param cells devices
   * @param cycles loops per device
   * @param setVolts positive excursion, V
   * @param resetVolts magnitude of the negative excursion, V (0: positive branch only)
   * @param stepVolts voltage step, V
   * @param mode "staircase" or "pulsed"
   * @param step time each point is held (staircase) or pulse width (pulsed)
   * @param off time at 0 V between points of a pulsed sweep
   * @param complianceAmps current compliance, A
   */
  public record Params(String cells, int cycles, double setVolts, double resetVolts, double stepVolts, String mode, String step, String off,
      double complianceAmps, double readVolts) {
    public Params {
      Checks.notBlank("cells", cells);
      Checks.atLeast("cycles", cycles, 1, 100_000);
      Checks.positive("setVolts", setVolts);
      if (!(resetVolts >= 0) || Double.isInfinite(resetVolts)) throw new IllegalArgumentException("resetVolts: " + resetVolts + " (expected: finite and >= 0)");
      Checks.positive("stepVolts", stepVolts);
      if (stepVolts > setVolts) throw new IllegalArgumentException("stepVolts: " + stepVolts + " (expected: <= setVolts " + setVolts + ")");
      if (!"staircase".equals(mode) && !"pulsed".equals(mode)) throw new IllegalArgumentException("mode: '" + mode + "' (expected: staircase or pulsed)");
      Durations.parseNanos(step);
      Durations.parseNanos(off);
      Checks.positive("complianceAmps", complianceAmps);
      Checks.positive("readVolts", readVolts);
    }

    /** Keithley-staircase-like defaults: +-1.2 V in 50 mV steps, 1 ms per point, 100 uA compliance, 3 loops. */
    public static Params defaults() {
      return new Params("0,0", 3, 1.2, 1.2, 0.05, "staircase", "1ms", "1ms", 100e-6, 0.2);
    }

    Sweep sweep() {
      return Sweep.loop(setVolts, resetVolts, stepVolts, Durations.parseNanos(step), "pulsed".equals(mode) ? Durations.parseNanos(off) : 0, complianceAmps);
    }
  }

  public IvCurve {
    if (params == null) throw new IllegalArgumentException("params: null");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void validate(BoardInfo info, SafetyEnvelope envelope) {
    FirstDay.requireSourceMeasure(NAME, info);
    Target.parse(params.cells, info);
    envelope.checkSweep(params.sweep());
  }

  /** As {@link #validate(BoardInfo, SafetyEnvelope)}, and the loop as the board's role can run it. */
  @Override
  public void validate(CrossbarDriver driver, SafetyEnvelope envelope) {
    validate(driver.info(), envelope);
    SourceMeasure.of(driver).checkSweep(params.sweep());
  }

  @Override
  public void run(ProcedureContext ctx) throws IOException {
    CrossbarDriver d = ctx.driver();
    SourceMeasure sm = SourceMeasure.of(d);
    Target target = Target.parse(params.cells, d.info());
    Sweep sweep = params.sweep();
    int units = target.size() * params.cycles;
    for (int u = 0; u < units; u++) {
      if (ctx.done(u)) continue;
      ctx.checkpoint();
      Cell c = target.cell(u / params.cycles);
      int cycle = u % params.cycles + 1;
      SweepResult r = sm.sweep(c, sweep);
      for (int i = 0; i < r.points(); i++) {
        ObjectNode e = ProcedureContext.data(c);
        e.put("cycle", cycle);
        e.put("point", i + 1);
        e.put("volts", r.volts(i));
        e.put("amps", r.amps(i));
        e.put("atCompliance", r.atCompliance(i));
        ctx.emit(e);
      }
      ctx.unitDone(u, units);
    }
  }

  /** SET/RESET voltages and R_on/R_off of one loop's points (volts, amps in order); NaN where the loop does not show them. */
  static double[] extract(List<ObjectNode> loop) {
    int n = loop.size();
    double[] v = new double[n];
    double[] i = new double[n];
    for (int k = 0; k < n; k++) {
      v[k] = loop.get(k).path("volts").asDouble();
      i[k] = loop.get(k).path("amps").asDouble();
    }
    int peak = 0;
    for (int k = 1; k < n; k++) if (v[k] > v[peak]) peak = k;
    double set = Double.NaN;
    double best = 1;
    for (int k = 1; k <= peak; k++) {
      double ratio = chord(v[k], i[k]) / chord(v[k - 1], i[k - 1]);
      if (v[k - 1] > 0 && ratio > best) {
        best = ratio;
        set = v[k];
      }
    }
    int trough = 0;
    for (int k = 1; k < n; k++) if (v[k] < v[trough]) trough = k;
    double reset = Double.NaN;
    best = 1;
    if (v[trough] < 0) {
      int start = peak;
      while (start < trough && v[start] >= 0) start++;
      for (int k = start + 1; k <= trough; k++) {
        double ratio = chord(v[k - 1], i[k - 1]) / chord(v[k], i[k]);
        if (ratio > best) {
          best = ratio;
          reset = v[k];
        }
      }
    }
    double rOn = Double.NaN;
    for (int k = peak; k < n && v[k] > 0; k++) if (i[k] != 0) rOn = v[k] / Math.abs(i[k]);
    double rOff = Double.NaN;
    for (int k = trough; k < n && v[k] < 0; k++) if (i[k] != 0) rOff = -v[k] / Math.abs(i[k]);
    return new double[] {set, reset, rOn, rOff};
  }

  private static double chord(double v, double i) {
    return v == 0 ? Double.NaN : Math.abs(i / v);
  }

  /** Per device and overall: SET and RESET voltage distributions, R_on, R_off and their ratio over cycles. */
  @Override
  public ObjectNode summarize(List<ObjectNode> events) {
    ObjectNode s = Json.object();
    ArrayNode rows = s.putArray("cells");
    List<Double> allSet = new ArrayList<>();
    List<Double> allReset = new ArrayList<>();
    List<Double> allOn = new ArrayList<>();
    List<Double> allOff = new ArrayList<>();
    List<Double> allRatio = new ArrayList<>();
    ArrayNode cycles = s.putArray("cycles");
    for (Map.Entry<String, List<ObjectNode>> e : Checks.byCell(events).entrySet()) {
      Map<Integer, List<ObjectNode>> loops = new java.util.TreeMap<>();
      for (ObjectNode x : e.getValue()) loops.computeIfAbsent(x.path("cycle").asInt(), k -> new ArrayList<>()).add(x);
      List<Double> set = new ArrayList<>();
      List<Double> reset = new ArrayList<>();
      List<Double> ratio = new ArrayList<>();
      for (Map.Entry<Integer, List<ObjectNode>> l : loops.entrySet()) {
        double[] x = extract(l.getValue());
        ObjectNode c = cycles.addObject();
        c.put("cell", e.getKey());
        c.put("cycle", l.getKey());
        Checks.put(c, "setVolts", x[0]);
        Checks.put(c, "resetVolts", x[1]);
        Checks.put(c, "onOhms", x[2]);
        Checks.put(c, "offOhms", x[3]);
        Checks.put(c, "offOnRatio", x[3] / x[2]);
        set.add(x[0]);
        reset.add(x[1]);
        ratio.add(x[3] / x[2]);
        allSet.add(x[0]);
        allReset.add(x[1]);
        allOn.add(x[2]);
        allOff.add(x[3]);
        allRatio.add(x[3] / x[2]);
      }
      ObjectNode r = Checks.cellRow(rows, e.getKey());
      r.put("cycles", loops.size());
      Checks.put(r, "setVoltsMean", FirstDay.mean(set));
      Checks.put(r, "resetVoltsMean", FirstDay.mean(reset));
      Checks.put(r, "offOnRatioMean", FirstDay.mean(ratio));
    }
    s.put("devices", rows.size());
    s.set("setVolts", FirstDay.distribution(allSet));
    s.set("resetVolts", FirstDay.distribution(allReset));
    s.set("onOhms", FirstDay.distribution(allOn));
    s.set("offOhms", FirstDay.distribution(allOff));
    s.set("offOnRatio", FirstDay.distribution(allRatio));
    return s;
  }
}
