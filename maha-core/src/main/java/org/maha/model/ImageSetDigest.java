package org.maha.model;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A digest of a set of images that does not depend on their order or on how they were split: the count, and the
 * sum modulo 2²⁵⁶ of every image's content SHA-256 ({@link org.maha.image.RgbImage#contentSha256()}, read as a
 * 256-bit big-endian unsigned integer). Summing rather than hashing a concatenation makes it a multiset hash: the
 * images of a fit spread over any number of partitions or machines, merged in any tree, give the digest of one
 * process reading them all, and an image present twice counts twice (unlike XOR, where two copies cancel). It
 * identifies training images for provenance (which images went into a model, is this the same set); it is not meant
 * to resist someone forging a set with a chosen digest.
 *
 * <p>Immutable. Written in a model's history as {@code images} (the count) and {@code imagesSha256} (64 lower-case
 * hex digits of the sum).
 *
 * @param count images behind the digest, &ge; 0
 * @param sum the sum of their content hashes modulo 2²⁵⁶, in [0, 2²⁵⁶)
 */
public record ImageSetDigest(long count, BigInteger sum) {
  private static final BigInteger MODULUS = BigInteger.ONE.shiftLeft(256);
  /** The digest of no image. */
  public static final ImageSetDigest EMPTY = new ImageSetDigest(0, BigInteger.ZERO);

  public ImageSetDigest {
    Objects.requireNonNull(sum, "sum");
    if (count < 0) {
      throw new IllegalArgumentException("an image-set digest counts >= 0 images, got " + count);
    }
    if (sum.signum() < 0 || sum.compareTo(MODULUS) >= 0) {
      throw new IllegalArgumentException("an image-set digest's sum must lie in [0, 2^256)");
    }
  }

  /** This set with one more image, whose content SHA-256 is {@code imageSha256} (32 bytes). */
  public ImageSetDigest plus(byte[] imageSha256) {
    if (imageSha256.length != 32) {
      throw new IllegalArgumentException("an image's SHA-256 has 32 bytes, got " + imageSha256.length);
    }
    return new ImageSetDigest(Math.addExact(count, 1), sum.add(new BigInteger(1, imageSha256)).mod(MODULUS));
  }

  /** The digest of both sets together (their images counted as many times as they appear in either). */
  public ImageSetDigest merge(ImageSetDigest other) {
    return new ImageSetDigest(Math.addExact(count, other.count), sum.add(other.sum).mod(MODULUS));
  }

  /** The sum as 64 lower-case hex digits, as the manifest writes it. */
  public String hex() {
    return HexFormat.of().formatHex(bytes());
  }

  /** The sum as 32 big-endian bytes. */
  public byte[] bytes() {
    byte[] raw = sum.toByteArray(); // minimal two's complement: up to 33 bytes (a leading 0 for the sign)
    byte[] out = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, out, 32 - n, n);
    return out;
  }

  /**
   * A digest as the manifest writes it.
   *
   * @throws IllegalArgumentException when {@code hex} is not 64 hex digits or {@code count} is negative
   */
  public static ImageSetDigest of(long count, String hex) {
    if (hex == null || hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("imagesSha256 must be 64 hex digits");
    }
    return new ImageSetDigest(count, new BigInteger(hex, 16));
  }

  /** A digest of {@code count} images whose sum is the 32 big-endian bytes {@code sum}. */
  public static ImageSetDigest of(long count, byte[] sum) {
    if (sum.length != 32) {
      throw new IllegalArgumentException("an image-set digest's sum has 32 bytes, got " + sum.length);
    }
    return new ImageSetDigest(count, new BigInteger(1, sum));
  }

  /** The merge of {@code a} and {@code b}, or null when either is unknown (null). */
  public static ImageSetDigest mergeKnown(ImageSetDigest a, ImageSetDigest b) {
    return a == null || b == null ? null : a.merge(b);
  }

  @Override
  public String toString() {
    return count + " images, sha256-sum " + hex();
  }
}
