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
import org.rramctl.driver.Plane;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.SourceMeasure;
import org.rramctl.journal.Json;

/**
 * Forming (the ArC ONE FormFinder's job, through the source-measure role; on an ArC ONE each level is a one-point
 * CurveTracer job, whose current cut-off is its only programmable limit): on each device, positive pulses of
 * {@code width} ramp from {@code fromVolts} to {@code toVolts} in {@code stepVolts} steps under the compliance;
 * after each the device is read at {@code readVolts}, and it is formed once its resistance falls below
 * {@code formedOhms}. A ramp that ends unformed is repeated with the compliance multiplied by
 * {@code complianceFactor}, up to {@code maxComplianceAmps} (compliance stepped). The forming voltage (the
 * level of the pulse that formed it) and the compliance are recorded per device.
 *
 * <p>Needs {@link org.rramctl.driver.Capability#SOURCE_MEASURE}: without a current compliance a forming pulse
 * would destroy the device, so it is not composed from plain pulses.
 *
 * <p>Events: {@code array,row,col,plane,pass,volts,complianceAmps,amps,g,formed}. One unit per device (active
 * devices first, then, with {@code planes=both}, their reference devices).
 */
public record Form(Params params) implements Procedure {
  public static final String NAME = "form";

  /**
   * @param cells devices
   * @param planes "active" or "both" (the reference devices too, where the board has them)
   * @param fromVolts first pulse level, V
   * @param toVolts last pulse level, V
   * @param stepVolts ramp step, V
   * @param width pulse width
   * @param complianceAmps compliance of the first ramp, A
   * @param maxComplianceAmps largest compliance of a repeated ramp, A
   * @param complianceFactor compliance multiplier between ramps (> 1)
   * @param formedOhms a device is formed below this resistance, ohm
   * @param readVolts read voltage, V
   */
  public record Params(String cells, String planes, double fromVolts, double toVolts, double stepVolts, String width, double complianceAmps,
      double maxComplianceAmps, double complianceFactor, double formedOhms, double readVolts) {
    public Params {
      Checks.notBlank("cells", cells);
      FirstDay.checkPlanes(planes);
      Checks.positive("fromVolts", fromVolts);
      Checks.positive("toVolts", toVolts);
      if (toVolts < fromVolts) throw new IllegalArgumentException("toVolts: " + toVolts + " (expected: >= fromVolts " + fromVolts + ")");
      Checks.positive("stepVolts", stepVolts);
      Checks.notBlank("width", width);
      Durations.parseNanos(width);
      Checks.positive("complianceAmps", complianceAmps);
      Checks.positive("maxComplianceAmps", maxComplianceAmps);
      if (maxComplianceAmps < complianceAmps) throw new IllegalArgumentException("maxComplianceAmps: " + maxComplianceAmps + " (expected: >= complianceAmps " + complianceAmps + ")");
      if (!(complianceFactor > 1) || Double.isInfinite(complianceFactor)) throw new IllegalArgumentException("complianceFactor: " + complianceFactor + " (expected: > 1)");
      Checks.positive("formedOhms", formedOhms);
      Checks.positive("readVolts", readVolts);
    }

    /** ArC ONE FormFinder-like defaults: 1 V to 3 V in 50 mV steps, 100 us pulses, 100 uA compliance (up to 400 uA), formed below 100 kOhm. */
    public static Params defaults() {
      return new Params("0,0", "active", 1.0, 3.0, 0.05, "100us", 100e-6, 400e-6, 2.0, 100e3, 0.2);
    }

    FirstDay.Ramp ramp() {
      return new FirstDay.Ramp(fromVolts, toVolts, stepVolts);
    }
  }

  public Form {
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
    long w = Durations.parseNanos(params.width);
    envelope.checkSource(params.toVolts, w, params.complianceAmps);
    double c = params.complianceAmps;
    while (c * params.complianceFactor <= params.maxComplianceAmps * (1 + 1e-12)) c *= params.complianceFactor;
    envelope.checkSource(params.toVolts, w, c);
    envelope.checkReadVolts(params.readVolts);
  }

