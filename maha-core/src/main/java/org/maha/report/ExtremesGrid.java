package org.maha.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;
import org.maha.image.DecodeLimits;
import org.maha.pipeline.Evaluation.ImageResult;

/**
 * The grid of a category's highest- and lowest-scoring test images: what the detector finds most and least
 * anomalous. A good image among the highest or a defective one among the lowest is where it goes wrong.
 */
final class ExtremesGrid {
  private static final int PAD = 8;
  private static final int BORDER = 3;
  private static final int HEADER = 22;
  private static final int TEXT_LINES = 2;
  private static final int LINE = 14;
  private static final Font HEADER_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 12);
  private static final Font CELL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
  private static final Color GOOD = new Color(0x2ca02c);
  private static final Color DEFECTIVE = Charts.DEFECTIVE;

  private ExtremesGrid() {}

  /** The images shown: {@code highest} in decreasing score, {@code lowest} in increasing score; disjoint. */
  record Selection(List<ImageResult> highest, List<ImageResult> lowest) {
    Selection {
      highest = List.copyOf(highest);
      lowest = List.copyOf(lowest);
    }
  }

  /**
   * Up to {@code perSide} highest and as many lowest scores, never the same image twice (ties broken by path, so
   * the choice is deterministic).
   */
  static Selection select(List<ImageResult> images, int perSide) {
    List<ImageResult> sorted = new ArrayList<>(images);
    sorted.sort(Comparator.comparingDouble(ImageResult::score).reversed()
        .thenComparing(im -> im.path().toString()));
    int nHigh = Math.min(perSide, (sorted.size() + 1) / 2);
    int nLow = Math.min(perSide, sorted.size() - nHigh);
    List<ImageResult> lowest = new ArrayList<>();
    for (int i = 0; i < nLow; i++) {
      lowest.add(sorted.get(sorted.size() - 1 - i));
    }
    return new Selection(sorted.subList(0, nHigh), lowest);
  }

  /** The grid as a PNG: a row per side, each thumbnail framed red (defective) or green (good), score under it. */
  static Png png(Selection sel, String variant, int thumbPx, DecodeLimits limits) {
    int columns = Math.max(1, Math.max(sel.highest().size(), sel.lowest().size()));
    int cellW = thumbPx + 2 * BORDER;
    int cellH = thumbPx + 2 * BORDER + TEXT_LINES * LINE + 4;
    int width = PAD + columns * (cellW + PAD);
    int rowH = HEADER + cellH + PAD;
    int height = PAD + 2 * rowH;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      row(g, PAD, "highest " + variant + " scores (most anomalous first)", sel.highest(), thumbPx, limits);
      row(g, PAD + rowH, "lowest " + variant + " scores (most normal first)", sel.lowest(), thumbPx, limits);
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(img, "png", out)) {
        throw new IllegalStateException("no ImageIO PNG writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("encoding the thumbnail grid as PNG in memory failed", e);
    }
    return new Png(out.toByteArray(), width, height);
  }

  private static void row(Graphics2D g, int top, String header, List<ImageResult> images, int thumbPx,
      DecodeLimits limits) {
    g.setFont(HEADER_FONT);
    g.setColor(new Color(0x222222));
    g.drawString(header, PAD, top + HEADER - 7);
    int cellW = thumbPx + 2 * BORDER;
    for (int i = 0; i < images.size(); i++) {
      ImageResult im = images.get(i);
      int x = PAD + i * (cellW + PAD);
      int y = top + HEADER;
      Color frame = im.anomalous() ? DEFECTIVE : GOOD;
      g.setColor(frame);
      g.fillRect(x, y, cellW, cellW);
      g.setColor(new Color(0xf2f2f2));
      g.fillRect(x + BORDER, y + BORDER, thumbPx, thumbPx);
      ThumbnailFiles.Thumbnail t = ThumbnailFiles.read(im.path(), thumbPx, limits);
      if (t.image() != null) {
        BufferedImage ti = t.image();
        g.drawImage(ti, x + BORDER + (thumbPx - ti.getWidth()) / 2, y + BORDER + (thumbPx - ti.getHeight()) / 2,
            null);
      } else {
        placeholder(g, x + BORDER, y + BORDER, thumbPx, t.problem());
      }
      g.setFont(CELL_FONT);
      g.setColor(new Color(0x222222));
      int ty = y + cellW + LINE - 2;
      g.drawString(fit(g.getFontMetrics(), (i + 1) + ". " + Formats.score(im.score()), cellW), x, ty);
      g.setColor(frame.darker());
      g.drawString(fit(g.getFontMetrics(), im.defectType(), cellW), x, ty + LINE);
    }
  }

  private static void placeholder(Graphics2D g, int x, int y, int size, String problem) {
    g.setColor(new Color(0xbbbbbb));
    g.setStroke(new BasicStroke(1f));
    g.drawLine(x, y, x + size - 1, y + size - 1);
    g.drawLine(x, y + size - 1, x + size - 1, y);
    g.setFont(CELL_FONT);
    FontMetrics fm = g.getFontMetrics();
    String text = fit(fm, problem, size - 4);
    int tw = fm.stringWidth(text);
    g.setColor(new Color(0xf2f2f2));
    g.fillRect(x + (size - tw) / 2 - 2, y + size / 2 - fm.getAscent(), tw + 4, fm.getHeight());
    g.setColor(new Color(0x555555));
    g.drawString(text, x + (size - tw) / 2, y + size / 2 + fm.getAscent() / 2 - 2);
  }

  /** {@code s}, cut with an ellipsis to fit {@code width} pixels. */
  private static String fit(FontMetrics fm, String s, int width) {
    if (fm.stringWidth(s) <= width) {
      return s;
    }
    String t = s;
    while (!t.isEmpty() && fm.stringWidth(t + "…") > width) {
      t = t.substring(0, t.length() - 1);
    }
    return t + "…";
  }
}
