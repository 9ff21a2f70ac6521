package org.rramctl.procedure.plot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.Histogram;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.rramctl.journal.Journal;
import org.rramctl.plot.Charts;

/**
 * PNG pictures of a stored run, by procedure: conductance versus pulse number for a pulse response (up
 * branch red, down branch blue), a histogram of read deviations for read statistics, conductance versus
 * log time for retention, conductance versus iteration for program-to-target, conductance versus the swept
 * value for a pulsed sweep, and a heat map for an array map. Headless (no display needed).
 */
public final class RunPlots {
  /** At most this many devices get their own curves; more would be unreadable. */
  static final int MAX_CURVES = 8;
  static final int WIDTH = Charts.WIDTH;
  static final int HEIGHT = Charts.HEIGHT;
  private static final Color UP = new Color(0xD62728);
  private static final Color DOWN = new Color(0x1F77B4);

  private RunPlots() {}

  /**
   * Writes the run's pictures into {@code outDir} (created if needed) as {@code RUN-KIND.png}.
   *
   * @return the files written, empty when the run has no events
   */
  public static List<Path> write(Journal j, Path outDir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(outDir);
    List<ObjectNode> events = j.events();
    List<Path> out = new ArrayList<>();
    if (events.isEmpty()) return out;
    String base = j.runId() + "-";
    int superseded = j.supersededSeqs().size();
    // Only the completed attempt of each unit is drawn; the title says when a resume superseded events.
    String title = superseded == 0 ? j.runId() : j.runId() + " (" + superseded + " superseded events left out)";
    switch (j.procedure()) {
      case "pulse-response" -> out.add(save(pulseResponse(title, events), outDir.resolve(base + "pulse-response.png")));
      case "read-statistics" -> out.add(save(readHistogram(title, events), outDir.resolve(base + "read-histogram.png")));
      case "retention" -> out.add(save(retention(title, events), outDir.resolve(base + "retention.png")));
      case "program" -> out.add(save(xy(title + " program to target", "iteration", events, "iteration", false), outDir.resolve(base + "program.png")));
      case "sweep" -> out.add(save(sweep(title, events), outDir.resolve(base + "sweep.png")));
      case "map" -> out.add(save(heatMap(title, events), outDir.resolve(base + "map.png")));
      case "form" -> out.add(save(form(title, events), outDir.resolve(base + "form.png")));
      case "iv" -> out.add(save(iv(title, events), outDir.resolve(base + "iv.png")));
      case "endurance" -> out.add(save(endurance(title, events), outDir.resolve(base + "endurance.png")));
      case "switch-seek" -> out.add(save(xy(title + " switch seek", "amplitude (V)", events, "amplitudeVolts", true), outDir.resolve(base + "switch-seek.png")));
      case "converge" -> out.add(save(xy(title + " converge to state", "iteration", events, "iteration", false), outDir.resolve(base + "converge.png")));
      default -> throw new IllegalArgumentException("procedure: '" + j.procedure() + "' (expected: a procedure rramctl can plot)");
    }
    return out;
  }

  private static Path save(Chart<?, ?> chart, Path file) throws IOException {
    Charts.save(chart, file);
    return file;
  }

  private static String cell(ObjectNode e) {
    return e.path("array").asInt() + ":" + e.path("row").asInt() + "," + e.path("col").asInt();
  }

  private static Map<String, List<ObjectNode>> byCell(List<ObjectNode> events) {
    Map<String, List<ObjectNode>> m = new LinkedHashMap<>();
    for (ObjectNode e : events) {
      String c = cell(e);
      if (m.size() < MAX_CURVES || m.containsKey(c)) m.computeIfAbsent(c, k -> new ArrayList<>()).add(e);
    }
    return m;
  }

