package org.maha.report;

import java.util.List;

/**
 * The paper's published numbers that exist (PAPER.md §3), shown beside ours for comparison only: they are
 * EfficientNet on MVTec AD, 5 folds, no augmentation, AUROC % ± SEM over the 15 categories, as transcribed by
 * anomasota (PAPER.md calls the transcription SECONDARY). Nothing is published for the L2/SED columns, the PCA/NPCA
 * table, the σ table, the ResNet table or any figure (PAPER.md §3.5), so nothing is shown for those.
 */
final class PublishedResults {
  private PublishedResults() {}

  /** Where the numbers come from, for the captions. */
  static final String SOURCE = "Rippel et al., published EfficientNet numbers on MVTec AD (5 folds, no "
      + "augmentation, AUROC % ± SEM over the 15 categories; anomasota transcription, PAPER.md §3.1–3.2)";

  /** Row labels: the paper's levels 1..9 are our zero-based L0..L8, then the sum (our "mean of levels"). */
  static final List<String> LEVELS = List.of("L0 (paper level 1)", "L1 (2)", "L2 (3)", "L3 (4)", "L4 (5)", "L5 (6)",
      "L6 (7)", "L7 (8)", "L8 (9)", "sum of all 9 levels");

  /** EfficientNet-B0..B7 column names of Table II. */
  static final List<String> ARCHS = List.of("B0", "B1", "B2", "B3", "B4", "B5", "B6", "B7");

  /** Table II (PAPER.md §3.2), [level row][arch]; the B4 column is Table I's MVG column (§3.1). */
  static final String[][] TABLE_II = {
    {"56.8 ± 6.0", "56.7 ± 6.0", "59.9 ± 6.1", "60.1 ± 6.3", "60.3 ± 6.1", "61.5 ± 6.2", "61.3 ± 6.3", "60.4 ± 6.2"},
    {"62.3 ± 5.7", "58.2 ± 6.0", "59.5 ± 5.7", "62.0 ± 6.2", "62.0 ± 6.4", "63.7 ± 6.5", "63.2 ± 6.4", "61.6 ± 7.0"},
    {"68.4 ± 6.0", "67.8 ± 6.1", "68.4 ± 5.9", "70.1 ± 6.2", "71.1 ± 5.4", "69.5 ± 6.2", "70.6 ± 5.7", "71.2 ± 5.8"},
    {"73.8 ± 5.4", "73.6 ± 5.7", "75.2 ± 5.2", "73.5 ± 5.6", "75.6 ± 5.5", "76.5 ± 5.4", "75.1 ± 5.9", "76.8 ± 5.2"},
    {"79.1 ± 5.3", "81.0 ± 4.8", "82.7 ± 4.9", "82.1 ± 5.1", "82.1 ± 4.6", "83.9 ± 4.3", "81.7 ± 4.8", "82.4 ± 4.8"},
    {"86.1 ± 4.1", "87.1 ± 3.9", "89.1 ± 3.6", "91.2 ± 2.8", "89.1 ± 3.1", "89.0 ± 3.0", "88.1 ± 3.1", "87.5 ± 3.6"},
    {"92.5 ± 2.3", "95.3 ± 1.4", "95.5 ± 1.4", "96.4 ± 1.2", "96.7 ± 1.0", "96.9 ± 1.2", "96.7 ± 1.1", "96.3 ± 1.6"},
    {"92.2 ± 2.5", "94.7 ± 1.5", "94.7 ± 1.6", "94.8 ± 1.7", "95.5 ± 1.1", "96.2 ± 1.2", "95.7 ± 1.0", "95.7 ± 1.3"},
    {"91.3 ± 3.0", "93.4 ± 2.0", "93.1 ± 2.0", "92.8 ± 2.1", "93.1 ± 1.7", "93.0 ± 1.9", "93.4 ± 1.5", "92.2 ± 1.8"},
    {"90.6 ± 3.2", "93.3 ± 2.2", "93.6 ± 2.1", "94.0 ± 2.2", "94.8 ± 1.6", "95.2 ± 1.6", "95.3 ± 1.2", "94.2 ± 1.8"},
  };

  /** Index of B4 in {@link #ARCHS}: Table I's published MVG column. */
  static final int B4 = 4;

  /** The headline (PAPER.md §3.3, §3.4): B4, all 9 levels, NPCA t = 0.99, WITH augmentation. */
  static final String HEADLINE = "The paper's headline, 95.8 ± 1.2 (ICPR abstract), is EfficientNet-B4, all 9 "
      + "levels, NPCA t = 0.99, with 100 augmented passes over the training images (PAPER.md §3.3); compare it with a "
      + "run of `maha experiment --augment 100` on EfficientNet-B4 (the protocol line above says whether this run "
      + "augmented). The paper's per-level PCA/NPCA table is not published "
      + "(PAPER.md §3.5).";
}
