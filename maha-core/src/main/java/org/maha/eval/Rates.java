package org.maha.eval;

/** False-positive rate (flagged normal / all normal) and true-positive rate (flagged anomalous / all anomalous). */
public record Rates(double fpr, double tpr) {}
