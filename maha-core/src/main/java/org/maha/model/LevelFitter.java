package org.maha.model;

import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.maha.stats.CovarianceAccumulator;
import org.maha.stats.Distances;
import org.maha.stats.Gaussian;
import org.maha.stats.LedoitWolf;
import org.maha.stats.NotPositiveDefiniteException;
import org.maha.stats.Pca;
import org.maha.stats.PcaFit;
import org.maha.stats.ShrunkCovariance;

/** Turns one level's training statistics into a {@link LevelModel} for a given {@link Variant}. */
final class LevelFitter {
  private LevelFitter() {}

  /** Fits mvg, l2 or sed from streaming sums. */
  static LevelModel fit(Variant variant, CovarianceAccumulator acc, String level, List<String> warnings)
      throws FitException {
    requireTwo(acc.count(), level);
    if (variant instanceof Variant.Mvg) {
      return mvg(LedoitWolf.fit(acc), level, null);
    } else if (variant instanceof Variant.L2) {
      return new LevelModel.L2(acc.mean(), acc.count());
    } else if (variant instanceof Variant.Sed) {
      return sed(acc, level, warnings);
    }
    throw new IllegalArgumentException(variant.id() + " needs the training rows, not sums");
  }

  /** Fits any variant from the training rows (n × d). Not modified. */
  static LevelModel fitRows(Variant variant, double[][] rows, String level, List<String> warnings)
      throws FitException {
    requireTwo(rows.length, level);
    if (!(variant instanceof Variant.Pca p)) {
      CovarianceAccumulator acc = new CovarianceAccumulator(rows[0].length);
      for (double[] r : rows) {
        acc.add(r);
      }
      return fit(variant, acc, level, warnings);
    }
    PcaFit pca = Pca.fit(rows);
    int[] range = keptComponents(pca, p, rows.length, level, warnings);
    try {
      return fitSubspace(pca, range, rows, level + " (" + variant.id() + " subspace)");
    } catch (FitException e) {
      if (!p.official() || !allNull(pca.explainedVariance(), range)) {
        throw e;
      }
      // the official code's pinvh of a zero covariance: precision 0, distance 0 (LevelModel.Zero)
      warnings.add("level " + level + ": every component " + p.id() + " keeps has zero variance on the training "
          + "images; as in the official code (pinvh of a zero covariance) the level's distance is 0");
      return new LevelModel.Zero(rows[0].length, rows.length);
    }
  }

