package org.maha.model;

import java.util.Locale;

/**
 * Which per-level model is fitted on the pooled features (PAPER.md §1.6, §2.1–2.3): the paper's multivariate
 * Gaussian, its baselines, or the Gaussian in a PCA / negated-PCA subspace.
 */
public sealed interface Variant {

  /** The id used on the command line and in model files: {@code mvg}, {@code l2}, {@code sed}, {@code pca:0.99}. */
  String id();

  /** Whether fitting needs every training row (PCA) rather than streaming sums. */
  default boolean needsRows() {
    return false;
  }

  /** Full Gaussian with Ledoit-Wolf covariance; Mahalanobis distance (the paper's method). */
  record Mvg() implements Variant {
    @Override
    public String id() {
      return "mvg";
    }
  }

  /** RMS Euclidean distance to the mean (PAPER §2.1). */
  record L2() implements Variant {
    @Override
    public String id() {
      return "l2";
    }
  }

  /** RMS standardised Euclidean distance: a diagonal Gaussian (PAPER §2.2). */
  record Sed() implements Variant {
    @Override
    public String id() {
      return "sed";
    }
  }

  /**
   * Gaussian on a subset of principal components (PAPER §2.3): the high-variance ones up to the variance
   * threshold (PCA) or the low-variance rest (NPCA, {@code negated}). Two rules choose the components:
   * <ul>
   *   <li>maha's ({@code pca:T}, {@code npca:T}, {@link PcaRule#MAHA}): the official selection, except that
   *       numerically null components (dead channels, and the null space the SVD returns when N ≤ D) are dropped,
   *       and NPCA keeps every component when the first alone holds more than T of the variance;
   *   <li>the official slice ({@code pca-official:T}, {@code npca-official:T}, {@link PcaRule#OFFICIAL}): exactly
   *       {@code compute_pca} of the
   *       paper's code, null components included, and NPCA with c = 0 keeps only the last component, as the
   *       published tables were computed.
   * </ul>
   */
  record Pca(double threshold, boolean negated, PcaRule rule) implements Variant {
    public Pca {
      if (!(threshold > 0 && threshold < 1)) {
        throw new IllegalArgumentException("variance threshold must be in (0, 1), got " + threshold);
      }
      java.util.Objects.requireNonNull(rule, "rule");
    }

    /** maha's rule. */
    public Pca(double threshold, boolean negated) {
      this(threshold, negated, PcaRule.MAHA);
    }

    /** Whether the components are the paper's exact slice. */
    public boolean official() {
      return rule == PcaRule.OFFICIAL;
    }

    @Override
    public String id() {
      return (negated ? "npca" : "pca") + rule.suffix() + ":" + threshold;
    }

    @Override
    public boolean needsRows() {
      return true;
    }
  }

  /** Which principal components a PCA/NPCA variant keeps (see {@link Pca}); one rule per experiment run. */
  enum PcaRule {
    /** maha's: null components left out; NPCA keeps all when the first component alone passes T. */
    MAHA(""),
    /** The paper's exact slice ({@code compute_pca}), to reproduce its published table. */
    OFFICIAL("-official");

    private final String suffix;

    PcaRule(String suffix) {
      this.suffix = suffix;
    }

    /** What the rule adds to a variant's kind: {@code npca-official:T}. */
    public String suffix() {
      return suffix;
    }

    /** The rule named {@code maha} or {@code official}. */
    public static PcaRule parse(String name) {
      return switch (name) {
        case "maha" -> MAHA;
        case "official" -> OFFICIAL;
        default -> throw new IllegalArgumentException("expected maha or official, got '" + name + "'");
      };
    }
  }

  /** Parses {@code mvg}, {@code l2}, {@code sed}, {@code pca:T}, {@code npca:T}, {@code pca-official:T}, {@code npca-official:T}. */
  static Variant parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    switch (s) {
      case "mvg":
        return new Mvg();
      case "l2":
        return new L2();
      case "sed":
        return new Sed();
      default:
        break;
    }
    int colon = s.indexOf(':');
    String kind = colon < 0 ? s : s.substring(0, colon);
    PcaRule rule = kind.endsWith(PcaRule.OFFICIAL.suffix()) ? PcaRule.OFFICIAL : PcaRule.MAHA;
    String base = kind.substring(0, kind.length() - rule.suffix().length());
    if (base.equals("pca") || base.equals("npca")) {
      if (colon < 0) {
        throw new IllegalArgumentException("variant '" + text + "' needs a variance threshold, e.g. " + kind + ":0.99");
      }
      double t;
      try {
        t = Double.parseDouble(s.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("variant '" + text + "': threshold is not a number");
      }
      return new Pca(t, base.equals("npca"), rule);
    }
    throw new IllegalArgumentException("unknown variant '" + text + "' (expected mvg, l2, sed, pca:T, npca:T, "
        + "pca-official:T or npca-official:T with 0 < T < 1)");
  }
}
