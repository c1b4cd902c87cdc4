package org.maha.pipeline;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.maha.augment.Augmenter;
import org.maha.backbone.Backbone;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.FeatureMaps;
import org.maha.image.DecodeLimits;
import org.maha.image.OpenCvResize;
import org.maha.image.Preprocessing;
import org.maha.image.RgbImage;

/**
 * Runs images through a backbone: decoding and resizing run on a small thread pool, ahead of the inference
 * thread, so the CPU-bound decode of 1024-px images overlaps with ONNX Runtime. Results come back in input
 * order. Does not own the backbone.
 */
public final class FeatureExtractor {

  /** Receives one image's pooled features, in input order. */
  @FunctionalInterface
  public interface Sink {
    void accept(int index, Path path, double[][] levelFeatures) throws Exception;
  }

  /**
   * Receives one image's pooled features and the maps of the requested levels (see
   * {@link #extractWithMaps}), in input order, with the size of the image as decoded (before resizing).
   */
  @FunctionalInterface
  public interface MapSink {
    void accept(int index, Path path, double[][] levelFeatures, float[][] levelMaps, int imageWidth,
        int imageHeight) throws Exception;
  }

  /** Images to run, by index: files, or pictures already in memory (e.g. a data set read from IDX files). */
  public interface ImageSource {
    int size();

    /** A name for image {@code i} in results and messages (a file path, or a made-up path for memory images). */
    Path name(int i);

    /** Image {@code i}, decoded. Called from decoding threads. */
    RgbImage decode(int i) throws InputException;
  }

  private final Backbone backbone;
  private final Preprocessing preprocessing;
  private final DecodeLimits limits;
  private final int decodeThreads;

  /**
   * @param decodeThreads threads for decoding and resizing (1 to {@link BackboneOptions#MAX_THREADS})
   */
  public FeatureExtractor(Backbone backbone, DecodeLimits limits, int decodeThreads) {
    this.backbone = backbone;
    this.preprocessing = new Preprocessing(backbone.spec().inputSizePx(), backbone.spec().normalization());
    this.limits = limits;
    this.decodeThreads = BackboneOptions.requireThreads("decodeThreads", decodeThreads, 1);
  }

  public Backbone backbone() {
    return backbone;
  }

  /**
   * Extracts features of {@code paths} in order.
   *
   * @param skipUnreadable if true, a file that cannot be decoded is reported in the result and left out; if
   *     false, the first such file stops the run with an {@link InputException}
   * @return the files skipped
   */
  public List<Skipped> extract(List<Path> paths, boolean skipUnreadable, String task, ProgressListener progress,
      Sink sink) throws Exception {
    return extract(files(paths), skipUnreadable, task, progress, sink);
  }

  /** {@code paths} as a source, each file read and decoded with this extractor's limits. */
  public ImageSource files(List<Path> paths) {
    return new ImageSource() {
      @Override
      public int size() {
        return paths.size();
      }

      @Override
      public Path name(int i) {
        return paths.get(i);
      }

      @Override
      public RgbImage decode(int i) throws InputException {
        return ImageLoader.decode(paths.get(i), limits);
      }
    };
  }

  /** The limits images of this extractor are decoded with; in-memory sources apply the same ones. */
  public DecodeLimits limits() {
    return limits;
  }

  /**
   * Features of {@code augmentation.passes()} augmented copies of each of {@code paths} (PAPER §1.9): the sink
   * gets index {@code pass * paths.size() + i}. Each file is decoded and resized once; the copies are made from
   * the resized image, as the official code augments its cached resize.
   *
   * @param skipUnreadable as in {@link #extract(List, boolean, String, ProgressListener, Sink)}; an unreadable
   *     file is reported once and none of its copies reach the sink
   * @return the files skipped
   */
  public List<Skipped> extractAugmented(List<Path> paths, TrainAugmentation augmentation, boolean skipUnreadable,
      String task, ProgressListener progress, Sink sink) throws Exception {
    int n = paths.size();
    int size = preprocessing.inputSizePx();
    Augmenter augmenter = new Augmenter(augmentation.rules());
    AtomicReferenceArray<RgbImage> resized = new AtomicReferenceArray<>(n);
    List<Skipped> skipped = extract(new ImageSource() {
      @Override
      public int size() {
        return n * augmentation.passes();
      }

      @Override
      public Path name(int i) {
        return paths.get(i % n);
      }

      @Override
      public RgbImage decode(int i) throws InputException {
        int index = i % n;
        RgbImage r = resized.get(index);
        if (r == null) { // two threads may both compute it; either result is the same
          r = OpenCvResize.linear(ImageLoader.decode(paths.get(index), limits), size, size);
          resized.set(index, r);
        }
        return augmentation.apply(augmenter, r, i / n, index);
      }
    }, skipUnreadable, task, progress, sink);
    List<Skipped> once = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    for (Skipped sk : skipped) {
      if (seen.add(sk.path())) {
        once.add(sk);
      }
    }
    return once;
  }