  private static boolean allNull(double[] variance, int[] range) {
    for (int k = range[0]; k < range[1]; k++) {
      if (!isNull(variance, k)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The Ledoit-Wolf Gaussian of {@code rows} projected on components [range[0], range[1]) of {@code pca}. Public
   * through {@link GaussianAdFitter#fitSubspace} so that a sweep over thresholds can reuse one PCA.
   */
  static LevelModel.Projected fitSubspace(PcaFit pca, int[] range, double[][] rows, String level)
      throws FitException {
    DMatrixRMaj all = pca.components();
    DMatrixRMaj kept = CommonOps_DDRM.extract(all, range[0], range[1], 0, all.numCols);
    double[] mean = pca.mean();
    double[][] projected = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      projected[i] = Pca.project(rows[i], mean, kept, 0, kept.numRows);
    }
    LevelModel.Mvg inner = mvg(LedoitWolf.fit(projected), level,
        "the " + kept.numRows + " kept principal component(s) have zero variance on the training images"
            + " (try another threshold, or mvg)");
    return new LevelModel.Projected(mean, kept, range[0], pca.explainedVarianceRatio().length, inner);
  }

  /**
   * The components a PCA/NPCA level keeps, {fromInclusive, toExclusive}. With {@code p.official()} exactly the
   * official slice of PAPER §2.3 ({@link Pca#selectComponents}); a single kept component (NPCA with c = 0 keeps
   * only the last one) is reported as a warning. Otherwise maha's rule: the official selection with two
   * departures that only matter in degenerate cases, both reported as warnings: (1) when the first component alone
   * exceeds the threshold (c = 0) NPCA keeps every component instead of the official slice {@code [-1:]} (only the
   * last one); (2) numerically null components (variance ≤ {@link #NULL_VARIANCE} of the largest: dead channels,
   * or the null space when N ≤ D) are dropped, since their directions are arbitrary and carry no variance to model.
   */
  static int[] keptComponents(PcaFit pca, Variant.Pca p, int n, String level, List<String> warnings) {
    double[] ratio = pca.explainedVarianceRatio();
    double[] variance = pca.explainedVariance();
    int total = ratio.length;
    int[] range = Pca.selectComponents(ratio, p.threshold(), p.negated());
    if (p.official()) {
      if (p.negated() && total > 1 && range[1] - range[0] == 1) {
        warnings.add("level " + level + ": " + p.id() + " keeps only the last principal component"
            + (isNull(variance, total - 1) ? ", which has zero variance on the training images" : "")
            + ": the first alone holds more than " + p.threshold() + " of the variance (official slice [c-1:], c = 0)");
      }
      return range;
    }
    if (p.negated() && total > 1 && ratio[0] > p.threshold()) {
      warnings.add("level " + level + ": the first principal component alone holds more than " + p.threshold()
          + " of the variance; NPCA keeps all components (the official rule would keep only the last)");
      range = new int[] {0, total};
    }
    int to = range[1];
    while (to > range[0] + 1 && isNull(variance, to - 1)) {
      to--;
    }
    // with n ≤ d the last d-(n-1) components are null by construction: expected, not worth a warning
    int expectedNull = Math.max(0, total - (n - 1));
    if (range[1] - to > expectedNull) {
      warnings.add("level " + level + ": " + (range[1] - to) + " numerically null principal component(s) left out of "
          + p.id());
    }
    return new int[] {range[0], to};
  }

  /** Variance, relative to the largest, at or below which a component counts as numerically null. */
  static final double NULL_VARIANCE = 1e-12;

  /** Whether component {@code k} is numerically null: variance ≤ {@link #NULL_VARIANCE} of the first. */
  static boolean isNull(double[] variance, int k) {
    return !(variance[k] > NULL_VARIANCE * variance[0]);
  }

  /** @param constantWhy what to say when the features have zero variance (null: the default message) */
  private static LevelModel.Mvg mvg(ShrunkCovariance lw, String level, String constantWhy) throws FitException {
    try {
      return new LevelModel.Mvg(Gaussian.of(lw.mean(), lw.covariance()), lw.shrinkage(), lw.n());
    } catch (NotPositiveDefiniteException e) {
      String why = lw.traceMean() != 0 ? "shrunk covariance is not positive definite"
          : constantWhy != null ? constantWhy
          : "the features are constant over all " + lw.n() + " training images (zero variance)";
      throw new FitException("level " + level + ": " + why + " (n=" + lw.n() + ", d=" + lw.mean().length
          + "); cannot fit a Gaussian");
    }
  }

  private static LevelModel sed(CovarianceAccumulator acc, String level, List<String> warnings)
      throws FitException {
    double[] std = Distances.unbiasedStd(acc);
    int zero = 0;
    for (double s : std) {
      if (s == 0) {
        zero++;
      }
    }
    if (zero == std.length) {
      throw new FitException("level " + level + ": every feature is constant over the " + acc.count()
          + " training images; SED is undefined");
    }
    if (zero > 0) {
      warnings.add("level " + level + ": " + zero + " of " + std.length
          + " features have zero variance and are left out of SED");
    }
    return new LevelModel.Sed(acc.mean(), std, acc.count());
  }

  private static void requireTwo(long n, String level) throws FitException {
    if (n < 2) {
      throw new FitException("level " + level + ": need at least 2 training images to fit a model, got " + n);
    }
  }
}
