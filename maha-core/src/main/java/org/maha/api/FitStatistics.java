package org.maha.api;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.ejml.data.DMatrixRMaj;
import org.maha.backbone.BackboneSpec;
import org.maha.model.ImageSetDigest;
import org.maha.stats.ScatterStatistics;

/**
 * A partial fit that merges exactly: per backbone level, the count, mean, scatter matrix and the fourth-moment terms
 * of the Ledoit–Wolf shrinkage of some good images' features ({@link Detector#accumulate}). Statistics of disjoint
 * sets of images {@link #merge} (pairwise, Chan et al.) into the statistics of their union, in any order and
 * grouping, and {@link Detector#fit(FitStatistics, FitOptions)} fits from them the model a single fit on the union
 * gives (equal up to rounding). This is how a fit is spread over machines: each accumulates its share, ships
 * {@link #toBytes()} (D² + 2D + 2 numbers a level, independent of the number of images), and one merges and fits.
 * Immutable and safe to share between threads.
 */
public final class FitStatistics {
  private static final byte[] MAGIC = "MAHAFST2".getBytes(StandardCharsets.US_ASCII);
  /** The format before the image digest; still read (its statistics have no digest). */
  private static final byte[] MAGIC_1 = "MAHAFST1".getBytes(StandardCharsets.US_ASCII);
  /** Bounds of what {@link #fromBytes} accepts, checked before anything is allocated. */
  private static final int MAX_LEVELS = 64;
  private static final int MAX_DIM = 32_768;
  private static final int MAX_TEXT_BYTES = 1 << 16;
  /** Merged descriptions longer than this are summarised, so a tree of many merges stays small. */
  private static final int MAX_DESCRIPTION = 1000;

  private final String onnxSha256;
  private final String normalization;
  private final int inputSizePx;
  private final List<String> levelNames;
  private final List<Integer> levelDims;
  private final String description;
  /** One per level; empty when no image was accumulated. */
  private final List<ScatterStatistics> levels;
  /** The digest of the images (count = {@link #images()}); null when unknown (read from the format without it). */
  private final ImageSetDigest digest;

  private FitStatistics(String onnxSha256, String normalization, int inputSizePx, List<String> levelNames,
      List<Integer> levelDims, String description, List<ScatterStatistics> levels, ImageSetDigest digest) {
    this.onnxSha256 = onnxSha256;
    this.normalization = normalization;
    this.inputSizePx = inputSizePx;
    this.levelNames = List.copyOf(levelNames);
    this.levelDims = List.copyOf(levelDims);
    this.description = description;
    this.levels = List.copyOf(levels);
    this.digest = digest;
    if (digest != null && digest.count() != images()) {
      throw new IllegalArgumentException("the image digest counts " + digest.count() + " images, the statistics "
          + images());
    }
  }

  static FitStatistics of(BackboneSpec spec, String description, List<ScatterStatistics> levels,
      ImageSetDigest digest) {
    return new FitStatistics(spec.onnxSha256(), spec.normalization().id(), spec.inputSizePx(), spec.levelNames(),
        spec.levelDims(), description, levels, digest);
  }

  /**
   * The image-set digest of the images behind these statistics, as the fitted model's history records it: 64 hex
   * digits, the sum modulo 2²⁵⁶ of every image's content SHA-256 (of its width and height as 32-bit big-endian
   * integers, then its 8-bit RGB pixels row by row), so the same images give the same digest however they were
   * split, ordered or encoded.
   *
   * @return the digest, empty when unknown (statistics read from bytes of an earlier maha)
   */
  public java.util.Optional<String> imagesSha256() {
    return java.util.Optional.ofNullable(digest).map(ImageSetDigest::hex);
  }

  ImageSetDigest digest() {
    return digest;
  }

  /**
   * The number of images behind these statistics.
   *
   * @return the count, 0 for statistics of no image
   */
  public long images() {
    return levels.isEmpty() ? 0 : levels.get(0).n();
  }