  /** As {@link #validate(BoardInfo, SafetyEnvelope)}, and every level at every compliance as the board's role can run it. */
  @Override
  public void validate(CrossbarDriver driver, SafetyEnvelope envelope) {
    validate(driver.info(), envelope);
    SourceMeasure sm = SourceMeasure.of(driver);
    long w = Durations.parseNanos(params.width);
    for (double c = params.complianceAmps; ; c *= params.complianceFactor) {
      for (int i = 0; i < params.ramp().steps(); i++) sm.checkSource(params.ramp().level(i), w, c);
      if (c * params.complianceFactor > params.maxComplianceAmps * (1 + 1e-12)) break;
    }
  }

  @Override
  public void run(ProcedureContext ctx) throws IOException {
    CrossbarDriver d = ctx.driver();
    SourceMeasure sm = SourceMeasure.of(d);
    Target target = Target.parse(params.cells, d.info());
    List<Plane> planes = FirstDay.planes(NAME, params.planes, d.info(), target.array());
    long w = Durations.parseNanos(params.width);
    int units = target.size() * planes.size();
    for (int k = 0; k < units; k++) {
      if (ctx.done(k)) continue;
      Cell c = FirstDay.cell(target, planes, k);
      double compliance = params.complianceAmps;
      boolean formed = false;
      for (int pass = 1; !formed; pass++) {
        for (int i = 0; i < params.ramp().steps() && !formed; i++) {
          ctx.checkpoint();
          double v = params.ramp().level(i);
          double amps = sm.source(c, v, w, compliance);
          double g = d.read(c, params.readVolts);
          formed = g > 0 && 1 / g < params.formedOhms;
          ObjectNode e = FirstDay.data(c);
          e.put("pass", pass);
          e.put("volts", v);
          e.put("complianceAmps", compliance);
          e.put("amps", amps);
          e.put("g", g);
          e.put("formed", formed);
          ctx.emit(e);
        }
        if (formed || compliance * params.complianceFactor > params.maxComplianceAmps * (1 + 1e-12)) break;
        compliance *= params.complianceFactor;
      }
      ctx.unitDone(k, units);
    }
  }

  /** Per device: formed or not, forming voltage and compliance, R after forming; the forming-voltage distribution. */
  @Override
  public ObjectNode summarize(List<ObjectNode> events) {
    ObjectNode s = Json.object();
    ArrayNode rows = s.putArray("cells");
    List<Double> vf = new ArrayList<>();
    List<Double> rOn = new ArrayList<>();
    Map<String, List<ObjectNode>> by = new java.util.LinkedHashMap<>();
    for (ObjectNode e : events) by.computeIfAbsent(e.path("plane").asText() + " " + e.path("array").asInt() + ":" + e.path("row").asInt() + "," + e.path("col").asInt(),
        x -> new ArrayList<>()).add(e);
    int formed = 0;
    for (Map.Entry<String, List<ObjectNode>> e : by.entrySet()) {
      ObjectNode last = e.getValue().get(e.getValue().size() - 1);
      ObjectNode r = Checks.cellRow(rows, e.getKey());
      boolean ok = last.path("formed").asBoolean();
      r.put("formed", ok);
      if (ok) {
        formed++;
        vf.add(last.path("volts").asDouble());
        rOn.add(1 / last.path("g").asDouble());
        r.put("formingVolts", last.path("volts").asDouble());
        r.put("complianceAmps", last.path("complianceAmps").asDouble());
        r.put("ohmsAfter", 1 / last.path("g").asDouble());
      } else {
        r.putNull("formingVolts");
        r.putNull("complianceAmps");
        Checks.put(r, "ohmsAfter", 1 / last.path("g").asDouble());
      }
      r.put("pulses", e.getValue().size());
    }
    s.put("devices", by.size());
    s.put("formed", formed);
    s.set("formingVolts", FirstDay.distribution(vf));
    s.set("ohmsAfterForming", FirstDay.distribution(rOn));
    return s;
  }
}
