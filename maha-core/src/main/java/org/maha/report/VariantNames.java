package org.maha.report;

/** One-line descriptions of the variant ids of {@code org.maha.model.Variant} (PAPER.md §1.6, §2.1–2.3). */
final class VariantNames {
  private VariantNames() {}

  static String describe(String id) {
    if (id.equals("mvg")) {
      return "multivariate Gaussian, Mahalanobis distance (the paper's method)";
    }
    if (id.equals("l2")) {
      return "RMS Euclidean distance to the mean";
    }
    if (id.equals("sed")) {
      return "RMS standardised distance (diagonal Gaussian)";
    }
    int colon = id.indexOf(':');
    String kind = colon < 0 ? id : id.substring(0, colon);
    String t = colon < 0 ? "" : id.substring(colon + 1);
    String rule = kind.endsWith("-official") ? " (official slice)" : "";
    if (kind.startsWith("pca")) {
      return "Gaussian on the high-variance principal components up to variance " + t + rule;
    }
    if (kind.startsWith("npca")) {
      return "Gaussian on the low-variance principal components beyond variance " + t + rule;
    }
    return "variant " + id;
  }

  /** Whether {@code id} is a PCA/NPCA variant under the official slice ({@code npca-official:T}). */
  static boolean official(String id) {
    return id.startsWith("pca-official:") || id.startsWith("npca-official:");
  }

  /** The component rule of a PCA/NPCA run, in words, for the report (see {@code org.maha.model.Variant.Pca}). */
  static String pcaRule(org.maha.model.Variant.PcaRule rule) {
    return rule == org.maha.model.Variant.PcaRule.OFFICIAL
        ? "Component rule: the official slice (variants pca-official:t / npca-official:t), exactly the paper's "
            + "compute_pca as the published table was computed: numerically null components (the null space when "
            + "a fold has fewer fit vectors than dimensions) are kept, and when the first component alone holds "
            + "more than t of the variance NPCA keeps only the last component."
        : "Component rule: maha's (variants pca:t / npca:t): the official selection, except that numerically null "
            + "components (zero variance on the fit vectors: the null space when a fold has fewer fit vectors "
            + "than dimensions, dead channels) are left out, and when the first component alone holds more than t "
            + "of the variance NPCA keeps every component. The paper's own slice is --pca-rule official.";
  }
}
