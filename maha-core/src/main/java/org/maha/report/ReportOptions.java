package org.maha.report;

import java.time.OffsetDateTime;
import java.util.Objects;
import org.maha.image.DecodeLimits;

/**
 * What {@link HtmlReport} needs besides the numbers: the header text, the date (passed in, so that rendering is
 * deterministic), which variant and level the score histograms and σ thresholds show, and the thumbnail grid's size.
 *
 * @param title             page title and first heading
 * @param generated         the date line; the only part of the output that changes between runs
 * @param histogramVariant  variant id whose scores the histograms and the thumbnail grid show ({@code mvg}); when
 *                          the report lacks it, the first variant is used and the page says so
 * @param histogramLevel    level name for the per-level histogram and σ table, or {@link #AUTO_LEVEL} for the
 *                          level with the highest mean AUROC of that variant (ties: the lower level)
 * @param extremesPerSide   how many highest- and how many lowest-scoring test images the grid shows, 1..50
 * @param thumbnailPx       longest side of a thumbnail in pixels, 16..512
 * @param thumbnailLimits   decompression-bomb guard for the thumbnails' source images
 */
public record ReportOptions(String title, OffsetDateTime generated, String histogramVariant,
    String histogramLevel, int extremesPerSide, int thumbnailPx, DecodeLimits thumbnailLimits) {

  /** {@link #histogramLevel} value that picks the variant's best level. */
  public static final String AUTO_LEVEL = "auto";

  public ReportOptions {
    Objects.requireNonNull(generated, "generated");
    Objects.requireNonNull(thumbnailLimits, "thumbnailLimits");
    requireText(title, "title");
    requireText(histogramVariant, "histogramVariant");
    requireText(histogramLevel, "histogramLevel");
    if (extremesPerSide < 1 || extremesPerSide > 50) {
      throw new IllegalArgumentException("extremesPerSide: expected 1..50, found " + extremesPerSide);
    }
    if (thumbnailPx < 16 || thumbnailPx > 512) {
      throw new IllegalArgumentException("thumbnailPx: expected 16..512, found " + thumbnailPx);
    }
  }

  /** Title "maha evaluation report", mvg at its best level, 6 + 6 thumbnails of 96 px. */
  public static ReportOptions defaults(OffsetDateTime generated) {
    return new ReportOptions("maha evaluation report", generated, "mvg", AUTO_LEVEL, 6, 96,
        DecodeLimits.DEFAULT);
  }

  public ReportOptions withTitle(String newTitle) {
    return new ReportOptions(newTitle, generated, histogramVariant, histogramLevel, extremesPerSide,
        thumbnailPx, thumbnailLimits);
  }

  /** Histograms, σ table and thumbnail grid for {@code variant} at level {@code level} (or {@link #AUTO_LEVEL}). */
  public ReportOptions withHistogram(String variant, String level) {
    return new ReportOptions(title, generated, variant, level, extremesPerSide, thumbnailPx,
        thumbnailLimits);
  }

  public ReportOptions withThumbnails(int perSide, int px) {
    return new ReportOptions(title, generated, histogramVariant, histogramLevel, perSide, px,
        thumbnailLimits);
  }

  private static void requireText(String s, String name) {
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException(name + ": expected non-blank text, found " + (s == null ? "null" : "''"));
    }
  }
}
