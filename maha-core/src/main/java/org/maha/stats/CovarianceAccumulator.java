package org.maha.stats;

import org.ejml.data.DMatrixRMaj;

/**
 * Streaming, mergeable sufficient statistics for the mean and the Ledoit–Wolf shrinkage: the count n, the mean,
 * the scatter T = Σ z zᵀ, q = Σ ‖z‖⁴ and u = Σ ‖z‖² z, all about the current mean (z = x − mean). Memory is
 * O(D²) whatever n, so a 100× augmented fit set never has to be held as an N × D matrix.
 *
 * <p>Rows are buffered and folded in blocks of {@value #BLOCK_ROWS} into sums about a fixed shift c, the mean of
 * the first block (two passes): y = x − c, S = Σ y yᵀ by one BLAS-3 rank-k update per block ({@code dsyrk}, native
 * when available: {@link Blas}), s = Σ y, Σ‖y‖² y and Σ‖y‖⁴ in O(rows·D). The shift keeps a large common offset
 * from cancelling (a naive Σxxᵀ − n x̄x̄ᵀ loses every digit when the mean is 10⁴ × the spread); the sums are moved
 * to the mean (T = S − n δδᵀ with δ = s/n, and u, q likewise) only when the statistics are read, or early when some
 * coordinate's mean has drifted from the shift by more than {@link #MAX_DRIFT} of its root mean square about it
 * (data whose mean moves along the stream), after which a new shift starts. Settled sets, and merged accumulators,
 * are combined exactly by shifting T, u and q to the combined mean (Chan, Golub &amp; LeVeque style). Merging is
 * exact up to rounding, so any split of the rows gives the same statistics.
 *
 * <p>Mutable and not thread-safe: use one accumulator per thread and {@link #merge} them.
 */
public final class CovarianceAccumulator {
  /** Rows per block: a rank-256 update runs a native dsyrk near its peak, and the buffer stays small. */
  static final int BLOCK_ROWS = 256;
  /**
   * Settle the shifted sums once n·δ_i² &gt; MAX_DRIFT · S_ii for some coordinate i: T_ii = S_ii − n·δ_i² then
   * loses at most a bit or two to cancellation. Rows drawn from one distribution stay near 1/BLOCK_ROWS.
   */
  static final double MAX_DRIFT = 0.5;

  private final int dim;
  // The settled rows, centred on their mean. scatter is allocated on first use.
  private long n;
  private final double[] mean;
  private DMatrixRMaj scatter;
  private final double[] u;
  private double q;

  // The rows folded since the last settle, as sums about `shift`; sumYY holds the lower triangle (row-major) of
  // S = Σ y yᵀ and is allocated on first use (the scatter's array is reused when nothing is settled yet).
  private long shiftedN;
  private final double[] shift;
  private final double[] sumY;
  private double[] sumYY;
  private final double[] sumNormY;
  private double sumNorm4;

  /**
   * Rows added but not yet folded into the statistics, row-major {@code bufferedRows × dim}; allocated on the first
   * {@link #add}, so an accumulator fed only by {@link #addBlock} (one per map position) holds just its statistics.
   */
  private double[] buffer;
  private int bufferedRows;
  private final Blas kernels;

  /** An empty accumulator for vectors of length {@code dim} (≥ 1). */
  public CovarianceAccumulator(int dim) {
    this(dim, null);
  }

  /** An empty accumulator on the given kernels (null: {@link Blas#forDim}); for tests comparing the kernels. */
  CovarianceAccumulator(int dim, Blas kernels) {
    if (dim < 1) {
      throw new IllegalArgumentException("dim must be >= 1, found " + dim);
    }
    this.dim = dim;
    this.mean = new double[dim];
    this.u = new double[dim];
    this.shift = new double[dim];
    this.sumY = new double[dim];
    this.sumNormY = new double[dim];
    this.kernels = kernels != null ? kernels : Blas.forDim(dim);
  }

  /**
   * An accumulator holding the rows behind {@code stats} (not modified): more rows can be added, or accumulators
   * merged, exactly as if the original rows were still here.
   */
  public static CovarianceAccumulator of(ScatterStatistics stats) {
    CovarianceAccumulator acc = new CovarianceAccumulator(stats.dim());
    acc.combine(stats.n(), stats.mean(), stats.scatter(), stats.u(), stats.q());
    return acc;
  }

  /** A frozen copy of the statistics of every row so far (at least one), e.g. to store in a model file. */
  public ScatterStatistics statistics() {
    settle();
    if (n == 0) {
      throw new IllegalStateException("an empty accumulator has no statistics");
    }
    return new ScatterStatistics(n, mean, scatter, u, q);
  }

  public int dim() {
    return dim;
  }