  /**
   * The backbone's level names, in order, as {@link FittedModel#levels()}.
   *
   * @return the level names (unmodifiable)
   */
  public List<String> levels() {
    return levelNames;
  }

  /**
   * What the images are, as the fitted model's {@link FittedModel#trainedOn()} will say.
   *
   * @return the description
   */
  public String description() {
    return description;
  }

  /**
   * The same statistics described as {@code description}, e.g. the table a distributed fit read, since merged
   * parts only know their own descriptions.
   *
   * @param description what the images are
   * @return a copy with that description
   */
  public FitStatistics describedAs(String description) {
    requireText("description", description);
    return new FitStatistics(onnxSha256, normalization, inputSizePx, levelNames, levelDims, description, levels,
        digest);
  }

  /**
   * The statistics of the images behind {@code this} and {@code other} together, which must be disjoint sets (an
   * image in both counts twice). Exact and associative up to rounding; statistics of no image are the identity
   * (the other side is returned unchanged).
   *
   * @param other statistics accumulated with the same backbone (ONNX graph, levels, normalisation, input size)
   * @return the merged statistics
   * @throws MahaException when {@code other} comes from another backbone, saying what differs
   */
  public FitStatistics merge(FitStatistics other) throws MahaException {
    Objects.requireNonNull(other, "other");
    String why = null;
    if (!onnxSha256.equals(other.onnxSha256)) {
      why = "their backbones differ (ONNX sha256 " + abbrev(onnxSha256) + " vs " + abbrev(other.onnxSha256) + ")";
    } else if (!levelNames.equals(other.levelNames) || !levelDims.equals(other.levelDims)) {
      why = "their levels differ (" + levelNames + " " + levelDims + " vs " + other.levelNames + " "
          + other.levelDims + ")";
    } else if (!normalization.equals(other.normalization) || inputSizePx != other.inputSizePx) {
      why = "their input differs (" + normalization + ", " + inputSizePx + " px vs " + other.normalization + ", "
          + other.inputSizePx + " px)";
    }
    if (why != null) {
      throw new MahaException("fit statistics cannot be merged: " + why, null);
    }
    if (other.levels.isEmpty() && (other.digest != null || digest == null)) {
      return this;
    }
    if (levels.isEmpty() && (digest != null || other.digest == null)) {
      return other;
    }
    ImageSetDigest both = ImageSetDigest.mergeKnown(digest, other.digest);
    if (other.levels.isEmpty() || levels.isEmpty()) { // one side is empty but its digest unknown
      FitStatistics s = levels.isEmpty() ? other : this;
      return new FitStatistics(onnxSha256, normalization, inputSizePx, levelNames, levelDims, s.description,
          s.levels, both);
    }
    List<ScatterStatistics> merged = new ArrayList<>(levels.size());
    for (int i = 0; i < levels.size(); i++) {
      merged.add(levels.get(i).merge(other.levels.get(i)));
    }
    String d = description.equals(other.description) ? description : description + " + " + other.description;
    if (d.length() > MAX_DESCRIPTION) {
      d = "images of several parts";
    }
    return new FitStatistics(onnxSha256, normalization, inputSizePx, levelNames, levelDims, d, merged, both);
  }

