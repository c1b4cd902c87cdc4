package org.maha.augment;

import java.util.SplittableRandom;
import org.maha.image.RgbImage;

/**
 * The training-set augmentation of Rippel et al. (2020), {@code detection_aug} in the official code
 * ({@code src/common/augmentation.py}, albumentations 0.4.3 + imgaug 0.2.6; PAPER.md &sect;1.9), made
 * reproducible: the official run is unseeded, here every random choice comes from a {@link SplittableRandom}
 * seeded by the caller, so the same image and seed give the same bytes on every machine and thread.
 *
 * <p>Applied to the resized S &times; S uint8 image, before normalisation. The whole chain runs with p 0.5
 * (otherwise the image is returned unchanged); inside it, in order:
 *
 * <ol>
 *   <li>with p 0.2 one of MotionBlur (kernel 3, 5 or 7) / MedianBlur 3 / Blur 3, chosen 2 : 1 : 1;
 *   <li>with p 0.3 one of CLAHE (clip U(1, 2), 8 &times; 8 tiles) / Sharpen (alpha U(0.2, 0.5), lightness
 *       U(0.5, 1)) / Emboss (alpha U(0.2, 0.5), strength U(0.2, 0.7)) / RandomBrightnessContrast (contrast
 *       1 + U(-0.2, 0.2), brightness U(-0.1, 0.2) &middot; 255), equally likely;
 *   <li>with p 0.3 HueSaturationValue: hue U(-10, 10), saturation U(-30, 30), value U(-10, 20);
 *   <li>if {@link AugmentationRules#noise()}, with p 0.2 additive Gaussian noise, sigma U(2.55, 7.65), the same
 *       for all channels or per channel, equally likely;
 *   <li>if {@link AugmentationRules#flip()}, with p 0.5 a horizontal flip;
 *   <li>if {@link AugmentationRules#rotate90()}, with p 0.5 {@code np.rot90} by 0..3 quarter turns;
 *   <li>with p 0.2 ShiftScaleRotate: shift U(-0.05, 0.05) of each side, scale U(0.95, 1.1), angle
 *       U(-15, 15) or U(-45, 45) degrees with {@link AugmentationRules#rotate45()}; without
 *       {@link AugmentationRules#backgroundEdge()} no shift and no rotation, but the scale still draws from
 *       U(0.95, 1.0), because the official code writes {@code scale_limit=(-0.05, 0.1 if background_edge else 0)}.
 * </ol>
 *
 * <p>Immutable and thread-safe; the input image is never modified.
 */
public final class Augmenter {
  /** Outer {@code Compose(p=0.5)}. */
  static final double P_ANY = 0.5;

  static final double P_BLUR = 0.2;
  static final double P_TONE = 0.3;
  static final double P_HSV = 0.3;
  static final double P_NOISE = 0.2;
  static final double P_FLIP = 0.5;
  static final double P_ROTATE90 = 0.5;
  static final double P_SHIFT_SCALE_ROTATE = 0.2;

  private final AugmentationRules rules;

  public Augmenter(AugmentationRules rules) {
    if (rules == null) {
      throw new IllegalArgumentException("rules must not be null");
    }
    this.rules = rules;
  }

  public AugmentationRules rules() {
    return rules;
  }

