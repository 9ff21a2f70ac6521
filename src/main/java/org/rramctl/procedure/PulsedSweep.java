package org.rramctl.procedure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Durations;
import org.rramctl.driver.Polarity;
import org.rramctl.driver.Limits;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.journal.Json;

/**
 * Pulsed sweep (pulsed I-V, switching-threshold search): on each device, the pulse amplitude (or width) is
 * stepped linearly from {@code from} to {@code to} in {@code steps} steps; each step applies
 * {@code pulsesPerStep} pulses of one polarity and reads. A device stops early once its conductance reaches
 * {@code stopSiemens} (at or above it for UP, at or below for DOWN). Every step's pulse is checked against
 * the envelope before the first pulse of the run.
 *
 * <p>A step "moved" the device when |dG| exceeded {@code detectFraction} of the board's conductance window;
 * the first such step's amplitude (width) estimates the switching threshold.
 *
 * <p>Events: {@code array,row,col,step,amplitudeVolts,widthNanos,g,dg,moved,stopped}; step 0 is the read
 * before the first pulse. One unit per device.
 */
public record PulsedSweep(Params params) implements Procedure {
  public static final String NAME = "sweep";

  /**
   * @param cells devices
   * @param polarity "up" or "down"
   * @param sweep "amplitude" or "width"
   * @param from first value: volts ("0.1") for amplitude, a duration ("50ns") for width
   * @param to last value, same unit
   * @param steps number of steps (>= 2; both ends included)
   * @param amplitudeVolts the fixed amplitude when sweeping width, V
   * @param width the fixed width when sweeping amplitude
   * @param pulsesPerStep pulses applied at each step
   * @param stopSiemens stop a device once it reaches this conductance; null for no stop condition
   * @param detectFraction |dG| / (G_max - G_min) above which a step counts as having moved the device
   * @param readVolts read voltage, V
   */
  public record Params(String cells, String polarity, String sweep, String from, String to, int steps, double amplitudeVolts,
      String width, int pulsesPerStep, Double stopSiemens, double detectFraction, double readVolts) {
    public Params {
      Checks.notBlank("cells", cells);
      if (!"up".equals(polarity) && !"down".equals(polarity)) throw new IllegalArgumentException("polarity: '" + polarity + "' (expected: up or down)");
      if (!"amplitude".equals(sweep) && !"width".equals(sweep)) throw new IllegalArgumentException("sweep: '" + sweep + "' (expected: amplitude or width)");
      Checks.atLeast("steps", steps, 2, 1_000_000);
      Checks.positive("amplitudeVolts", amplitudeVolts);
      Checks.notBlank("width", width);
      Checks.atLeast("pulsesPerStep", pulsesPerStep, 1, 1_000_000);
      if (stopSiemens != null) Checks.positive("stopSiemens", stopSiemens);
      Checks.positive("detectFraction", detectFraction);
      Checks.positive("readVolts", readVolts);
      value(sweep, "from", from);
      value(sweep, "to", to);
    }

    public static Params defaults() {
      return new Params("0,0", "up", "amplitude", "0.1", "1.5", 15, 1.0, "100ns", 1, null, 5e-4, 0.2);
    }

    /** The swept value at step i (1-based): volts or nanoseconds. */
    public double valueAt(int i) {
      double a = value(sweep, "from", from);
      double b = value(sweep, "to", to);
      double v = a + (b - a) * (i - 1) / (steps - 1);
      return sweep.equals("width") ? Math.rint(v) : v;
    }

    private static double value(String sweep, String name, String text) {
      if (text == null) throw new IllegalArgumentException(name + ": null (expected: " + (sweep.equals("width") ? "a duration such as 100ns" : "volts such as 0.5") + ")");
      if (sweep.equals("width")) return Durations.parseNanos(text);
      try {
        String t = text.trim();
        if (t.toLowerCase(Locale.ROOT).endsWith("v")) t = t.substring(0, t.length() - 1).trim();
        double v = Double.parseDouble(t);
        if (!(v > 0) || Double.isInfinite(v)) throw new NumberFormatException();
        return v;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + ": '" + text + "' (expected: volts > 0 such as 0.5)");
      }
    }
  }

  public PulsedSweep {
    if (params == null) throw new IllegalArgumentException("params: null");
  }

  public static PulsedSweep of(Params p) {
    return new PulsedSweep(p);
  }

  @Override
  public String name() {
    return NAME;
  }

  private Polarity polarity() {
    return params.polarity.equals("up") ? Polarity.UP : Polarity.DOWN;
  }

  /** The pulse of step i (1-based), with the default period under {@code limits}. */
  Pulse pulseAt(int i, Limits limits) {
    if (params.sweep.equals("amplitude")) return Checks.pulse(polarity(), params.valueAt(i), params.width, limits);
    return Pulse.of(polarity(), params.amplitudeVolts, (long) params.valueAt(i), limits);
  }

  @Override
  public void validate(BoardInfo info, SafetyEnvelope envelope) {
    Target.parse(params.cells, info);
    for (int i = 1; i <= params.steps; i++) envelope.checkPulses(pulseAt(i, envelope.limits()), params.pulsesPerStep);
    envelope.checkReadVolts(params.readVolts);
  }

  @Override
  public void run(ProcedureContext ctx) throws IOException {
    CrossbarDriver d = ctx.driver();
    Target target = Target.parse(params.cells, d.info());
    double detect = params.detectFraction * (d.info().gMaxSiemens() - d.info().gMinSiemens());
    for (int k = 0; k < target.size(); k++) {
      if (ctx.done(k)) continue;
      ctx.checkpoint();
      Cell c = target.cell(k);
      double g = d.read(c, params.readVolts);
      emit(ctx, c, 0, null, g, 0, false, false);
      for (int i = 1; i <= params.steps; i++) {
        ctx.checkpoint();
        Pulse p = pulseAt(i, Checks.limits(d));
        double g2 = d.pulseThenRead(c, p, params.pulsesPerStep, params.readVolts);
        boolean stop = params.stopSiemens != null && (polarity() == Polarity.UP ? g2 >= params.stopSiemens : g2 <= params.stopSiemens);
        emit(ctx, c, i, p, g2, g2 - g, Math.abs(g2 - g) > detect, stop);
        g = g2;
        if (stop) break;
      }
      ctx.unitDone(k, target.size());
    }
  }

  private static void emit(ProcedureContext ctx, Cell c, int step, Pulse p, double g, double dg, boolean moved, boolean stopped) throws IOException {
    ObjectNode e = ProcedureContext.data(c);
    e.put("step", step);
    if (p == null) {
      e.putNull("amplitudeVolts");
      e.putNull("widthNanos");
    } else {
      e.put("amplitudeVolts", p.amplitudeVolts());
      e.put("widthNanos", p.widthNanos());
    }
    e.put("g", g);
    e.put("dg", dg);
    e.put("moved", moved);
    e.put("stopped", stopped);
    ctx.emit(e);
  }

  /** Per device: the first step that moved it (its amplitude and width), and where it stopped. */
  @Override
  public ObjectNode summarize(List<ObjectNode> events) {
    ObjectNode s = Json.object();
    ArrayNode rows = s.putArray("cells");
    for (Map.Entry<String, List<ObjectNode>> e : Checks.byCell(events).entrySet()) {
      ObjectNode r = Checks.cellRow(rows, e.getKey());
      ObjectNode first = e.getValue().stream().filter(x -> x.path("moved").asBoolean()).findFirst().orElse(null);
      ObjectNode last = e.getValue().get(e.getValue().size() - 1);
      if (first == null) {
        r.putNull("firstMovingStep");
        r.putNull("firstMovingAmplitudeVolts");
        r.putNull("firstMovingWidthNanos");
      } else {
        r.put("firstMovingStep", first.path("step").asInt());
        r.set("firstMovingAmplitudeVolts", first.get("amplitudeVolts"));
        r.set("firstMovingWidthNanos", first.get("widthNanos"));
      }
      r.put("lastStep", last.path("step").asInt());
      r.put("stopped", last.path("stopped").asBoolean());
      r.put("finalSiemens", last.path("g").asDouble());
    }
    s.put("devices", rows.size());
    return s;
  }
}
