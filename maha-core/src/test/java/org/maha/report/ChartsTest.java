package org.maha.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.IntervalXYDataset;
import org.junit.jupiter.api.Test;

class ChartsTest {
  /**
   * The five χ² labels stack down from the top of the histogram; at the size the reports draw it (550 × 340) the
   * tallest bar must end below the last label (the labels' white background hid it before).
   */
  @Test
  void sigmaLabelsLeaveTheTallestBarVisible() {
    double[] good = new double[60];
    for (int i = 0; i < good.length; i++) {
      good[i] = 10 + (i % 3 == 0 ? 0 : i / 20.0); // one tall bin at 10
    }
    double[] bad = {14, 15, 16};
    double[] markers = {11, 12, 13, 14, 15};
    JFreeChart chart = Charts.histogram("t", "x", good, bad, markers, List.of("1σ", "2σ", "3σ", "4σ", "5σ"));
    ChartRenderingInfo info = new ChartRenderingInfo();
    BufferedImage img = new BufferedImage(550, 340, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = img.createGraphics();
    chart.draw(g, new Rectangle2D.Double(0, 0, 550, 340), info);
    g.dispose();
    XYPlot plot = chart.getXYPlot();
    IntervalXYDataset data = (IntervalXYDataset) plot.getDataset();
    double tallest = 0;
    for (int s = 0; s < data.getSeriesCount(); s++) {
      for (int i = 0; i < data.getItemCount(s); i++) {
        tallest = Math.max(tallest, data.getYValue(s, i));
      }
    }
    Rectangle2D area = info.getPlotInfo().getDataArea();
    double barTopPx = plot.getRangeAxis().valueToJava2D(tallest, area, plot.getRangeAxisEdge());
    double labelsBottomPx = area.getMinY() + Charts.markerLabelsPx(markers.length);
    assertThat(barTopPx).as("top of the tallest bar vs bottom of the label stack").isGreaterThan(labelsBottomPx);
  }
}