  /** Adds one row. {@code x} is not modified; its values must be finite. */
  public void add(double[] x) {
    checkRow(x);
    if (buffer == null) {
      buffer = new double[BLOCK_ROWS * dim];
    }
    System.arraycopy(x, 0, buffer, bufferedRows * dim, dim);
    bufferedRows++;
    if (bufferedRows == BLOCK_ROWS) {
      flush();
    }
  }

  /**
   * Adds {@code rows} rows at once: {@code data[offset .. offset + rows·dim)}, row-major (not modified; finite
   * values). The block is folded directly, as {@link #add} folds its buffer, so many small accumulators (one per
   * position of a feature map) stay as small as their statistics.
   */
  public void addBlock(double[] data, int offset, int rows) {
    if (rows < 1 || offset < 0 || (long) rows * dim > data.length - (long) offset) {
      throw new IllegalArgumentException("block of " + rows + " rows of " + dim + " at offset " + offset
          + " does not fit an array of " + data.length);
    }
    int end = offset + rows * dim;
    for (int i = offset; i < end; i++) {
      if (!Double.isFinite(data[i])) {
        throw new IllegalArgumentException("block value at row " + (i - offset) / dim + ", index " + (i - offset) % dim
            + " is not finite: " + data[i]);
      }
    }
    flush();
    foldShifted(data, offset, rows, new double[rows * dim]);
  }

  /** Folds {@code other}'s rows into this accumulator (modified). {@code other} is not modified. */
  public void merge(CovarianceAccumulator other) {
    if (other.dim != dim) {
      throw new IllegalArgumentException("cannot merge an accumulator of dim " + other.dim + " into dim " + dim);
    }
    if (other == this) {
      throw new IllegalArgumentException("cannot merge an accumulator into itself");
    }
    settle();
    if (other.n > 0) {
      combine(other.n, other.mean, other.scatter, other.u, other.q);
    }
    if (other.shiftedN > 0) {
      Centred c = centre(other.shiftedN, other.shift, other.sumY, other.sumYY.clone(), other.sumNormY,
          other.sumNorm4);
      combine(other.shiftedN, c.mean, DMatrixRMaj.wrap(dim, dim, c.scatter), c.u, c.q);
    }
    if (other.bufferedRows > 0) {
      foldShifted(other.buffer, 0, other.bufferedRows, new double[other.bufferedRows * dim]);
    }
  }

  /** Number of rows added (directly or by merging). */
  public long count() {
    return n + shiftedN + bufferedRows;
  }

  /** A copy of the mean; all zeros while {@link #count()} is 0. */
  public double[] mean() {
    settle();
    return mean.clone();
  }

  /** A copy of the scatter T = Σ (x − mean)(x − mean)ᵀ, D × D (the biased covariance is T / n). */
  public DMatrixRMaj scatter() {
    settle();
    return scatter == null ? new DMatrixRMaj(dim, dim) : scatter.copy();
  }

  /** q = Σ ‖x − mean‖⁴, the β̂ term of the Ledoit–Wolf shrinkage. */
  public double sumFourthPowerNorms() {
    settle();
    return q;
  }

  /** A copy of u = Σ ‖x − mean‖² (x − mean), needed only to merge q exactly. */
  double[] sumSquaredNormTimesCentered() {
    settle();
    return u.clone();
  }

  private void checkRow(double[] x) {
    if (x.length != dim) {
      throw new IllegalArgumentException("expected a row of length " + dim + ", found " + x.length);
    }
    for (int j = 0; j < dim; j++) {
      if (!Double.isFinite(x[j])) {
        throw new IllegalArgumentException("row value at index " + j + " is not finite: " + x[j]);
      }
    }
  }

  private void flush() {
    if (bufferedRows > 0) {
      int rows = bufferedRows;
      bufferedRows = 0;
      foldShifted(buffer, 0, rows, buffer); // the buffer is ours: y overwrites x in place
    }
  }

  /** Folds the buffer, then moves the shifted sums to the mean and combines them into the settled statistics. */
  private void settle() {
    flush();
    if (shiftedN == 0) {
      return;
    }
    double[] yy = sumYY;
    sumYY = null;
    Centred c = centre(shiftedN, shift, sumY, yy, sumNormY, sumNorm4);
    long rows = shiftedN;
    shiftedN = 0;
    java.util.Arrays.fill(sumY, 0.0);
    java.util.Arrays.fill(sumNormY, 0.0);
    sumNorm4 = 0;
    if (n == 0) { // take the arrays over: one D × D matrix in the usual add-then-read life
      n = rows;
      System.arraycopy(c.mean, 0, mean, 0, dim);
      scatter = DMatrixRMaj.wrap(dim, dim, c.scatter);
      System.arraycopy(c.u, 0, u, 0, dim);
      q = c.q;
    } else {
      combine(rows, c.mean, DMatrixRMaj.wrap(dim, dim, c.scatter), c.u, c.q);
    }
  }

