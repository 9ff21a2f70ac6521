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
 * Endurance (the ArC ONE Endurance module's job): on each device, {@code cycles} SET/RESET cycles, each a SET pulse
 * train then a read (R_on), a RESET train then a read (R_off). A cycle fails when R_off / R_on falls below
 * {@code minRatio}; after {@code failAfter} failed cycles in a row the device counts as worn out and its endurance is
 * the last cycle before that run began. Plain pulses and reads, so it runs on every board (the compliance is the
 * board's standing one).
 *
 * <p>Events: {@code array,row,col,cycle,gOn,gOff,ratio,failed}. One unit per device.
 */
public record Endurance(Params params) implements Procedure {
  public static final String NAME = "endurance";

  /**
   * @param cells devices
   * @param cycles SET/RESET cycles per device
   * @param setVolts SET pulse amplitude, V
   * @param resetVolts RESET pulse amplitude (magnitude), V
   * @param width pulse width
   * @param pulses pulses per SET and per RESET
   * @param minRatio R_off / R_on below which a cycle fails
   * @param failAfter failed cycles in a row that end the device's test
   * @param readVolts read voltage, V
   */
  public record Params(String cells, int cycles, double setVolts, double resetVolts, String width, int pulses, double minRatio, int failAfter, double readVolts) {
    public Params {
      Checks.notBlank("cells", cells);
      Checks.atLeast("cycles", cycles, 1, 100_000_000);
      Checks.positive("setVolts", setVolts);
      Checks.positive("resetVolts", resetVolts);
      Checks.notBlank("width", width);
      Checks.atLeast("pulses", pulses, 1, 1_000_000);
      if (!(minRatio > 1) || Double.isInfinite(minRatio)) throw new IllegalArgumentException("minRatio: " + minRatio + " (expected: > 1)");
      Checks.atLeast("failAfter", failAfter, 1, 1_000_000);
      Checks.positive("readVolts", readVolts);
    }

    /** ArC ONE Endurance-like defaults: 100 cycles of one 1 ms pulse at +-1.0 V, failure below R_off/R_on = 2 three times in a row. */
    public static Params defaults() {
      return new Params("0,0", 100, 1.0, 1.0, "1ms", 1, 2.0, 3, 0.2);
    }
  }

  public Endurance {
    if (params == null) throw new IllegalArgumentException("params: null");
  }

  @Override
  public String name() {
    return NAME;
  }

  private Pulse set(org.rramctl.driver.Limits limits) {
    return Checks.pulse(Polarity.UP, params.setVolts, params.width, limits);
  }

  private Pulse reset(org.rramctl.driver.Limits limits) {
    return Checks.pulse(Polarity.DOWN, params.resetVolts, params.width, limits);
  }

  @Override
  public void validate(BoardInfo info, SafetyEnvelope envelope) {
    Target.parse(params.cells, info);
    envelope.checkPulses(set(envelope.limits()), params.pulses);
    envelope.checkPulses(reset(envelope.limits()), params.pulses);
    envelope.checkReadVolts(params.readVolts);
  }

  @Override
  public void run(ProcedureContext ctx) throws IOException {
    CrossbarDriver d = ctx.driver();
    Target target = Target.parse(params.cells, d.info());
    Pulse set = set(Checks.limits(d));
    Pulse reset = reset(Checks.limits(d));
    for (int k = 0; k < target.size(); k++) {
      if (ctx.done(k)) continue;
      Cell c = target.cell(k);
      int failedInRow = 0;
      for (int cycle = 1; cycle <= params.cycles && failedInRow < params.failAfter; cycle++) {
        ctx.checkpoint();
        double gOn = d.pulseThenRead(c, set, params.pulses, params.readVolts);
        double gOff = d.pulseThenRead(c, reset, params.pulses, params.readVolts);
        double ratio = gOn / gOff;
        boolean failed = !(ratio >= params.minRatio);
        failedInRow = failed ? failedInRow + 1 : 0;
        ObjectNode e = ProcedureContext.data(c);
        e.put("cycle", cycle);
        e.put("gOn", gOn);
        e.put("gOff", gOff);
        Checks.put(e, "ratio", ratio);
        e.put("failed", failed);
        ctx.emit(e);
      }
      ctx.unitDone(k, target.size());
    }
  }

  /** Per device: cycles run, endurance (null when it did not fail), R_on and R_off means and spreads; the distributions over devices. */
  @Override
  public ObjectNode summarize(List<ObjectNode> events) {
    ObjectNode s = Json.object();
    ArrayNode rows = s.putArray("cells");
    List<Double> endurance = new ArrayList<>();
    List<Double> allOn = new ArrayList<>();
    List<Double> allOff = new ArrayList<>();
    List<Double> allRatio = new ArrayList<>();
    int worn = 0;
    for (Map.Entry<String, List<ObjectNode>> e : Checks.byCell(events).entrySet()) {
      List<Double> on = new ArrayList<>();
      List<Double> off = new ArrayList<>();
      List<Double> ratio = new ArrayList<>();
      int inRow = 0;
      int lastGood = 0;
      Integer wornAt = null;
      for (ObjectNode x : e.getValue()) {
        int cycle = x.path("cycle").asInt();
        if (x.path("failed").asBoolean()) {
          inRow++;
          if (inRow >= params.failAfter && wornAt == null) wornAt = lastGood;
        } else {
          inRow = 0;
          lastGood = cycle;
          on.add(1 / x.path("gOn").asDouble());
          off.add(1 / x.path("gOff").asDouble());
          ratio.add(x.path("ratio").asDouble());
        }
      }
      allOn.addAll(on);
      allOff.addAll(off);
      allRatio.addAll(ratio);
      ObjectNode r = Checks.cellRow(rows, e.getKey());
      r.put("cycles", e.getValue().get(e.getValue().size() - 1).path("cycle").asInt());
      if (wornAt == null) {
        r.putNull("enduranceCycles");
      } else {
        worn++;
        r.put("enduranceCycles", wornAt);
        endurance.add((double) wornAt);
      }
      ObjectNode don = FirstDay.distribution(on);
      ObjectNode doff = FirstDay.distribution(off);
      r.set("onOhmsMean", don.get("mean"));
      r.set("onOhmsStd", don.get("std"));
      r.set("offOhmsMean", doff.get("mean"));
      r.set("offOhmsStd", doff.get("std"));
      Checks.put(r, "offOnRatioMean", FirstDay.mean(ratio));
    }
    s.put("devices", rows.size());
    s.put("wornOut", worn);
    s.set("enduranceCycles", FirstDay.distribution(endurance));
    s.set("onOhms", FirstDay.distribution(allOn));
    s.set("offOhms", FirstDay.distribution(allOff));
    s.set("offOnRatio", FirstDay.distribution(allRatio));
    return s;
  }
}
