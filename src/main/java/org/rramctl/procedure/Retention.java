package org.rramctl.procedure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Cell;
import org.rramctl.driver.Durations;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.journal.Json;

/**
 * Retention / read train: reads every device at scheduled times after the run's start, for a given total
 * time. Schedules: {@code fixed} (every {@code interval}, starting at 0) or {@code log} (at 0, then
 * {@code points - 1} times log-spaced from {@code first} to {@code duration}, so each decade gets the same
 * number of reads). Times are relative to the original start, also after a resume. A point that falls late
 * while the run is running (slow reads) is read at once and its lateness shows in {@code elapsed}; a point
 * scheduled while the run was down (before a resume began) is recorded as missed, and the schedule
 * continues: the resume does not read a burst of past points at once.
 *
 * <p>Events: {@code array,row,col,point,scheduled,elapsed,g} (times in seconds); a missed point has
 * {@code missed: true} and {@code gapSeconds} (how long before the resume it was due) instead of {@code g}.
 * One unit per schedule point.
 */
public record Retention(Params params) implements Procedure {
  public static final String NAME = "retention";

  /**
   * @param cells devices
   * @param duration total time, e.g. "3600s", "1h", "10min"
   * @param schedule "fixed" or "log"
   * @param interval spacing of the fixed schedule
   * @param points reads of the log schedule, including the one at 0 (>= 3)
   * @param first first non-zero time of the log schedule
   * @param readVolts read voltage, V
   */
  public record Params(String cells, String duration, String schedule, String interval, int points, String first, double readVolts) {
    public Params {
      Checks.notBlank("cells", cells);
      if (!"fixed".equals(schedule) && !"log".equals(schedule)) {
        throw new IllegalArgumentException("schedule: '" + schedule + "' (expected: fixed or log)");
      }
      long total = nanos("duration", duration);
      if ("fixed".equals(schedule)) {
        long step = nanos("interval", interval);
        if (step > total) throw new IllegalArgumentException("interval: " + interval + " (expected: <= duration " + duration + ")");
        if (total / step > 10_000_000) throw new IllegalArgumentException("interval: " + interval + " (expected: at most 10,000,000 reads per device over " + duration + ")");
      } else {
        Checks.atLeast("points", points, 3, 10_000_000);
        long f = nanos("first", first);
        if (f >= total) throw new IllegalArgumentException("first: " + first + " (expected: < duration " + duration + ")");
      }
      Checks.positive("readVolts", readVolts);
    }

    public static Params defaults() {
      return new Params("0,0", "60s", "log", "1s", 20, "100ms", 0.2);
    }
  }

  public Retention {
    if (params == null) throw new IllegalArgumentException("params: null");
  }

  public static Retention of(Params p) {
    return new Retention(p);
  }

  /** Parses "100ns" .. "2s" (see {@link Durations}) and also "10min", "2h". */
  public static long nanos(String name, String text) {
    if (text == null) throw new IllegalArgumentException(name + ": null (expected: a duration such as 500ms, 60s, 10min or 2h)");
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("min")) return Math.round(Double.parseDouble(t.substring(0, t.length() - 3).trim()) * 60e9);
      if (t.endsWith("h")) return Math.round(Double.parseDouble(t.substring(0, t.length() - 1).trim()) * 3600e9);
      return Durations.parseNanos(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": '" + text + "' (expected: a duration such as 500ms, 60s, 10min or 2h)");
    }
  }

  /** The read times, ns after the start, ascending and distinct. */
  public List<Long> scheduleNanos() {
    long total = nanos("duration", params.duration);
    TreeSet<Long> t = new TreeSet<>();
    if (params.schedule.equals("fixed")) {
      long step = nanos("interval", params.interval);
      for (long x = 0; x <= total; x += step) t.add(x);
    } else {
      t.add(0L);
      double f = nanos("first", params.first);
      int n = params.points - 1;
      // t_i = first * (duration / first)^(i / (n - 1)): equal ratios between neighbours.
      for (int i = 0; i < n; i++) t.add(Math.round(f * Math.pow(total / f, i / (double) (n - 1))));
    }
    return new ArrayList<>(t);
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
    Target target = Target.parse(params.cells, ctx.driver().info());
    List<Long> schedule = scheduleNanos();
    Instant t0 = ctx.runStart();
    Instant resumedAt = ctx.resumedAt().orElse(null);
    for (int p = 0; p < schedule.size(); p++) {
      if (ctx.done(p)) continue;
      Instant due = t0.plusNanos(schedule.get(p));
      if (resumedAt != null && due.isBefore(resumedAt)) {
        for (Cell c : target.cells()) {
          ObjectNode e = ProcedureContext.data(c);
          e.put("point", p);
          e.put("scheduled", schedule.get(p) / 1e9);
          e.put("elapsed", Duration.between(t0, resumedAt).toNanos() / 1e9);
          e.put("missed", true);
          e.put("gapSeconds", Duration.between(due, resumedAt).toNanos() / 1e9);
          ctx.emit(e);
        }
        ctx.unitDone(p, schedule.size());
        continue;
      }
      ctx.waitUntil(due);
      for (Cell c : target.cells()) {
        ctx.checkpoint();
        double g = ctx.driver().read(c, params.readVolts);
        ObjectNode e = ProcedureContext.data(c);
        e.put("point", p);
        e.put("scheduled", schedule.get(p) / 1e9);
        e.put("elapsed", Duration.between(t0, ctx.clock().now()).toNanos() / 1e9);
        e.put("g", g);
        ctx.emit(e);
      }
      ctx.unitDone(p, schedule.size());
    }
  }

  /** Per device: first and last reading and the relative drift between them. */
  @Override
  public ObjectNode summarize(List<ObjectNode> events) {
    ObjectNode s = Json.object();
    ArrayNode rows = s.putArray("cells");
    int missed = 0;
    for (Map.Entry<String, List<ObjectNode>> e : Checks.byCell(events).entrySet()) {
      List<ObjectNode> ev = e.getValue().stream().filter(x -> !x.path("missed").asBoolean()).toList();
      missed = Math.max(missed, e.getValue().size() - ev.size());
      if (ev.isEmpty()) continue;
      double g0 = ev.get(0).path("g").asDouble();
      double g1 = ev.get(ev.size() - 1).path("g").asDouble();
      ObjectNode r = Checks.cellRow(rows, e.getKey());
      r.put("reads", ev.size());
      r.put("lastElapsedSeconds", ev.get(ev.size() - 1).path("elapsed").asDouble());
      Checks.put(r, "firstSiemens", g0);
      Checks.put(r, "lastSiemens", g1);
      Checks.put(r, "relativeDrift", (g1 - g0) / g0);
    }
    s.put("devices", rows.size());
    s.put("points", scheduleNanos().size());
    if (missed > 0) s.put("missedPoints", missed);
    return s;
  }
}
