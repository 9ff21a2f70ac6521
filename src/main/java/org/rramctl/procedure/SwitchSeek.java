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
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.journal.Json;

/**
 * Switch seeking (the ArC ONE SwitchSeeker's job): find each device's switching polarity and threshold amplitude.
 * For each polarity in turn (UP first), the pulse amplitude ramps from {@code fromVolts} to {@code toVolts} in
 * {@code stepVolts} steps, {@code pulsesPerStep} pulses per step and a read after each step; the polarity's threshold is
 * the first amplitude whose step changed the conductance by more than {@code detectFraction} of the board's window
 * (that polarity's ramp stops there). The SET polarity is the one whose switching raised the conductance.
 *
 * <p>Events: {@code array,row,col,polarity,step,amplitudeVolts,g,dg,moved}. One unit per device.
 */
public record SwitchSeek(Params params) implements Procedure {
  public static final String NAME = "switch-seek";

  /**
   * @param cells devices
   * @param fromVolts first amplitude, V
   * @param toVolts last amplitude, V
   * @param stepVolts amplitude step, V
   * @param width pulse width
   * @param pulsesPerStep pulses at each amplitude
   * @param detectFraction |dG| / (G_max - G_min) that counts as switching
   * @param readVolts read voltage, V
   */
  public record Params(String cells, double fromVolts, double toVolts, double stepVolts, String width, int pulsesPerStep, double detectFraction, double readVolts) {
    public Params {
      Checks.notBlank("cells", cells);
      Checks.positive("fromVolts", fromVolts);
      Checks.positive("toVolts", toVolts);
      if (toVolts < fromVolts) throw new IllegalArgumentException("toVolts: " + toVolts + " (expected: >= fromVolts " + fromVolts + ")");
      Checks.positive("stepVolts", stepVolts);
      Checks.notBlank("width", width);
      Checks.atLeast("pulsesPerStep", pulsesPerStep, 1, 1_000_000);
      Checks.positive("detectFraction", detectFraction);
      Checks.positive("readVolts", readVolts);
    }

    /** ArC ONE SwitchSeeker-like defaults: 0.2 V to 2.0 V in 0.1 V steps, ten 100 us pulses per step, 5 % of the window. */
    public static Params defaults() {
      return new Params("0,0", 0.2, 2.0, 0.1, "100us", 10, 0.05, 0.2);
    }

    FirstDay.Ramp ramp() {
      return new FirstDay.Ramp(fromVolts, toVolts, stepVolts);
    }
  }

  public SwitchSeek {
    if (params == null) throw new IllegalArgumentException("params: null");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void validate(BoardInfo info, SafetyEnvelope envelope) {
    Target.parse(params.cells, info);
    envelope.checkPulses(Checks.pulse(Polarity.UP, params.toVolts, params.width, envelope.limits()), params.pulsesPerStep);
    envelope.checkReadVolts(params.readVolts);
  }

  @Override
  public void run(ProcedureContext ctx) throws IOException {
    CrossbarDriver d = ctx.driver();
    Target target = Target.parse(params.cells, d.info());
    double detect = params.detectFraction * (d.info().gMaxSiemens() - d.info().gMinSiemens());
    for (int k = 0; k < target.size(); k++) {
      if (ctx.done(k)) continue;
      Cell c = target.cell(k);
      double g = d.read(c, params.readVolts);
      for (Polarity pol : new Polarity[] {Polarity.UP, Polarity.DOWN}) {
        for (int i = 0; i < params.ramp().steps(); i++) {
          ctx.checkpoint();
          Pulse p = Checks.pulse(pol, params.ramp().level(i), params.width, Checks.limits(d));
          double g2 = d.pulseThenRead(c, p, params.pulsesPerStep, params.readVolts);
          boolean moved = Math.abs(g2 - g) > detect;
          ObjectNode e = ProcedureContext.data(c);
          e.put("polarity", pol.name().toLowerCase(java.util.Locale.ROOT));
          e.put("step", i + 1);
          e.put("amplitudeVolts", p.amplitudeVolts());
          e.put("g", g2);
          e.put("dg", g2 - g);
          e.put("moved", moved);
          ctx.emit(e);
          g = g2;
          if (moved) break;
        }
      }
      ctx.unitDone(k, target.size());
    }
  }

  /** Per device: the SET polarity and the SET and RESET threshold amplitudes; their distributions. */
  @Override
  public ObjectNode summarize(List<ObjectNode> events) {
    ObjectNode s = Json.object();
    ArrayNode rows = s.putArray("cells");
    List<Double> setV = new ArrayList<>();
    List<Double> resetV = new ArrayList<>();
    for (Map.Entry<String, List<ObjectNode>> e : Checks.byCell(events).entrySet()) {
      ObjectNode up = null;
      ObjectNode down = null;
      for (ObjectNode x : e.getValue()) {
        if (!x.path("moved").asBoolean()) continue;
        if (x.path("polarity").asText().equals("up") && up == null) up = x;
        if (x.path("polarity").asText().equals("down") && down == null) down = x;
      }
      ObjectNode r = Checks.cellRow(rows, e.getKey());
      // The SET polarity is the one whose switch raised the conductance.
      ObjectNode setEv = up != null && up.path("dg").asDouble() > 0 ? up : down != null && down.path("dg").asDouble() > 0 ? down : null;
      ObjectNode resetEv = setEv == up ? down : up;
      r.put("setPolarity", setEv == null ? "none" : setEv.path("polarity").asText());
      if (setEv == null) r.putNull("setVolts");
      else {
        r.put("setVolts", setEv.path("amplitudeVolts").asDouble());
        setV.add(setEv.path("amplitudeVolts").asDouble());
      }
      if (resetEv == null || !(resetEv.path("dg").asDouble() < 0)) r.putNull("resetVolts");
      else {
        r.put("resetVolts", resetEv.path("amplitudeVolts").asDouble());
        resetV.add(resetEv.path("amplitudeVolts").asDouble());
      }
    }
    s.put("devices", rows.size());
    s.set("setVolts", FirstDay.distribution(setV));
    s.set("resetVolts", FirstDay.distribution(resetV));
    return s;
  }
}
