package org.maha.report;

/**
 * One σ of the χ²-threshold table (PAPER.md §2.5) for one category and level: the threshold, the false-positive
 * rate the Gaussian assumption predicts, and what was measured on the test images (flagged means distance
 * strictly above the threshold, as the official {@code pred > threshold}).
 */
record SigmaRow(int sigma, double threshold, double predictedFpr, int goodAbove, int good, int defectiveAbove,
    int defective) {

  double fpr() {
    return (double) goodAbove / good;
  }

  double tpr() {
    return (double) defectiveAbove / defective;
  }
}
