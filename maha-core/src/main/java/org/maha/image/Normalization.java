package org.maha.image;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How 8-bit RGB values become the backbone's float32 input. Each constant reproduces its reference library
 * operation by operation in float32 (Java {@code float} arithmetic is the same IEEE single precision as numpy's
 * float32 ufuncs), so the output is bitwise equal, not merely close. Values depend only on (channel, value),
 * so each constant precomputes a 3 &times; 256 table.
 */
public enum Normalization {
  /**
   * albumentations 0.4.3 {@code Normalize()} with the ImageNet mean (0.485, 0.456, 0.406) and std
   * (0.229, 0.224, 0.225), as the reference code uses it (PAPER.md &sect;1.3), verbatim in float32:
   * {@code m = f32(mean) * 255}, {@code s = f32(std) * 255}, {@code d = 1 / s}, {@code value = (p - m) * d},
   * every operation rounded to float32. The division form {@code (p - m) / s} differs in the last bit for
   * about one value in five.
   */
  IMAGENET("imagenet") {
    @Override
    float value(int channel, int p) {
      float m = IMAGENET_MEAN[channel] * 255f;
      float s = IMAGENET_STD[channel] * 255f;
      float d = 1f / s;
      return ((float) p - m) * d;
    }
  },
  /** Keras/TF MobileNet {@code preprocess_input} ("tf" mode): {@code p / 127.5 - 1} in float32, in [-1, 1]. */
  MINUS1_TO_1("minus1to1") {
    @Override
    float value(int channel, int p) {
      return (float) p / 127.5f - 1f;
    }
  };

  private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

  private final String id;

  Normalization(String id) {
    this.id = id;
  }

  /** t[c * 256 + p]: the normalised value of 8-bit value p in channel c. Shared, never modified. */
  private float[] table() {
    return Tables.LUTS[ordinal()];
  }

  /** The float32 value of 8-bit value {@code p} (0..255) in {@code channel} (0 = R). */
  abstract float value(int channel, int p);

  /** The identifier used on the command line and in model files: {@code "imagenet"}, {@code "minus1to1"}. */
  public String id() {
    return id;
  }

  /**
   * The constant whose {@link #id()} is {@code id}.
   *
   * @throws IllegalArgumentException naming the valid ids when none matches
   */
  public static Normalization parse(String id) {
    for (Normalization n : values()) {
      if (n.id.equals(id)) {
        return n;
      }
    }
    throw new IllegalArgumentException(
        "unknown normalization '" + id + "', expected one of "
            + Arrays.stream(values()).map(Normalization::id).collect(Collectors.joining(", ")));
  }

  /** The normalised value of 8-bit value {@code p} in {@code channel}, from the precomputed table. */
  public float apply(int channel, int p) {
    if (channel < 0 || channel > 2 || p < 0 || p > 255) {
      throw new IllegalArgumentException("channel must be 0..2 and p 0..255, got " + channel + ", " + p);
    }
    return table()[channel * 256 + p];
  }

  /**
   * Writes {@code img} normalised and channel-major into {@code dst[offset .. offset + 3*H*W)}: the R plane,
   * then G, then B, each row-major ({@code ToTensorV2}'s HWC &rarr; CHW).
   *
   * @param img    not modified
   * @param dst    modified in that range only
   * @param offset where the R plane starts (e.g. {@code i * 3*H*W} for the i-th image of a batch)
   */
  public void toChw(RgbImage img, float[] dst, int offset) {
    int hw = img.width() * img.height();
    if (offset < 0 || dst.length - (long) offset < 3L * hw) {
      throw new IllegalArgumentException(
          "dst needs " + 3L * hw + " floats from offset " + offset + " for a " + img.width() + " x "
              + img.height() + " image, has length " + dst.length);
    }
    float[] t = table();
    byte[] px = img.pixels();
    int g = offset + hw;
    int b = g + hw;
    for (int i = 0, j = 0; i < hw; i++, j += 3) {
      dst[offset + i] = t[px[j] & 0xff];
      dst[g + i] = t[256 + (px[j + 1] & 0xff)];
      dst[b + i] = t[512 + (px[j + 2] & 0xff)];
    }
  }

  /** Holder for the tables: enum constants cannot read their own static fields while being constructed. */
  private static final class Tables {
    static final float[][] LUTS = build();

    private static float[][] build() {
      Normalization[] all = values();
      float[][] luts = new float[all.length][];
      for (Normalization n : all) {
        float[] t = new float[3 * 256];
        for (int c = 0; c < 3; c++) {
          for (int p = 0; p < 256; p++) {
            t[c * 256 + p] = n.value(c, p);
          }
        }
        luts[n.ordinal()] = t;
      }
      return luts;
    }
  }
}
