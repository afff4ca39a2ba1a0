package dev.rmr1.training.metrics;

import dev.rmr1.tensor.io.AtomicFiles;
import java.awt.AWTError;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts of the training curves, one per {@link PlotGroup}, drawn with XChart without a display
 * ({@code java.awt.headless} is set unless the application chose otherwise). Each file is replaced
 * atomically, so a viewer refreshing it never sees half a PNG; call {@link #write} every few steps
 * and at the end.
 */
public final class TrainingPlots {
  static {
    if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
  }

  /** A series with more points than this is drawn as a line without markers. */
  private static final int MARKER_LIMIT = 60;

  private final Path dir;
  private final List<PlotGroup> groups;
  private final int width;
  private final int height;

  /** Charts of {@link PlotGroup#defaults()}, 900 x 500 pixels, in {@code dir}. */
  public TrainingPlots(Path dir) {
    this(dir, PlotGroup.defaults(), 900, 500);
  }

  public TrainingPlots(Path dir, List<PlotGroup> groups, int width, int height) {
    if (width < 100 || height < 100) throw new IllegalArgumentException("plot size " + width + "x" + height + " is too small (at least 100x100)");
    this.dir = dir;
    this.groups = List.copyOf(groups);
    this.width = width;
    this.height = height;
  }

  /**
   * Draws every group that has data in {@code history} (non-finite values are left out of the
   * lines) and returns the files written.
   *
   * @throws IllegalStateException when Java2D cannot draw here (for example a JDK without fonts)
   */
  public List<Path> write(List<MetricsRecord> history) {
    List<Path> written = new ArrayList<>();
    for (PlotGroup g : groups) {
      XYChart chart = chart(g, history);
      if (chart == null) continue;
      byte[] png;
      try {
        png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot encode plot " + g.name() + ": " + e, e);
      } catch (AWTError | InternalError | UnsatisfiedLinkError e) {
        throw new IllegalStateException("cannot draw plots on this JDK/host (" + e + "); a headless JDK needs fontconfig and a font "
            + "(e.g. apt-get install fontconfig fonts-dejavu-core)", e);
      }
      Path file = dir.resolve(g.name() + ".png");
      AtomicFiles.write(file, png);
      written.add(file);
    }
    return written;
  }

  /** The chart of {@code g}, or null when none of its metrics has a finite value yet. */
  XYChart chart(PlotGroup g, List<MetricsRecord> history) {
    XYChart chart = null;
    double maxAbs = 0;
    double firstY = Double.NaN;
    for (String m : g.metrics()) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (MetricsRecord r : history) {
        double v = r.get(m);
        if (Double.isFinite(v)) {
          xs.add((double) r.step());
          ys.add(v);
        }
      }
      if (xs.isEmpty()) continue;
      if (chart == null) chart = newChart(g);
      for (double y : ys) maxAbs = Math.max(maxAbs, Math.abs(y));
      if (Double.isNaN(firstY)) firstY = ys.getFirst();
      XYSeries s = chart.addSeries(m, xs, ys);
      s.setLineStyle(new BasicStroke(1.6f));
      s.setMarker(xs.size() > MARKER_LIMIT ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
    }
    if (chart != null) {
      // XChart labels equally spaced x values (consecutive steps) one data point at a time, packed
      // until the labels touch ("101121141"); an invisible point half a step before the first one
      // breaks the equal spacing, so the axis gets round ticks (0, 100, 200) instead.
      double first = history.stream().mapToInt(MetricsRecord::step).min().orElse(0);
      XYSeries anchor = chart.addSeries(" ", new double[] {first - 0.5}, new double[] {firstY});
      anchor.setShowInLegend(false);
      anchor.setMarker(SeriesMarkers.NONE);
      anchor.setLineStyle(SeriesLines.NONE);
      // Learning rates (1e-6) would all print as 0 with a fixed-point pattern.
      chart.getStyler().setYAxisDecimalPattern(maxAbs > 0 && (maxAbs < 1e-2 || maxAbs >= 1e6) ? "0.##E0" : "#,##0.####");
    }
    return chart;
  }

  private XYChart newChart(PlotGroup g) {
    XYChart c = new XYChartBuilder().width(width).height(height).title(g.title()).xAxisTitle("step").yAxisTitle(g.yLabel()).build();
    XYStyler st = c.getStyler();
    st.setLegendPosition(Styler.LegendPosition.OutsideS); // below the plot: never hides a curve
    st.setLegendLayout(Styler.LegendLayout.Horizontal);
    st.setChartBackgroundColor(Color.WHITE);
    st.setPlotBackgroundColor(Color.WHITE);
    st.setPlotBorderVisible(true);
    st.setAntiAlias(true);
    c.getStyler().setMarkerSize(5);
    st.setXAxisDecimalPattern("#,##0");
    return c;
  }
}
