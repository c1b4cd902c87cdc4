package org.maha.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.api.internal.ApiInternals;
import org.maha.image.TestFrames;
import org.maha.testing.SharedData;

/**
 * What one {@code score(model, Images.of(frame))} allocates on the Java heap, against the bound stated in
 * {@link Detector}'s Javadoc: {@code 6·W·H} (the frame as RGB bytes, decoded and copied once into the immutable
 * image) {@code + 27·S²} (the S×S resize, and its float input twice) {@code + 4·F} (the F feature-map values copied
 * out of ONNX Runtime before pooling) {@code + 128·ΣD} (pooled features and the distance's vectors, D per level)
 * {@code + 64 KiB}.
 * Measured with {@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)} on the calling thread, which
 * does all the Java work of a one-image call (no decode pool is started for one image).
 */
class ScoreAllocationTest {
  static final int W = 640;
  static final int H = 480;

  static long bound(int w, int h, int s, long featureValues, long sumOfDims) {
    return 6L * w * h + 27L * s * s + 4 * featureValues + 128 * sumOfDims + (64 << 10);
  }

  /** The smallest allocation of one score call over several runs, after warming up (JIT, class loading). */
  static long allocatedByOneScore(Detector detector, FittedModel model, BufferedImage frame) throws Exception {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    for (int i = 0; i < 30; i++) {
      detector.score(model, Images.of(frame));
    }
    long min = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      long before = mx.getThreadAllocatedBytes(id);
      detector.score(model, Images.of(frame));
      min = Math.min(min, mx.getThreadAllocatedBytes(id) - before);
    }
    return min;
  }

  /** F: the values of all level outputs for one image, as ONNX Runtime hands them over. */
  static long featureValues(Path onnx, List<String> levels, int s) throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(onnx, BackboneOptions.defaults().withLevels(levels))) {
      long f = 0;
      for (String level : levels) {
        f += b.rawOutput(level, new float[3 * s * s], 1)[0].length;
      }
      return f;
    }
  }

  static void check(Path onnx, List<String> levels) throws Exception {
    Detector.Builder builder = Detector.builder().onnx(onnx).threads(1);
    if (!levels.isEmpty()) {
      builder.levels(levels.toArray(String[]::new));
    }
    try (Detector detector = builder.build()) {
      FittedModel model = detector.fit(Images.of(StreamingImagesTest.frames(1, 6)));
      var spec = ApiInternals.model(model).info().backbone();
      int s = spec.inputSizePx();
      long dims = spec.levelDims().stream().mapToLong(Integer::longValue).sum();
      long f = featureValues(onnx, detector.levels(), s);
      for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_RGB}) {
        BufferedImage frame = TestFrames.ofType(TestFrames.argb(5, W, H, true), W, H, type);
        long bytes = allocatedByOneScore(detector, model, frame);
        long bound = bound(W, H, s, f, dims);
        System.out.printf("%s, %d x %d frame of type %d: %d bytes allocated, bound %d (S %d, F %d, sum D %d)%n",
            onnx.getFileName(), W, H, type, bytes, bound, s, f, dims);
        assertThat(bytes).as("type %d", type).isLessThanOrEqualTo(bound);
      }
    }
  }

  @Test
  void scoringOneVgaFrameOnTheTinyCnnAllocatesAtMostTheStatedBound() throws Exception {
    check(ApiFixtures.tinyCnn(), List.of("s1", "s2", "pooled"));
  }

  @Test
  void scoringOneVgaFrameOnMobileNetV2AllocatesAtMostTheStatedBound() throws Exception {
    check(SharedData.require("models/mobilenet_v2_imagenet_9taps.onnx"), List.of());
  }
}