  /**
   * Folds {@code rows} rows of {@code src} from {@code start} (not modified unless {@code work == src} with
   * {@code start == 0}) into the shifted sums; {@code work} (at least rows·dim) receives y = x − shift. The first
   * block after a settle sets the shift to its own mean.
   */
  private void foldShifted(double[] src, int start, int rows, double[] work) {
    if (shiftedN == 0) {
      blockMean(src, start, rows, shift);
    }
    if (sumYY == null) {
      sumYY = new double[dim * dim];
    }
    double norm4 = 0;
    for (int i = 0; i < rows; i++) {
      int off = start + i * dim;
      int yOff = i * dim;
      double norm2 = 0;
      for (int j = 0; j < dim; j++) {
        double v = src[off + j] - shift[j];
        work[yOff + j] = v;
        norm2 += v * v;
      }
      for (int j = 0; j < dim; j++) {
        double v = work[yOff + j];
        sumY[j] += v;
        sumNormY[j] += norm2 * v;
      }
      norm4 += norm2 * norm2;
    }
    sumNorm4 += norm4;
    kernels.syrkLower(dim, rows, work, 0, sumYY);
    shiftedN += rows;
    double nd = shiftedN;
    for (int j = 0; j < dim; j++) {
      if (sumY[j] * sumY[j] / nd > MAX_DRIFT * sumYY[j * dim + j]) {
        settle(); // the next block starts a new shift at its own mean
        return;
      }
    }
  }

  /** The mean of {@code rows} rows from {@code start} into {@code out}, corrected two-pass (not modified). */
  private void blockMean(double[] rowsData, int start, int rows, double[] out) {
    java.util.Arrays.fill(out, 0.0);
    for (int i = 0; i < rows; i++) {
      int off = start + i * dim;
      for (int j = 0; j < dim; j++) {
        out[j] += rowsData[off + j];
      }
    }
    for (int j = 0; j < dim; j++) {
      out[j] /= rows;
    }
    double[] correction = new double[dim];
    for (int i = 0; i < rows; i++) {
      int off = start + i * dim;
      for (int j = 0; j < dim; j++) {
        correction[j] += rowsData[off + j] - out[j];
      }
    }
    for (int j = 0; j < dim; j++) {
      out[j] += correction[j] / rows;
    }
  }

  /** Centred statistics of a set of rows: the mean, the full symmetric scatter (row-major d × d), u and q. */
  private record Centred(double[] mean, double[] scatter, double[] u, double q) {}

  /**
   * Moves sums about {@code c} (y = x − c; none modified except {@code yy}, whose lower triangle of S = Σ y yᵀ
   * becomes the full centred scatter) to the set's mean c + δ, δ = s/n: T = S − n δδᵀ,
   * u = Σ‖y‖²y − 2Sδ − tr(S)δ + 2n‖δ‖²δ, q = Σ‖y‖⁴ − 4δᵀΣ‖y‖²y + 4δᵀSδ + 2‖δ‖²tr(S) − 3n‖δ‖⁴
   * (the expansions of Σ‖y − δ‖²(y − δ) and Σ‖y − δ‖⁴ with Σy = nδ).
   */
  private Centred centre(long count, double[] c, double[] s, double[] yy, double[] normY, double norm4) {
    double nd = count;
    double[] delta = new double[dim];
    double deltaNorm2 = 0;
    for (int j = 0; j < dim; j++) {
      delta[j] = s[j] / nd;
      deltaNorm2 += delta[j] * delta[j];
    }
    // Sδ and tr(S) from the lower triangle, before S is overwritten
    double[] sDelta = new double[dim];
    double trace = 0;
    for (int i = 0; i < dim; i++) {
      int row = i * dim;
      double acc = 0;
      double di = delta[i];
      for (int j = 0; j < i; j++) {
        double v = yy[row + j];
        acc += v * delta[j];
        sDelta[j] += v * di;
      }
      double diag = yy[row + i];
      sDelta[i] += acc + diag * di;
      trace += diag;
    }
    double deltaSDelta = 0;
    double deltaNormY = 0;
    double[] uOut = new double[dim];
    for (int j = 0; j < dim; j++) {
      deltaSDelta += delta[j] * sDelta[j];
      deltaNormY += delta[j] * normY[j];
    }
    for (int j = 0; j < dim; j++) {
      uOut[j] = normY[j] - 2 * sDelta[j] - trace * delta[j] + 2 * nd * deltaNorm2 * delta[j];
    }
    double qOut = norm4 - 4 * deltaNormY + 4 * deltaSDelta + 2 * deltaNorm2 * trace
        - 3 * nd * deltaNorm2 * deltaNorm2;
    // T = S − n δδᵀ on the lower triangle, mirrored
    for (int i = 0; i < dim; i++) {
      int row = i * dim;
      double ndi = nd * delta[i];
      for (int j = 0; j <= i; j++) {
        yy[row + j] -= ndi * delta[j];
      }
    }
    mirrorLower(yy, dim);
    double[] meanOut = new double[dim];
    for (int j = 0; j < dim; j++) {
      meanOut[j] = c[j] + delta[j];
    }
    return new Centred(meanOut, yy, uOut, qOut);
  }

