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
    if (id.startsWith("pca:")) {
      return "Gaussian on the high-variance principal components up to variance " + id.substring(4);
    }
    if (id.startsWith("npca:")) {
      return "Gaussian on the low-variance principal components beyond variance " + id.substring(5);
    }
    return "variant " + id;
  }
}
