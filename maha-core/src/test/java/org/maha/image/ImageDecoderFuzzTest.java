package org.maha.image;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the image decoder (PNG, JPEG, BMP, TIFF through ImageIO, plus maha's own PNG chunk
 * walk and TIFF IFD checks): any bytes decode, or are refused with {@link ImageDecodeException}, or with
 * {@link ImageMemoryException} when the decode would need more than a small budget; never another exception, a
 * hang or an allocation beyond that budget. Seeds: one tiny file of each format
 * ({@code src/test/resources/org/maha/image/ImageDecoderFuzzTestInputs/}); {@code scripts/fuzz.sh} fuzzes it.
 */
class ImageDecoderFuzzTest {
  /** Small enough that a fuzzed header cannot make one execution slow: 2^20 pixels, 64 MiB. */
  private static final DecodeLimits LIMITS = new DecodeLimits(1 << 20);
  private static final HeapBudget BUDGET = new HeapBudget(64L << 20);

  @FuzzTest(maxDuration = "20s")
  void decodesOrRefuses(byte[] data) {
    try {
      RgbImage img = ImageDecoder.decode(data, LIMITS, BUDGET);
      if ((long) img.width() * img.height() > LIMITS.maxPixels()) {
        throw new AssertionError("decoded " + img.width() + " x " + img.height() + ", over the limit");
      }
    } catch (ImageDecodeException | ImageMemoryException expected) {
      if (expected.getMessage() == null || expected.getMessage().length() > 1000
          || expected.getMessage().lines().count() != 1) {
        throw new AssertionError("message not one line: " + expected.getMessage());
      }
    }
  }
}