  /** Copies the lower triangle of a row-major d × d matrix onto its upper one, in cache-friendly tiles. */
  private static void mirrorLower(double[] a, int d) {
    final int tile = 64;
    for (int ib = 0; ib < d; ib += tile) {
      for (int jb = 0; jb <= ib; jb += tile) {
        int iEnd = Math.min(ib + tile, d);
        for (int i = ib; i < iEnd; i++) {
          int jEnd = Math.min(jb + tile, i);
          for (int j = jb; j < jEnd; j++) {
            a[j * d + i] = a[i * d + j];
          }
        }
      }
    }
  }

  /**
   * Combines the statistics of a second set (none modified) into this one. Both sets are shifted to the combined
   * mean: for a set centred at c with Σz = 0, moving the centre by δ (z' = z − δ) gives T' = T + nδδᵀ,
   * u' = u − 2Tδ − tr(T)δ − n‖δ‖²δ, q' = q + 4δᵀTδ + n‖δ‖⁴ − 4δᵀu + 2‖δ‖²tr(T).
   */
  private void combine(long nb, double[] meanB, DMatrixRMaj scatterB, double[] uB, double qB) {
    if (nb == 0) {
      return;
    }
    if (n == 0) {
      n = nb;
      System.arraycopy(meanB, 0, mean, 0, dim);
      scatter = scatterB.copy();
      System.arraycopy(uB, 0, u, 0, dim);
      q = qB;
      return;
    }
    long na = n;
    double total = (double) na + nb;
    double[] d = new double[dim];
    double[] deltaA = new double[dim];
    double[] deltaB = new double[dim];
    for (int j = 0; j < dim; j++) {
      d[j] = meanB[j] - mean[j];
      deltaA[j] = (nb / total) * d[j];
      deltaB[j] = -(na / total) * d[j];
    }
    double[] shiftedUA = u.clone();
    double shiftedQA = shift(na, scatter, shiftedUA, q, deltaA);
    double[] shiftedUB = uB.clone();
    double shiftedQB = shift(nb, scatterB, shiftedUB, qB, deltaB);

    // T = Ta + Tb + na δaδaᵀ + nb δbδbᵀ = Ta + Tb + (na nb / n) d dᵀ, filled symmetrically.
    double c = na * (nb / total);
    double[] t = scatter.data;
    double[] tb = scatterB.data;
    for (int i = 0; i < dim; i++) {
      int row = i * dim;
      for (int j = i; j < dim; j++) {
        double v = t[row + j] + tb[row + j] + c * (d[i] * d[j]);
        t[row + j] = v;
        t[j * dim + i] = v;
      }
    }
    for (int j = 0; j < dim; j++) {
      mean[j] += deltaA[j];
      u[j] = shiftedUA[j] + shiftedUB[j];
    }
    q = shiftedQA + shiftedQB;
    n = na + nb;
  }

  /** Shifts u (modified in place) and returns the shifted q of a set of {@code count} rows; T is not modified. */
  private double shift(long count, DMatrixRMaj t, double[] uToShift, double qOld, double[] delta) {
    double[] tDelta = new double[dim];
    double[] td = t.data;
    double trace = 0;
    for (int i = 0; i < dim; i++) {
      int row = i * dim;
      double s = 0;
      for (int j = 0; j < dim; j++) {
        s += td[row + j] * delta[j];
      }
      tDelta[i] = s;
      trace += td[row + i];
    }
    double deltaNorm2 = 0;
    double deltaTDelta = 0;
    double deltaU = 0;
    for (int j = 0; j < dim; j++) {
      deltaNorm2 += delta[j] * delta[j];
      deltaTDelta += delta[j] * tDelta[j];
      deltaU += delta[j] * uToShift[j];
    }
    double shiftedQ = qOld + 4 * deltaTDelta + count * deltaNorm2 * deltaNorm2 - 4 * deltaU
        + 2 * deltaNorm2 * trace;
    for (int j = 0; j < dim; j++) {
      uToShift[j] -= 2 * tDelta[j] + trace * delta[j] + count * deltaNorm2 * delta[j];
    }
    return shiftedQ;
  }
}
