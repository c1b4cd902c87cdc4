package org.maha.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import org.maha.eval.MeanSem;

/** Locale-independent number formats shared by the charts, the HTML and the Markdown, so they show equal strings. */
final class Formats {
  private Formats() {}

  /** An AUROC or rate in [0, 1] as a percentage with one decimal, as {@code EvaluationReport.toMarkdown}. */
  /** A pixel metric in % with two decimals, or a dash when undefined (no defect pixel, or no good one). */
  static String pixelPct(java.util.OptionalDouble x) {
    return x.isPresent() ? String.format(Locale.ROOT, "%.2f", 100 * x.getAsDouble()) : "—";
  }

  static String pct(double x) {
    return String.format(Locale.ROOT, "%.1f", 100 * x);
  }

  /** Mean ± SEM in %, or the mean alone when the SEM is undefined (one category), as {@code toMarkdown}. */
  static String cell(MeanSem m) {
    return Double.isNaN(m.sem()) ? pct(m.mean()) : pct(m.mean()) + " ± " + pct(m.sem());
  }

  /** A score or distance with 4 significant digits, plain notation between 1e-3 and 1e6. */
  static String score(double x) {
    if (!Double.isFinite(x)) {
      return Double.toString(x);
    }
    if (x == 0 || (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6)) {
      return new BigDecimal(x).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
    return String.format(Locale.ROOT, "%.3e", x);
  }

  /** A predicted rate in [0, 1] as a percentage with 3 significant digits (0.27 %, 0.00633 %). */
  static String smallPct(double x) {
    return new BigDecimal(100 * x).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }
}