  /**
   * These statistics as bytes, to ship to another machine and read back with {@link #fromBytes}: bit-exact, so a
   * model fitted from the bytes is the model fitted from {@code this}. The format: the ASCII magic
   * {@code MAHAFST2}; the backbone's ONNX SHA-256, normalisation, input size, the description; one byte, 1 when the
   * image digest ({@link #imagesSha256()}) follows as 32 big-endian bytes, 0 when unknown; the level count;
   * per level its name, dimension D, count n and, when n &gt; 0, the mean (D), the fourth-moment vector u (D), the
   * scalar q and the D × D scatter matrix (row-major); numbers are big-endian IEEE doubles and 64- or 32-bit
   * integers, texts a 32-bit byte length and UTF-8. {@link #fromBytes} also reads the format of maha 0.1
   * ({@code MAHAFST1}: no digest byte or digest).
   *
   * @return the bytes
   * @throws IllegalStateException when the statistics are too large for one Java array (over 2 GiB)
   */
  public byte[] toBytes() {
    List<byte[]> names = levelNames.stream().map(FitStatistics::utf8).toList();
    byte[] sha = utf8(onnxSha256);
    byte[] norm = utf8(normalization);
    byte[] desc = utf8(description);
    long size = MAGIC.length + 3L * 4 + sha.length + norm.length + desc.length + 4 + 4 + 1
        + (digest == null ? 0 : 32);
    for (int i = 0; i < levelNames.size(); i++) {
      long d = levelDims.get(i);
      size += 4 + names.get(i).length + 4 + 8 + (levels.isEmpty() ? 0 : (2 * d + 1 + d * d) * 8);
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("fit statistics of " + size + " bytes do not fit one Java array");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size);
    b.put(MAGIC);
    putText(b, sha);
    putText(b, norm);
    b.putInt(inputSizePx);
    putText(b, desc);
    b.put((byte) (digest == null ? 0 : 1));
    if (digest != null) {
      b.put(digest.bytes());
    }
    b.putInt(levelNames.size());
    for (int i = 0; i < levelNames.size(); i++) {
      putText(b, names.get(i));
      b.putInt(levelDims.get(i));
      if (levels.isEmpty()) {
        b.putLong(0);
        continue;
      }
      ScatterStatistics s = levels.get(i);
      b.putLong(s.n());
      b.asDoubleBuffer().put(s.mean());
      b.position(b.position() + 8 * s.dim());
      b.asDoubleBuffer().put(s.u());
      b.position(b.position() + 8 * s.dim());
      b.putDouble(s.q());
      double[] t = s.scatter().data;
      b.asDoubleBuffer().put(t, 0, s.dim() * s.dim());
      b.position(b.position() + 8 * s.dim() * s.dim());
    }
    return b.array();
  }

