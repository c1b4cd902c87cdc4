package org.maha.stats;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import dev.ludovic.netlib.lapack.NativeLAPACK;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_MT_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_MT_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.netlib.util.intW;

/**
 * The two O(D³)-class kernels of a fit, the scatter's rank-k update (BLAS-3 {@code dsyrk}) and the Cholesky
 * factorisation (LAPACK {@code dpotrf}), on the machine's native BLAS/LAPACK when one is found and in pure Java
 * otherwise, both in float64. A fit of N = 10⁴ rows at D = 1792 is about 3·10¹⁰ multiply-adds in the scatter:
 * an optimised BLAS (OpenBLAS, MKL) runs it 10-20× faster than plain Java loops, which is what numpy and
 * scikit-learn use. The bridge is {@code dev.ludovic.netlib} (the one Apache Spark uses, so maha-spark has one copy):
 * its JNI stub loads the system's {@code libblas.so.3} / {@code liblapack.so.3} (on Debian and Ubuntu OpenBLAS
 * when {@code libopenblas0} is installed), and without them maha uses EJML's multi-threaded kernels as before
 * (netlib's own pure-Java dsyrk and f2j dpotrf measured 3-4× and 1.3× slower than EJML's on 2 cores). Both give
 * the same results up to rounding (tested).
 *
 * <p>The system property {@code maha.blas=java} forces the pure-Java kernels (to compare, or where a native library
 * misbehaves). Small problems ({@code d <} {@value #NATIVE_MIN_DIM}) always run in Java: a JNI call and BLAS's
 * threads cost more than they save there, and many of them run at once in the per-position map fit.
 *
 * <p>Layout: matrices are row-major {@code double[d·d]}; a symmetric matrix is held by its lower triangle
 * (row-major), which is BLAS's column-major upper triangle of the same array.
 */
public final class Blas {
  /** From this dimension on, the native kernels are used when present. */
  static final int NATIVE_MIN_DIM = 64;

  /**
   * netlib reports which implementation it picked, and that its Vector-API variant is missing on every Java 17
   * run without {@code --add-modules jdk.incubator.vector}, as java.util.logging lines on stderr; maha-core never
   * prints, and {@link #description()} says the same thing. Only a level nobody has set is changed; the strong
   * reference keeps the setting (the logging framework holds loggers weakly).
   */
  private static final Logger NETLIB_LOG = quietNetlib();

  private static final boolean FORCED_JAVA = "java".equalsIgnoreCase(System.getProperty("maha.blas", ""));

  /** The native kernels, or null when no native BLAS and LAPACK could be loaded (or maha.blas=java). */
  static final Blas NATIVE = loadNative();
  /** The pure-Java kernels, always present. */
  static final Blas JAVA = new Blas(null, null);

  private final BLAS nativeBlas;
  private final LAPACK nativeLapack;

  private Blas(BLAS nativeBlas, LAPACK nativeLapack) {
    this.nativeBlas = nativeBlas;
    this.nativeLapack = nativeLapack;
  }

  /** The kernels for a D × D problem: native from {@value #NATIVE_MIN_DIM} on where available, else Java. */
  static Blas forDim(int d) {
    return NATIVE != null && d >= NATIVE_MIN_DIM ? NATIVE : JAVA;
  }

  /** Whether the native BLAS and LAPACK were loaded (and not turned off by {@code maha.blas=java}). */
  public static boolean isNative() {
    return NATIVE != null;
  }

  /** One line naming the kernels in use, e.g. for {@code maha bench}. */
  public static String description() {
    if (NATIVE != null) {
      return "native BLAS/LAPACK (" + System.getProperty("dev.ludovic.netlib.blas.nativeLib", "libblas.so.3")
          + ", " + System.getProperty("dev.ludovic.netlib.lapack.nativeLib", "liblapack.so.3") + ") from d >= "
          + NATIVE_MIN_DIM;
    }
    return "pure Java (EJML)"
        + (FORCED_JAVA ? ", maha.blas=java" : ", no native BLAS found");
  }

  boolean nativeKernels() {
    return nativeBlas != null;
  }

  /**
   * c += yᵀy on the lower triangle of {@code c} (d × d, row-major; the strict upper triangle is not touched), where
   * y is {@code rows} rows of length d, row-major, from {@code offset} in {@code y} (not modified).
   */
  void syrkLower(int d, int rows, double[] y, int offset, double[] c) {
    if (nativeBlas != null) {
      // row-major rows × d is column-major d × rows (lda = d): C += A·Aᵀ, column-major upper = row-major lower
      nativeBlas.dsyrk("U", "N", d, rows, 1.0, y, offset, d, 1.0, c, 0, d);
    } else if (d >= NATIVE_MIN_DIM) {
      // EJML's multi-threaded inner product: netlib's Java dsyrk measured 3-4x slower here (one thread)
      DMatrixRMaj block = DMatrixRMaj.wrap(rows, d, offset == 0 && y.length == rows * d
          ? y : java.util.Arrays.copyOfRange(y, offset, offset + rows * d));
      DMatrixRMaj product = new DMatrixRMaj(d, d);
      if (d >= 256) {
        CommonOps_MT_DDRM.multInner(block, product);
      } else {
        CommonOps_DDRM.multInner(block, product);
      }
      double[] p = product.data;
      for (int i = 0; i < d; i++) {
        int row = i * d;
        for (int j = 0; j <= i; j++) {
          c[row + j] += p[row + j];
        }
      }
    } else {
      for (int r = 0; r < rows; r++) {
        int off = offset + r * d;
        for (int i = 0; i < d; i++) {
          double yi = y[off + i];
          int row = i * d;
          for (int j = 0; j <= i; j++) {
            c[row + j] += yi * y[off + j];
          }
        }
      }
    }
  }

  /**
   * The lower Cholesky factor L of the symmetric positive definite {@code a} (d × d, row-major, both triangles set;
   * not modified) with a = L Lᵀ, zeros above the diagonal; null when the factorisation fails (not positive
   * definite).
   */
  DMatrixRMaj choleskyLower(DMatrixRMaj a) {
    int d = a.numRows;
    if (nativeLapack != null) {
      DMatrixRMaj l = a.copy();
      intW info = new intW(0);
      // column-major upper UᵀU of the same array = row-major lower L Lᵀ
      nativeLapack.dpotrf("U", d, l.data, 0, d, info);
      if (info.val != 0) {
        return null;
      }
      double[] v = l.data;
      for (int i = 0; i < d; i++) {
        java.util.Arrays.fill(v, i * d + i + 1, (i + 1) * d, 0.0);
      }
      return l;
    }
    // EJML's block Cholesky, multi-threaded for large d (1.7x on 2 cores at d = 1792), beats netlib's f2j dpotrf
    CholeskyDecomposition_F64<DMatrixRMaj> chol = d >= 256
        ? DecompositionFactory_MT_DDRM.chol(d, true)
        : DecompositionFactory_DDRM.chol(d, true);
    if (!chol.decompose(a.copy())) {
      return null;
    }
    return chol.getT(null);
  }

  private static Blas loadNative() {
    if (FORCED_JAVA) {
      return null;
    }
    try {
      return new Blas(NativeBLAS.getInstance(), NativeLAPACK.getInstance());
    } catch (RuntimeException | LinkageError e) {
      return null; // no libblas.so.3 / liblapack.so.3, an unsupported platform, or an unwritable temp folder
    }
  }

  private static Logger quietNetlib() {
    Logger log = Logger.getLogger("dev.ludovic.netlib");
    if (log.getLevel() == null) {
      log.setLevel(Level.SEVERE);
    }
    return log;
  }
}