  /** Extracts features of every image of {@code source}, in order. See {@link #extract(List, boolean, String,
   * ProgressListener, Sink)}. */
  public List<Skipped> extract(ImageSource source, boolean skipUnreadable, String task, ProgressListener progress,
      Sink sink) throws Exception {
    return run(source, skipUnreadable, task, progress, (input, batchIndex, sizes, n) -> {
      int chw = preprocessing.floatsPerImage();
      double[][][] out = backbone.extract(n * chw == input.length ? input : Arrays.copyOf(input, n * chw), n);
      for (int i = 0; i < n; i++) {
        sink.accept(batchIndex[i], source.name(batchIndex[i]), imageFeatures(out, i));
      }
    });
  }

  /**
   * As {@link #extract(ImageSource, boolean, String, ProgressListener, Sink)}, and from the same inference run
   * the unpooled maps of the levels {@code mapLevels} ({@link Backbone#extractWithMaps}): pooled features are the
   * same, bit for bit. Each image's maps live only until its sink call returns unless the sink keeps them.
   */
  public List<Skipped> extractWithMaps(ImageSource source, int[] mapLevels, boolean skipUnreadable, String task,
      ProgressListener progress, MapSink sink) throws Exception {
    int[] levels = mapLevels.clone();
    return run(source, skipUnreadable, task, progress, (input, batchIndex, sizes, n) -> {
      int chw = preprocessing.floatsPerImage();
      FeatureMaps out =
          backbone.extractWithMaps(n * chw == input.length ? input : Arrays.copyOf(input, n * chw), n, levels);
      for (int i = 0; i < n; i++) {
        float[][] maps = new float[levels.length][];
        for (int k = 0; k < levels.length; k++) {
          maps[k] = out.maps()[k][i];
        }
        int b = batchIndex[i];
        sink.accept(b, source.name(b), imageFeatures(out.pooled(), i), maps, sizes[2 * i], sizes[2 * i + 1]);
      }
    });
  }

  /** Image {@code i}'s features out of {@code [level][image][feature]}. */
  private static double[][] imageFeatures(double[][][] out, int i) {
    double[][] levels = new double[out.length][];
    for (int l = 0; l < out.length; l++) {
      levels[l] = out[l][i];
    }
    return levels;
  }

  /** One batch of preprocessed images: {@code sizes} holds each image's decoded width and height in turn. */
  @FunctionalInterface
  private interface BatchRun {
    void run(float[] input, int[] batchIndex, int[] sizes, int n) throws Exception;
  }

  /** An image ready for the backbone, with its decoded size. */
  private record Prepared(float[] chw, int width, int height) {}

  private List<Skipped> run(ImageSource source, boolean skipUnreadable, String task, ProgressListener progress,
      BatchRun batchRun) throws Exception {
    int count = source.size();
    // sized to the work: scoring one frame (a camera loop) needs neither a 16-image buffer nor a pool of threads
    int batch = Math.max(1, Math.min(backbone.maxBatch(), count));
    int chw = 3 * backbone.spec().inputSizePx() * backbone.spec().inputSizePx();
    int window = Math.max(2 * batch, 4 * decodeThreads);
    List<Skipped> skipped = new ArrayList<>();
    ExecutorService pool = count <= 1 ? null : Executors.newFixedThreadPool(Math.min(decodeThreads, count), r -> {
      Thread t = new Thread(r, "maha-decode");
      t.setDaemon(true);
      return t;
    });
    Executor decode = pool != null ? pool : Runnable::run;
    try {
      Deque<CompletableFuture<Prepared>> pending = new ArrayDeque<>();
      int submitted = 0;
      int done = 0;
      float[] input = new float[batch * chw];
      int[] batchIndex = new int[batch];
      int[] sizes = new int[2 * batch];
      int inBatch = 0;
      progress.progress(task, 0, count);
      while (done < count) {
        while (submitted < count && pending.size() < window) {
          int i = submitted++;
          pending.add(CompletableFuture.supplyAsync(() -> {
            try {
              RgbImage image = source.decode(i);
              return new Prepared(preprocessing.apply(image), image.width(), image.height());
            } catch (InputException e) {
              throw new CompletionException(e);
            }
          }, decode));
        }
        int index = done++;
        Prepared chwData;
        try {
          chwData = pending.poll().join();
        } catch (CompletionException e) {
          if (e.getCause() instanceof InputException ie && skipUnreadable) {
            skipped.add(new Skipped(source.name(index), ie.problem()));
            chwData = null;
          } else if (e.getCause() instanceof Exception ex) {
            throw ex;
          } else {
            throw e;
          }
        }
        if (chwData != null) {
          System.arraycopy(chwData.chw(), 0, input, inBatch * chw, chw);
          sizes[2 * inBatch] = chwData.width();
          sizes[2 * inBatch + 1] = chwData.height();
          batchIndex[inBatch++] = index;
        }
        boolean last = done == count;
        if (inBatch == batch || (last && inBatch > 0)) {
          batchRun.run(input, batchIndex, sizes, inBatch);
          inBatch = 0;
        }
        progress.progress(task, done, count);
      }
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
    return skipped;
  }
}
