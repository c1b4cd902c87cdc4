package org.maha.pipeline;

import java.nio.file.Path;
import java.util.Optional;
import org.maha.data.LabeledImage;
import org.maha.data.MvtecLayout;
import org.maha.image.DecodeLimits;
import org.maha.image.RgbImage;

/**
 * Reads ground-truth masks of test images (MVTec layout, {@link MvtecLayout#maskPath}). A pixel is a defect when
 * any of its samples is non-zero, as the MVTec AD evaluation code reads them (it labels every non-zero pixel). Cost
 * is bounded before decoding: the file must meet {@code limits.maxFileBytes()} and the decoder is allowed no more
 * pixels than the test image has, so a small file claiming a huge size is refused from its header; its dimensions
 * must then equal the image's exactly. Every failure is one {@link InputException} naming the mask file.
 */
public final class MaskFiles {
  private MaskFiles() {}

  /**
   * The mask of {@code image} (a test image of the category folder {@code categoryRoot}, decoded as
   * {@code width × height}): row-major, true on defect pixels. A {@code good} image has no mask file and gets an
   * all-false mask.
   *
   * @throws InputException naming the mask if it is missing, unreadable, too large or of other dimensions
   */
  public static boolean[] read(Path categoryRoot, LabeledImage image, int width, int height, DecodeLimits limits)
      throws InputException {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image size must be positive, found " + width + " x " + height);
    }
    long pixels = (long) width * height;
    Optional<Path> file = MvtecLayout.maskPath(categoryRoot, image);
    if (file.isEmpty()) {
      return new boolean[Math.toIntExact(pixels)];
    }
    return read(file.get(), width, height, limits);
  }

  /**
   * The mask in {@code file}, which must be {@code width × height}: row-major, true where any sample is non-zero.
   *
   * @throws InputException naming the file if it is missing, unreadable, too large or of other dimensions
   */
  public static boolean[] read(Path file, int width, int height, DecodeLimits limits) throws InputException {
    long pixels = (long) width * height;
    if (width < 1 || height < 1 || pixels > limits.maxPixels()) {
      throw new IllegalArgumentException("image size " + width + " x " + height + " is outside the limits");
    }
    RgbImage mask;
    try {
      mask = ImageLoader.decode(file, new DecodeLimits(pixels, limits.maxFileBytes()));
    } catch (InputException e) {
      throw new InputException(file, "ground-truth mask for a " + width + "x" + height + " image: " + e.problem());
    }
    if (mask.width() != width || mask.height() != height) {
      throw new InputException(file, "ground-truth mask is " + mask.width() + "x" + mask.height()
          + ", its image is " + width + "x" + height);
    }
    byte[] rgb = mask.rgb();
    boolean[] out = new boolean[Math.toIntExact(pixels)];
    for (int i = 0; i < out.length; i++) {
      out[i] = (rgb[3 * i] | rgb[3 * i + 1] | rgb[3 * i + 2]) != 0;
    }
    return out;
  }
}