  private static XYChart chart(String title, String x, String y) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
    c.getStyler().setLegendVisible(true);
    c.getStyler().setMarkerSize(3);
    return c;
  }

  /** Pulse number runs on across cycles, so C cycles show as C up-down teeth. */
  static XYChart pulseResponse(String run, List<ObjectNode> events) {
    XYChart c = chart(run + " pulse response", "pulse number", "conductance (uS)");
    for (Map.Entry<String, List<ObjectNode>> e : byCell(events).entrySet()) {
      List<Double> ux = new ArrayList<>();
      List<Double> uy = new ArrayList<>();
      List<Double> dx = new ArrayList<>();
      List<Double> dy = new ArrayList<>();
      int perCycle = e.getValue().stream().mapToInt(x -> x.path("pulse").asInt()).max().orElse(0);
      for (ObjectNode ev : e.getValue()) {
        double n = ev.path("cycle").asInt() * (double) perCycle + ev.path("pulse").asInt();
        double g = ev.path("g").asDouble() * 1e6;
        if (ev.path("branch").asText().equals("down")) {
          dx.add(n);
          dy.add(g);
        } else {
          ux.add(n);
          uy.add(g);
        }
      }
      XYSeries up = c.addSeries(e.getKey() + " up", ux, uy);
      up.setMarker(SeriesMarkers.CIRCLE);
      up.setMarkerColor(UP).setLineColor(UP);
      up.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      if (!dx.isEmpty()) {
        XYSeries down = c.addSeries(e.getKey() + " down", dx, dy);
        down.setMarker(SeriesMarkers.CIRCLE);
        down.setMarkerColor(DOWN).setLineColor(DOWN);
        down.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      }
    }
    return c;
  }

  /** Deviation of each base read from its device's mean, so devices at different states share one histogram. */
  static CategoryChart readHistogram(String run, List<ObjectNode> events) {
    Map<String, List<Double>> base = new LinkedHashMap<>();
    for (ObjectNode e : events) {
      if (e.path("phase").asText().equals("base")) base.computeIfAbsent(cell(e), k -> new ArrayList<>()).add(e.path("g").asDouble());
    }
    List<Double> dev = new ArrayList<>();
    for (List<Double> g : base.values()) {
      double m = g.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      for (double x : g) dev.add((x - m) * 1e9);
    }
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(run + " read statistics (" + base.size() + " devices)")
        .xAxisTitle("read - device mean (nS)").yAxisTitle("reads").build();
    c.getStyler().setLegendVisible(false);
    c.getStyler().setXAxisDecimalPattern("0");
    c.getStyler().setXAxisLabelRotation(90);
    c.getStyler().setAvailableSpaceFill(0.98);
    c.getStyler().setOverlapped(true);
    double lo = dev.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double hi = dev.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    if (hi <= lo) {
      lo -= 1;
      hi += 1;
    }
    Histogram h = new Histogram(dev, 30, lo, hi);
    c.addSeries("reads", h.getxAxisData(), h.getyAxisData());
    return c;
  }

  /** Log time axis: the read at t = 0 is drawn at the first positive time's tenth. */
  static XYChart retention(String run, List<ObjectNode> events) {
    XYChart c = chart(run + " retention", "time since start (s)", "conductance (uS)");
    c.getStyler().setXAxisLogarithmic(true);
    double firstPositive = events.stream().mapToDouble(e -> e.path("elapsed").asDouble()).filter(t -> t > 0).min().orElse(1);
    for (Map.Entry<String, List<ObjectNode>> e : byCell(events).entrySet()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (ObjectNode ev : e.getValue()) {
        if (ev.path("missed").asBoolean()) continue; // no reading: the run was down at that point
        double t = ev.path("elapsed").asDouble();
        x.add(t > 0 ? t : firstPositive / 10);
        y.add(ev.path("g").asDouble() * 1e6);
      }
      c.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
    }
    return c;
  }

  static XYChart sweep(String run, List<ObjectNode> events) {
    boolean width = events.stream().map(e -> e.get("widthNanos")).filter(n -> n != null && !n.isNull()).distinct().count() > 1;
    return xy(run + " pulsed sweep", width ? "widthNanos" : "amplitudeVolts", events, width ? "widthNanos" : "amplitudeVolts", true);
  }

  private static XYChart xy(String title, String xTitle, List<ObjectNode> events, String xField, boolean skipNullX) {
    XYChart c = chart(title, xTitle, "conductance (uS)");
    for (Map.Entry<String, List<ObjectNode>> e : byCell(events).entrySet()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (ObjectNode ev : e.getValue()) {
        if (skipNullX && ev.path(xField).isNull()) continue;
        x.add(ev.path(xField).asDouble());
        y.add(ev.path("g").asDouble() * 1e6);
      }
      if (!x.isEmpty()) c.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
    }
    return c;
  }

  /** Resistance after each forming pulse against its level, log resistance axis; one curve per device and plane. */
  static XYChart form(String run, List<ObjectNode> events) {
    XYChart c = chart(run + " forming", "pulse level (V)", "resistance after the pulse (ohm)");
    c.getStyler().setYAxisLogarithmic(true);
    Map<String, List<ObjectNode>> m = new LinkedHashMap<>();
    for (ObjectNode e : events) {
      String k = cell(e) + (e.path("plane").asText().equals("reference") ? " ref" : "");
      if (m.size() < MAX_CURVES || m.containsKey(k)) m.computeIfAbsent(k, x -> new ArrayList<>()).add(e);
    }
    for (Map.Entry<String, List<ObjectNode>> e : m.entrySet()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (ObjectNode ev : e.getValue()) {
        double g = ev.path("g").asDouble();
        if (!(g > 0)) continue;
        x.add(ev.path("volts").asDouble());
        y.add(1 / g);
      }
      if (!x.isEmpty()) c.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
    }
    return c;
  }

  /** The I-V loops on a log |I| axis, one curve per device and cycle (points at 0 A left out: a log axis has no zero). */
  static XYChart iv(String run, List<ObjectNode> events) {
    XYChart c = chart(run + " I-V", "voltage (V)", "|current| (A)");
    c.getStyler().setYAxisLogarithmic(true);
    Map<String, List<ObjectNode>> m = new LinkedHashMap<>();
    for (ObjectNode e : events) {
      String k = cell(e) + " cycle " + e.path("cycle").asInt();
      if (m.size() < MAX_CURVES || m.containsKey(k)) m.computeIfAbsent(k, x -> new ArrayList<>()).add(e);
    }
    for (Map.Entry<String, List<ObjectNode>> e : m.entrySet()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (ObjectNode ev : e.getValue()) {
        double i = Math.abs(ev.path("amps").asDouble());
        if (!(i > 0)) continue;
        x.add(ev.path("volts").asDouble());
        y.add(i);
      }
      if (!x.isEmpty()) c.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
    }
    return c;
  }

  /** R_on (red) and R_off (blue) against cycle, log resistance axis. */
  static XYChart endurance(String run, List<ObjectNode> events) {
    XYChart c = chart(run + " endurance", "cycle", "resistance (ohm)");
    c.getStyler().setYAxisLogarithmic(true);
    for (Map.Entry<String, List<ObjectNode>> e : byCell(events).entrySet()) {
      for (String which : new String[] {"gOn", "gOff"}) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (ObjectNode ev : e.getValue()) {
          double g = ev.path(which).asDouble();
          if (!(g > 0)) continue;
          x.add(ev.path("cycle").asDouble());
          y.add(1 / g);
        }
        if (x.isEmpty()) continue;
        XYSeries sr = c.addSeries(e.getKey() + (which.equals("gOn") ? " R_on" : " R_off"), x, y);
        sr.setMarker(SeriesMarkers.CIRCLE);
        Color col = which.equals("gOn") ? UP : DOWN;
        sr.setMarkerColor(col).setLineColor(col);
      }
    }
    return c;
  }

  static HeatMapChart heatMap(String run, List<ObjectNode> events) {
    int r0 = events.stream().mapToInt(e -> e.path("row").asInt()).min().orElse(0);
    int r1 = events.stream().mapToInt(e -> e.path("row").asInt()).max().orElse(0);
    int c0 = events.stream().mapToInt(e -> e.path("col").asInt()).min().orElse(0);
    int c1 = events.stream().mapToInt(e -> e.path("col").asInt()).max().orElse(0);
    int[] xs = new int[c1 - c0 + 1];
    int[] ys = new int[r1 - r0 + 1];
    for (int i = 0; i < xs.length; i++) xs[i] = c0 + i;
    for (int i = 0; i < ys.length; i++) ys[i] = r0 + i;
    List<Number[]> heat = new ArrayList<>();
    for (ObjectNode e : events) heat.add(new Number[] {e.path("col").asInt() - c0, e.path("row").asInt() - r0, Math.rint(e.path("g").asDouble() * 1e8) / 100});
    HeatMapChart c = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT).title(run + " array map (uS)").xAxisTitle("column").yAxisTitle("row").build();
    c.getStyler().setShowValue(xs.length * ys.length <= 64);
    c.getStyler().setHeatMapValueDecimalPattern("0.0");
    c.getStyler().setLegendVisible(true);
    c.getStyler().setRangeColors(new Color[] {new Color(0x2C7BB6), new Color(0xFFFFBF), new Color(0xD7191C)});
    List<Integer> xl = new ArrayList<>();
    List<Integer> yl = new ArrayList<>();
    for (int x : xs) xl.add(x);
    for (int y : ys) yl.add(y);
    c.addSeries("G", xl, yl, heat);
    return c;
  }
}
