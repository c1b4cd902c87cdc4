package org.maha.image;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Differential fuzzing of the direct PNG decoder against the ImageIO path it replaces: for any bytes, both give the
 * same pixels, or both refuse with the same exception class and message (the direct decoder hands every file it does
 * not take, or finds damaged, to ImageIO, so any difference is a bug in it). Seeds: the cv2 fixture PNGs of
 * {@code decode/} (libpng's adaptive filters, every colour type and depth; copied from make_fixtures.py's output) and
 * {@link ImageDecoderFuzzTest}'s PNG seeds, in {@code src/test/resources/org/maha/image/PngDecoderFuzzTestInputs/};
 * {@code scripts/fuzz.sh 60 PngDecoderFuzzTest} fuzzes it.
 */
class PngDecoderFuzzTest {
  private static final DecodeLimits LIMITS = new DecodeLimits(1 << 20);
  private static final HeapBudget BUDGET = new HeapBudget(64L << 20);

  @FuzzTest(maxDuration = "20s")
  void agreesWithImageIo(byte[] data) {
    Object direct = outcome(data, true);
    Object imageIo = outcome(data, false);
    if (!direct.equals(imageIo)) { // RgbImage equality compares every pixel
      throw new AssertionError("direct PNG decoder: " + direct + "; ImageIO: " + imageIo);
    }
  }

  /** The image, or the refusal as text. */
  private static Object outcome(byte[] data, boolean direct) {
    try {
      return ImageDecoder.decode(data, LIMITS, BUDGET, direct);
    } catch (ImageDecodeException | ImageMemoryException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }
}
