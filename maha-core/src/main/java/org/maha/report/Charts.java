package org.maha.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYLineAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.maha.eval.MeanSem;
import org.maha.eval.RocCurve;

/**
 * Builds the report's JFreeChart charts and encodes them as PNG. Each chart is styled on its own objects; the
 * global {@code ChartFactory} theme is neither used nor changed, so other users of JFreeChart are unaffected.
 */
final class Charts {
  /** Tableau 10: distinguishable, colour-blind-tolerant, and the same variant gets the same colour everywhere. */
  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
    new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)
  };
  static final Color GOOD = new Color(0x1f77b4);
  static final Color DEFECTIVE = new Color(0xd62728);
  private static final Color GRID = new Color(0xdddddd);
  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);
  private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
  /** Histogram bins: enough to show shape for 50..500 test images without looking like noise. */
  static final int HISTOGRAM_BINS = 30;
  /** Vertical distance between stacked marker labels (one 11-pt line). */
  static final int MARKER_LABEL_LINE_PX = 14;
  /**
   * Height of the data area of the smallest histogram the reports draw (550 × 340 px charts: about 250 px, less
   * title, legend and axis); the headroom for the marker labels is sized for it, so larger charts have more.
   */
  static final int HISTOGRAM_PLOT_PX = 230;

  private Charts() {}

  /** The colour of the variant at {@code index} in the report's variant list. */
  static Color variantColor(int index) {
    return PALETTE[index % PALETTE.length];
  }

  /**
   * ROC of each variant's combined score, one curve per fold: fold 0 (the first of {@code foldCurves.get(v)}) drawn
   * thick, the other folds thin in the same colour; the legend names each variant with {@code aurocs[v]}, its AUROC
   * averaged over folds.
   */
  static JFreeChart roc(String title, List<String> variants, List<List<RocCurve>> foldCurves, double[] aurocs) {
    XYSeriesCollection data = new XYSeriesCollection();
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    boolean several = false;
    for (List<RocCurve> f : foldCurves) {
      several |= f.size() > 1;
    }
    // thin lines first, so that the highlighted fold-0 curves are drawn on top of them
    for (int v = 0; v < variants.size(); v++) {
      for (int f = 1; f < foldCurves.get(v).size(); f++) {
        int i = data.getSeriesCount();
        data.addSeries(series(variants.get(v) + " fold " + f, foldCurves.get(v).get(f)));
        r.setSeriesPaint(i, translucent(variantColor(v)));
        r.setSeriesStroke(i, new BasicStroke(0.8f));
        r.setSeriesVisibleInLegend(i, false);
      }
    }
    for (int v = 0; v < variants.size(); v++) {
      int i = data.getSeriesCount();
      String label = variants.get(v) + " (AUROC " + Formats.pct(aurocs[v]) + " %" + (several ? ", mean of folds"
          : "") + ")";
      data.addSeries(series(label, foldCurves.get(v).get(0)));
      r.setSeriesPaint(i, variantColor(v));
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    NumberAxis x = unitAxis("false-positive rate (good images flagged)");
    NumberAxis y = unitAxis("true-positive rate (defects found)");
    XYPlot plot = new XYPlot(data, x, y, r);
    plot.addAnnotation(new XYLineAnnotation(0, 0, 1, 1, dashed(1f), Color.GRAY));
    return chart(title, plot, true);
  }

  private static XYSeries series(String key, RocCurve c) {
    XYSeries s = new XYSeries(key, false, true);
    double[] fpr = c.fpr();
    double[] tpr = c.tpr();
    for (int i = 0; i < fpr.length; i++) {
      s.add(fpr[i], tpr[i]);
    }
    return s;
  }

  /**
   * Mean AUROC (%) per level for each variant, with a band of ± 1 SEM over categories (no band for one
   * category). {@code summary[v][l]} is variant v at level l.
   */
  static JFreeChart aurocByLevel(String title, List<String> levels, List<String> variants, MeanSem[][] summary) {
    return aurocBy(title, "level", levels, variants, summary);
  }

  /** The same chart over any categorical x axis ({@code summary[series][x]}; null cells are left out). */
  static JFreeChart aurocBy(String title, String xLabel, List<String> levels, List<String> variants,
      MeanSem[][] summary) {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    for (int v = 0; v < variants.size(); v++) {
      YIntervalSeries s = new YIntervalSeries(variants.get(v), false, true);
      for (int l = 0; l < levels.size(); l++) {
        MeanSem m = summary[v][l];
        if (m == null) {
          continue;
        }
        double sem = Double.isNaN(m.sem()) ? 0 : m.sem();
        s.add(l, 100 * m.mean(), 100 * (m.mean() - sem), 100 * (m.mean() + sem));
      }
      data.addSeries(s);
    }
    SymbolAxis x = new SymbolAxis(xLabel, levels.toArray(new String[0]));
    x.setGridBandsVisible(false);
    style(x);
    NumberAxis y = new NumberAxis("image-level AUROC (%)");
    y.setAutoRangeIncludesZero(false);
    style(y);
    DeviationRenderer r = new DeviationRenderer(true, true);
    r.setAlpha(0.18f);
    for (int v = 0; v < variants.size(); v++) {
      r.setSeriesPaint(v, variantColor(v));
      r.setSeriesFillPaint(v, variantColor(v));
      r.setSeriesStroke(v, new BasicStroke(2f));
    }
    XYPlot plot = new XYPlot(data, x, y, r);
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < data.getSeriesCount(); v++) {
      for (int i = 0; i < data.getItemCount(v); i++) {
        lo = Math.min(lo, data.getStartYValue(v, i));
        hi = Math.max(hi, data.getEndYValue(v, i));
      }
    }
    if (lo <= hi) {
      // Leave room around the band, but never show AUROCs outside 0..100 %.
      double pad = Math.max(1, 0.05 * (hi - lo));
      y.setRange(Math.max(0, lo - pad), Math.min(100, hi + pad));
    }
    return chart(title, plot, true);
  }

  /**
   * Overlaid histograms of good and defective images' values over common bins, with vertical markers (e.g. the χ²
   * thresholds) that the x axis is widened to include.
   */
  static JFreeChart histogram(String title, String xLabel, double[] good, double[] defective, double[] markers,
      List<String> markerLabels) {
    double lo = Math.min(min(good), min(defective));
    double hi = Math.max(max(good), max(defective));
    if (!(hi > lo)) {
      double w = Math.max(1e-9, Math.abs(lo) * 1e-3);
      lo -= w;
      hi += w;
    }
    HistogramDataset data = new HistogramDataset();
    data.addSeries("good (" + good.length + ")", good, HISTOGRAM_BINS, lo, hi);
    data.addSeries("defective (" + defective.length + ")", defective, HISTOGRAM_BINS, lo, hi);
    NumberAxis x = new NumberAxis(xLabel);
    x.setAutoRangeIncludesZero(false);
    style(x);
    NumberAxis y = new NumberAxis("images");
    y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    style(y);
    if (markers.length > 0) {
      // the marker labels stack down from the top of the plot, one line each: leave that band free of bars
      double labels = markerLabelsPx(markers.length);
      y.setUpperMargin(labels / (HISTOGRAM_PLOT_PX - labels));
    }
    XYBarRenderer r = new XYBarRenderer();
    r.setBarPainter(new StandardXYBarPainter());
    r.setShadowVisible(false);
    r.setDrawBarOutline(false);
    r.setSeriesPaint(0, translucent(GOOD));
    r.setSeriesPaint(1, translucent(DEFECTIVE));
    XYPlot plot = new XYPlot(data, x, y, r);
    double axisLo = lo;
    double axisHi = hi;
    for (int i = 0; i < markers.length; i++) {
      ValueMarker m = new ValueMarker(markers[i], new Color(0x444444), dashed(1.2f));
      m.setLabel(markerLabels.get(i));
      m.setLabelFont(TICK_FONT);
      m.setLabelPaint(new Color(0x222222));
      m.setLabelBackgroundColor(new Color(255, 255, 255, 210));
      m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
      m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      // one label height apart, so that labels of thresholds close together (large k) do not overlap
      m.setLabelOffset(new RectangleInsets(2 + MARKER_LABEL_LINE_PX * i, 2, 2, 2));
      plot.addDomainMarker(m, Layer.FOREGROUND);
      axisLo = Math.min(axisLo, markers[i]);
      axisHi = Math.max(axisHi, markers[i]);
    }
    double pad = 0.03 * (axisHi - axisLo);
    x.setRange(axisLo - pad, axisHi + pad);
    return chart(title, plot, true);
  }

  /** Pixels from the top of the plot down to the bottom of {@code n} stacked marker labels. */
  static int markerLabelsPx(int n) {
    return 4 + MARKER_LABEL_LINE_PX * n;
  }

  /** The chart as PNG bytes, {@code width} × {@code height} pixels. */
  static Png png(JFreeChart chart, int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, chart, width, height);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding a chart as PNG in memory failed", e);
    }
    return new Png(out.toByteArray(), width, height);
  }

  private static JFreeChart chart(String title, XYPlot plot, boolean legend) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    plot.setOutlineVisible(false);
    plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
    JFreeChart c = new JFreeChart(null, TITLE_FONT, plot, legend);
    c.setTitle(new TextTitle(title, TITLE_FONT));
    c.setBackgroundPaint(Color.WHITE);
    c.setAntiAlias(true);
    c.setTextAntiAlias(true);
    c.setPadding(new RectangleInsets(6, 6, 6, 10));
    LegendTitle l = c.getLegend();
    if (l != null) {
      l.setItemFont(TICK_FONT);
      l.setFrame(BlockBorder.NONE);
      l.setPosition(RectangleEdge.BOTTOM);
      l.setBackgroundPaint(Color.WHITE);
    }
    return c;
  }

  private static NumberAxis unitAxis(String label) {
    NumberAxis a = new NumberAxis(label);
    // A little beyond [0, 1], so that a perfect curve along the edges is not hidden by the axes.
    a.setRange(-0.015, 1.015);
    style(a);
    return a;
  }

  private static void style(org.jfree.chart.axis.ValueAxis a) {
    a.setLabelFont(LABEL_FONT);
    a.setTickLabelFont(TICK_FONT);
    a.setLabelPaint(new Color(0x333333));
    a.setTickLabelPaint(new Color(0x333333));
  }

  private static BasicStroke dashed(float width) {
    return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f);
  }

  private static Color translucent(Color c) {
    return new Color(c.getRed(), c.getGreen(), c.getBlue(), 140);
  }

  private static double min(double[] v) {
    double m = Double.POSITIVE_INFINITY;
    for (double x : v) {
      m = Math.min(m, x);
    }
    return m;
  }

  private static double max(double[] v) {
    double m = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      m = Math.max(m, x);
    }
    return m;
  }
}
