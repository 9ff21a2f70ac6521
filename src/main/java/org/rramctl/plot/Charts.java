package org.rramctl.plot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG figures, headless (XChart): histograms, heat maps, line charts with several series, and measured
 * points with fitted curves over them. Generic on purpose: calibration, characterization and training
 * all draw with these. Each method writes one file and creates its directory; nothing else is kept.
 */
public final class Charts {
  /** Pixel size of every figure. */
  public static final int WIDTH = 900;
  public static final int HEIGHT = 600;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /** One named series of x, y values. */
  public record Series(String name, double[] x, double[] y) {
    public Series {
      if (name == null || x == null || y == null || x.length != y.length) {
        throw new IllegalArgumentException("series " + name + ": x and y null or of different lengths (expected: equal lengths)");
      }
    }
  }

  /** A histogram of {@code values} (NaN and infinities dropped) with {@code bins} equal bins. */
  public static void histogram(Path file, String title, String xLabel, double[] values, int bins) throws IOException {
    if (bins < 1) throw new IllegalArgumentException("bins: " + bins + " (expected: >= 1)");
    List<Double> v = new ArrayList<>();
    for (double x : values) if (Double.isFinite(x)) v.add(x);
    double lo = v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double hi = v.stream().mapToDouble(Double::doubleValue).max().orElse(1);
    if (!(hi > lo)) hi = lo + 1;
    double width = (hi - lo) / bins;
    List<String> labels = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    for (int b = 0; b < bins; b++) {
      labels.add(String.format(java.util.Locale.ROOT, "%.4g", lo + (b + 0.5) * width));
      counts.add(0);
    }
    for (double x : v) {
      int b = (int) Math.min(bins - 1, Math.floor((x - lo) / width));
      counts.set(b, counts.get(b) + 1);
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel).yAxisTitle("count").build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setAvailableSpaceFill(0.99);
    chart.getStyler().setXAxisLabelRotation(60);
    chart.addSeries("count", labels, counts);
    save(chart, file);
  }

  /**
   * A heat map of {@code z[row][col]}; larger grids are averaged down to at most 128 x 128 cells so the
   * file and the drawing stay small. NaN cells count as missing.
   */
  public static void heatMap(Path file, String title, String xLabel, String yLabel, double[][] z) throws IOException {
    int rows = z.length;
    int cols = rows == 0 ? 0 : z[0].length;
    if (rows == 0 || cols == 0) throw new IllegalArgumentException("heat map: empty (expected: at least 1 x 1)");
    int fr = (rows + 127) / 128;
    int fc = (cols + 127) / 128;
    int r2 = (rows + fr - 1) / fr;
    int c2 = (cols + fc - 1) / fc;
    List<Integer> xs = new ArrayList<>();
    List<Integer> ys = new ArrayList<>();
    for (int c = 0; c < c2; c++) xs.add(c * fc);
    for (int r = 0; r < r2; r++) ys.add(r * fr);
    List<Number[]> heat = new ArrayList<>();
    for (int c = 0; c < c2; c++) {
      for (int r = 0; r < r2; r++) {
        double s = 0;
        int n = 0;
        for (int i = r * fr; i < Math.min(rows, (r + 1) * fr); i++) {
          for (int j = c * fc; j < Math.min(cols, (c + 1) * fc); j++) {
            if (Double.isFinite(z[i][j])) {
              s += z[i][j];
              n++;
            }
          }
        }
        heat.add(new Number[] {c, r, n == 0 ? null : s / n});
      }
    }
    HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
    chart.getStyler().setShowValue(false);
    chart.getStyler().setXAxisLabelRotation(90);
    chart.addSeries("z", xs, ys, heat);
    save(chart, file);
  }

  /** A line chart with one line per series. */
  public static void lines(Path file, String title, String xLabel, String yLabel, List<Series> series) throws IOException {
    XYChart chart = xy(title, xLabel, yLabel);
    for (Series s : series) chart.addSeries(s.name(), s.x(), s.y()).setMarker(SeriesMarkers.NONE);
    save(chart, file);
  }

  /** Measured points (scatter) with curves (lines) drawn over them, e.g. a fitted model over its data. */
  public static void scatterWithLines(Path file, String title, String xLabel, String yLabel, List<Series> points, List<Series> curves) throws IOException {
    XYChart chart = xy(title, xLabel, yLabel);
    for (Series s : points) {
      chart.addSeries(s.name(), s.x(), s.y()).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter).setMarker(SeriesMarkers.CIRCLE);
    }
    for (Series s : curves) chart.addSeries(s.name(), s.x(), s.y()).setMarker(SeriesMarkers.NONE);
    save(chart, file);
  }

  private static XYChart xy(String title, String xLabel, String yLabel) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
    chart.getStyler().setMarkerSize(4);
    return chart;
  }

  /** Writes a chart as PNG, creating the file's directory (every figure rramctl draws goes through here). */
  public static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    try (var out = Files.newOutputStream(abs)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
  }
}
