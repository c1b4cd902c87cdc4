package org.maha.model;

import static org.assertj.core.api.Assertions.assertThat;

/** Array-by-array comparison of two models, for tests here and in maha-cli (through the test jar). */
public final class ModelAssertions {
  private ModelAssertions() {}

  /**
   * Every array of the two models equal to {@code relTol} relative (entrywise, against the largest entry of the
   * array): level means, covariances, Cholesky factors, standard deviations, shrinkage, counts, and the training
   * statistics (mean, scatter, u, q).
   *
   * @return the largest relative difference found over all arrays
   */
  public static double assertSameModel(GaussianAdModel actual, GaussianAdModel expected, double relTol) {
    assertThat(actual.variant()).isEqualTo(expected.variant());
    assertThat(actual.info().nTrain()).isEqualTo(expected.info().nTrain());
    assertThat(actual.levels()).hasSameSizeAs(expected.levels());
    double worst = 0;
    for (int i = 0; i < expected.levels().size(); i++) {
      String at = "level " + i + " ";
      LevelModel a = actual.levels().get(i);
      LevelModel e = expected.levels().get(i);
      assertThat(a.getClass()).isEqualTo(e.getClass());
      if (e instanceof LevelModel.Mvg em) {
        LevelModel.Mvg am = (LevelModel.Mvg) a;
        worst = Math.max(worst, assertClose(at + "mean", am.gaussian().mean(), em.gaussian().mean(), relTol));
        worst = Math.max(worst, assertClose(at + "covariance", am.gaussian().covariance().data,
            em.gaussian().covariance().data, relTol));
        worst = Math.max(worst, assertClose(at + "cholesky", am.gaussian().choleskyLower().data,
            em.gaussian().choleskyLower().data, relTol));
        worst = Math.max(worst, assertClose(at + "shrinkage", new double[] {am.shrinkage()},
            new double[] {em.shrinkage()}, relTol));
        assertThat(am.n()).isEqualTo(em.n());
      } else if (e instanceof LevelModel.L2 el) {
        worst = Math.max(worst, assertClose(at + "mean", ((LevelModel.L2) a).mean(), el.mean(), relTol));
        assertThat(((LevelModel.L2) a).n()).isEqualTo(el.n());
      } else if (e instanceof LevelModel.Sed es) {
        worst = Math.max(worst, assertClose(at + "mean", ((LevelModel.Sed) a).mean(), es.mean(), relTol));
        worst = Math.max(worst, assertClose(at + "std", ((LevelModel.Sed) a).std(), es.std(), relTol));
        assertThat(((LevelModel.Sed) a).n()).isEqualTo(es.n());
      } else {
        throw new AssertionError("no comparison for " + e.getClass());
      }
      var as = actual.statistics().levels().get(i);
      var es = expected.statistics().levels().get(i);
      assertThat(as.n()).isEqualTo(es.n());
      worst = Math.max(worst, assertClose(at + "statistics mean", as.mean(), es.mean(), relTol));
      worst = Math.max(worst, assertClose(at + "statistics scatter", as.scatter().data, es.scatter().data, relTol));
      worst = Math.max(worst, assertClose(at + "statistics u", as.u(), es.u(), relTol));
      worst = Math.max(worst, assertClose(at + "statistics q", new double[] {as.q()}, new double[] {es.q()}, relTol));
    }
    return worst;
  }

  /**
   * Every entry within {@code relTol} × max|expected| of its expected value. Reports the worst entry only (assertj's
   * element diff is quadratic, far too slow for a D × D matrix).
   */
  public static double assertClose(String what, double[] actual, double[] expected, double relTol) {
    assertThat(actual.length).as(what + " length").isEqualTo(expected.length);
    double scale = 0;
    for (double x : expected) {
      scale = Math.max(scale, Math.abs(x));
    }
    int worst = -1;
    double worstDiff = 0;
    for (int i = 0; i < expected.length; i++) {
      double diff = Math.abs(actual[i] - expected[i]);
      if (!(diff <= worstDiff)) {
        worst = i;
        worstDiff = diff;
      }
    }
    double rel = scale == 0 ? worstDiff : worstDiff / scale;
    assertThat(rel).as("%s: worst relative difference at index %d (%s vs %s)", what, worst,
        worst < 0 ? "-" : actual[worst], worst < 0 ? "-" : expected[worst]).isLessThanOrEqualTo(relTol);
    return rel;
  }
}
