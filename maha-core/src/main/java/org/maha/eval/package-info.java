/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>The evaluation protocol of Rippel et al. (2020), PAPER.md §1.8: image-level AUROC with ties counted ½
 * ({@link org.maha.eval.Auroc}, equal to {@code sklearn.metrics.roc_auc_score}), the full ROC curve
 * ({@link org.maha.eval.Roc}), pixel AUROC and the PRO curve of anomaly maps ({@link org.maha.eval.PixelMetrics}), mean ± SEM over categories with ddof = 1 ({@link org.maha.eval.Summary}, as pandas
 * {@code .sem()}) and true/false-positive rates at a fixed threshold ({@link org.maha.eval.Thresholds}).
 *
 * <p>Labels are {@code boolean[] anomalous}: {@code true} for a defect image, {@code false} for {@code good}.
 * Scores must be finite (as scikit-learn requires); both classes must be present. Pure JDK, no state.
 */
package org.maha.eval;