  /**
   * A seed for one image of one augmented pass, mixed SplitMix64-style from the user's seed, the pass and
   * the image index, so that neighbouring (pass, index) pairs get unrelated streams.
   *
   * @param pass zero-based augmented pass (0..99 for the paper's 100 passes), &ge; 0
   * @param index zero-based image index within the training set, &ge; 0
   */
  public static long seedFor(long userSeed, int pass, int index) {
    if (pass < 0 || index < 0) {
      throw new IllegalArgumentException("pass and index must be >= 0, got " + pass + ", " + index);
    }
    long z = mix64(userSeed);
    z = mix64(z + 0x9E3779B97F4A7C15L * (pass + 1L));
    return mix64(z ^ (0xC2B2AE3D27D4EB4FL * (index + 1L)));
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Augments one image. Deterministic in ({@code image}, {@code seed}).
   *
   * @param image the resized training image; not modified. Must be square when {@link
   *     AugmentationRules#rotate90()} is on, since a quarter turn would change its shape.
   * @return an image of the same size (the same instance when nothing was applied)
   */
  public RgbImage apply(RgbImage image, long seed) {
    if (image == null) {
      throw new IllegalArgumentException("image must not be null");
    }
    if (rules.rotate90() && image.width() != image.height()) {
      throw new IllegalArgumentException("augmentation with 90-degree rotations needs a square image, got "
          + image.width() + " x " + image.height());
    }
    SplittableRandom rng = new SplittableRandom(seed);
    if (rng.nextDouble() >= P_ANY) {
      return image;
    }
    RgbImage img = image;
    if (rng.nextDouble() < P_BLUR) {
      img = blur(img, rng);
    }
    if (rng.nextDouble() < P_TONE) {
      img = tone(img, rng);
    }
    if (rng.nextDouble() < P_HSV) {
      double dh = uniform(rng, -10, 10);
      double ds = uniform(rng, -30, 30);
      double dv = uniform(rng, -10, 20);
      img = Ops.hueSaturationValue(img, dh, ds, dv);
    }
    if (rules.noise() && rng.nextDouble() < P_NOISE) {
      boolean perChannel = rng.nextBoolean();
      double scale = uniform(rng, 0.01 * 255, 0.03 * 255);
      img = Ops.gaussianNoise(img, rng, scale, perChannel);
    }
    if (rules.flip() && rng.nextDouble() < P_FLIP) {
      img = Ops.hflip(img);
    }
    if (rules.rotate90() && rng.nextDouble() < P_ROTATE90) {
      img = Ops.rot90(img, rng.nextInt(4));
    }
    if (rng.nextDouble() < P_SHIFT_SCALE_ROTATE) {
      double limit = rules.backgroundEdge() ? (rules.rotate45() ? 45 : 15) : 0;
      double shift = rules.backgroundEdge() ? 0.05 : 0;
      double angle = uniform(rng, -limit, limit);
      double scale = uniform(rng, 0.95, rules.backgroundEdge() ? 1.1 : 1.0);
      double dx = uniform(rng, -shift, shift);
      double dy = uniform(rng, -shift, shift);
      img = Ops.shiftScaleRotate(img, angle, scale, dx, dy);
    }
    return img;
  }

  /** OneOf{MotionBlur p .2, MedianBlur p .1, Blur p .1}: albumentations normalises the weights to 1/2, 1/4, 1/4. */
  private static RgbImage blur(RgbImage img, SplittableRandom rng) {
    double u = rng.nextDouble();
    if (u < 0.5) {
      int k = 3 + 2 * rng.nextInt(3);
      int x0 = rng.nextInt(k);
      int x1 = rng.nextInt(k);
      int y0;
      int y1;
      if (x0 == x1) {
        // random.sample(range(k), 2): two distinct rows
        y0 = rng.nextInt(k);
        y1 = rng.nextInt(k - 1);
        if (y1 >= y0) {
          y1++;
        }
      } else {
        y0 = rng.nextInt(k);
        y1 = rng.nextInt(k);
      }
      return Ops.motionBlur(img, Ops.motionKernel(k, x0, y0, x1, y1), k);
    }
    return u < 0.75 ? Ops.medianBlur3(img) : Ops.boxBlur(img, 3);
  }

  /** OneOf{CLAHE, IAASharpen, IAAEmboss, RandomBrightnessContrast}, all with the default p 0.5: 1/4 each. */
  private static RgbImage tone(RgbImage img, SplittableRandom rng) {
    switch (rng.nextInt(4)) {
      case 0:
        return Ops.clahe(img, uniform(rng, 1, 2), 8);
      case 1: {
        double alpha = uniform(rng, 0.2, 0.5);
        return Ops.sharpen(img, alpha, uniform(rng, 0.5, 1.0));
      }
      case 2: {
        double alpha = uniform(rng, 0.2, 0.5);
        return Ops.emboss(img, alpha, uniform(rng, 0.2, 0.7));
      }
      default: {
        double contrast = 1.0 + uniform(rng, -0.2, 0.2);
        return Ops.brightnessContrast(img, contrast, uniform(rng, -0.1, 0.2));
      }
    }
  }

  /** Python's {@code random.uniform(a, b)}: {@code a + (b - a) * random()}. */
  private static double uniform(SplittableRandom rng, double a, double b) {
    return a + (b - a) * rng.nextDouble();
  }

  @Override
  public String toString() {
    return "Augmenter[" + rules.describe() + "]";
  }
}