  /**
   * Reads statistics written by {@link #toBytes()}, e.g. received from another machine: sizes and counts are checked
   * against the bytes before anything is allocated, and the statistics themselves (finite values, a symmetric
   * scatter with a non-negative diagonal, equal counts in every level) before they are trusted.
   *
   * @param bytes the bytes
   * @return the statistics
   * @throws MahaException when the bytes are not fit statistics, are truncated or inconsistent
   */
  public static FitStatistics fromBytes(byte[] bytes) throws MahaException {
    Objects.requireNonNull(bytes, "bytes");
    ByteBuffer b = ByteBuffer.wrap(bytes);
    try {
      byte[] magic = new byte[MAGIC.length];
      b.get(magic);
      boolean v1 = java.util.Arrays.equals(magic, MAGIC_1);
      if (!v1 && !java.util.Arrays.equals(magic, MAGIC)) {
        throw bad("not maha fit statistics (no MAHAFST2 or MAHAFST1 header)");
      }
      String sha = text(b, "backbone hash");
      String norm = text(b, "normalisation");
      int inputSize = b.getInt();
      String desc = text(b, "description");
      byte[] digestSum = null;
      if (!v1) {
        byte flag = b.get();
        if (flag != 0 && flag != 1) {
          throw bad("image digest flag " + flag + " is neither 0 nor 1");
        }
        if (flag == 1) {
          digestSum = new byte[32];
          b.get(digestSum);
        }
      }
      int nLevels = b.getInt();
      if (nLevels < 1 || nLevels > MAX_LEVELS) {
        throw bad("level count " + nLevels + " is outside 1.." + MAX_LEVELS);
      }
      List<String> names = new ArrayList<>();
      List<Integer> dims = new ArrayList<>();
      List<ScatterStatistics> stats = new ArrayList<>();
      long n0 = -1;
      for (int l = 0; l < nLevels; l++) {
        names.add(text(b, "level name"));
        int d = b.getInt();
        if (d < 1 || d > MAX_DIM) {
          throw bad("level " + l + " dimension " + d + " is outside 1.." + MAX_DIM);
        }
        dims.add(d);
        long n = b.getLong();
        if (n < 0 || (n0 >= 0 && n != n0) || (n0 == 0 && n != 0)) {
          throw bad("level " + l + " counts " + n + " images, unlike the first level's " + Math.max(n0, 0));
        }
        n0 = n;
        if (n == 0) {
          continue;
        }
        long need = (2L * d + 1 + (long) d * d) * 8;
        if (need > b.remaining()) {
          throw bad("truncated: level " + l + " needs " + need + " more bytes, " + b.remaining() + " left");
        }
        double[] mean = new double[d];
        b.asDoubleBuffer().get(mean);
        b.position(b.position() + 8 * d);
        double[] u = new double[d];
        b.asDoubleBuffer().get(u);
        b.position(b.position() + 8 * d);
        double q = b.getDouble();
        DMatrixRMaj t = new DMatrixRMaj(d, d);
        b.asDoubleBuffer().get(t.data, 0, d * d);
        b.position(b.position() + 8 * d * d);
        stats.add(new ScatterStatistics(n, mean, t, u, q));
      }
      if (b.hasRemaining()) {
        throw bad(b.remaining() + " bytes after the last level");
      }
      ImageSetDigest digest = digestSum == null ? null
          : ImageSetDigest.of(stats.isEmpty() ? 0 : stats.get(0).n(), digestSum);
      if (digest != null && digest.count() == 0 && digest.sum().signum() != 0) {
        throw bad("the image digest of no image is not zero");
      }
      return new FitStatistics(sha, norm, inputSize, names, dims, desc, stats, digest);
    } catch (BufferUnderflowException e) {
      throw bad("truncated");
    } catch (IllegalArgumentException e) { // from the statistics' own checks: non-finite or asymmetric
      throw bad(e.getMessage());
    }
  }

  /** Refuses statistics accumulated with another backbone than {@code spec}, in one line. */
  void requireBackbone(BackboneSpec spec) throws MahaException {
    if (!spec.onnxSha256().equals(onnxSha256) || !spec.levelNames().equals(levelNames)
        || !spec.levelDims().equals(levelDims) || !spec.normalization().id().equals(normalization)
        || spec.inputSizePx() != inputSizePx) {
      throw new MahaException("fit statistics of " + description + " were accumulated with another backbone ("
          + abbrev(onnxSha256) + ", levels " + levelNames + ", " + normalization + ") than this detector's ("
          + abbrev(spec.onnxSha256()) + ", levels " + spec.levelNames() + ", " + spec.normalization().id() + ")", null);
    }
  }

  List<ScatterStatistics> levelStatistics() {
    return levels;
  }

  /** The count, levels and description, for logs. */
  @Override
  public String toString() {
    return "FitStatistics[" + images() + " images of " + description + ", levels " + levelNames + "]";
  }

  private static MahaException bad(String why) {
    return new MahaException("fit statistics: " + why, null);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void putText(ByteBuffer b, byte[] text) {
    b.putInt(text.length);
    b.put(text);
  }

  private static String text(ByteBuffer b, String what) throws MahaException {
    int len = b.getInt();
    if (len < 0 || len > MAX_TEXT_BYTES || len > b.remaining()) {
      throw bad(what + " of " + len + " bytes is out of bounds");
    }
    byte[] s = new byte[len];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static void requireText(String what, String s) {
    Objects.requireNonNull(s, what);
    if (utf8(s).length > MAX_TEXT_BYTES) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_TEXT_BYTES + " bytes");
    }
  }

  private static String abbrev(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
  }
}
