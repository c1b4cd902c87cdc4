package org.maha.pipeline;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
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

  /**
   * Images to run, by index: files, or pictures already in memory (e.g. a data set read from IDX files); or, with
   * {@link #size()} {@link #UNKNOWN_SIZE}, a stream read once through {@link #items()} ({@link StreamedImages}).
   */
  public interface ImageSource {
    /** {@link #size()} of a stream, whose images are only known by reading them. */
    int UNKNOWN_SIZE = -1;

    /** How many images, or {@link #UNKNOWN_SIZE} for a stream (which has only {@link #items()}). */
    int size();

    /** A name for image {@code i} in results and messages (a file path, or a made-up path for memory images). */
    Path name(int i);

    /** Image {@code i}, decoded. Called from decoding threads. */
    RgbImage decode(int i) throws InputException;

    /**
     * The images in order, as the extraction reads them: pulled one at a time on the calling thread, decoded on
     * the decoding threads. By default by index; a stream overrides it.
     */
    default Iterator<Item> items() {
      return new Iterator<>() {
        private int next;

        @Override
        public boolean hasNext() {
          return next < size();
        }

        @Override
        public Item next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          int i = next++;
          return new Item(name(i), () -> decode(i));
        }
      };
    }

    /**
     * This source's first {@code n} images at most (a stream is cut after {@code n}, so a caller that refuses more
     * than a bound reads no further than one past it).
     */
    default ImageSource firstOf(int n) {
      ImageSource all = this;
      int size = size() == UNKNOWN_SIZE ? UNKNOWN_SIZE : Math.min(size(), n);
      return new ImageSource() {
        @Override
        public int size() {
          return size;
        }

        @Override
        public Path name(int i) {
          return all.name(i);
        }

        @Override
        public RgbImage decode(int i) throws InputException {
          return all.decode(i);
        }

        @Override
        public Iterator<Item> items() {
          Iterator<Item> items = all.items();
          return new Iterator<>() {
            private int taken;

            @Override
            public boolean hasNext() {
              return taken < n && items.hasNext();
            }

            @Override
            public Item next() {
              if (!hasNext()) {
                throw new NoSuchElementException();
              }
              taken++;
              return items.next();
            }
          };
        }
      };
    }
  }

  /** One image of an {@link ImageSource#items()}: its name and how to decode it (on a decoding thread). */
  public record Item(Path name, Decoder decoder) {}

  /** Decodes one image. */
  @FunctionalInterface
  public interface Decoder {
    RgbImage decode() throws InputException;

    /**
     * The image decoded and preprocessed for the backbone; an image {@link #prepare prepared} ahead (on another
     * thread, e.g. a request's) overrides it to return its pixels, checking they were made by {@code p}.
     */
    default Prepared prepare(Preprocessing p) throws InputException {
      RgbImage image = decode();
      return new Prepared(p.apply(image), image.width(), image.height());
    }
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

  /** The resize and normalisation every image of this extractor gets. */
  public Preprocessing preprocessing() {
    return preprocessing;
  }

  /**
   * Decodes and preprocesses every image of {@code source} on the calling thread (an application's own thread, e.g.
   * a server's request thread, so that decoding runs beside another call's inference), in order.
   *
   * @param skipped receives the images left out as unreadable when {@code skipUnreadable}
   * @return the prepared images with their names, in input order
   * @throws InputException for the first unreadable image unless {@code skipUnreadable}
   */
  public List<Named> prepare(ImageSource source, boolean skipUnreadable, List<Skipped> skipped)
      throws InputException {
    List<Named> out = new ArrayList<>();
    for (Iterator<Item> it = source.items(); it.hasNext();) {
      Item item = it.next();
      try {
        out.add(new Named(item.name(), item.decoder().prepare(preprocessing)));
      } catch (InputException e) {
        if (!skipUnreadable) {
          throw e;
        }
        skipped.add(new Skipped(item.name(), e.problem()));
      }
    }
    return out;
  }

  /**
   * Images prepared ahead by {@link #prepare} (with {@code preprocessing}) as a source: the run only copies them
   * into its batches. Only for scoring: training augmentation, which decodes the source itself, refuses them.
   */
  public static ImageSource prepared(List<Named> images, Preprocessing preprocessing) {
    List<Named> copy = List.copyOf(images);
    return new ImageSource() {
      @Override
      public int size() {
        return copy.size();
      }

      @Override
      public Path name(int i) {
        return copy.get(i).name();
      }

      @Override
      public RgbImage decode(int i) {
        throw new UnsupportedOperationException("prepared images are for scoring only: they cannot be decoded again");
      }

      @Override
      public Iterator<Item> items() {
        return copy.stream().map(n -> new Item(n.name(), new Decoder() {
          @Override
          public RgbImage decode() {
            throw new UnsupportedOperationException("prepared images cannot be decoded again");
          }

          @Override
          public Prepared prepare(Preprocessing p) {
            if (!p.equals(preprocessing)) {
              throw new IllegalArgumentException("images prepared for " + preprocessing + " cannot run where " + p
                  + " is needed");
            }
            return n.prepared();
          }
        })).iterator();
      }
    };
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
    return extractAugmented(files(paths), augmentation, skipUnreadable, task, progress, sink);
  }

  /**
   * As {@link #extractAugmented(List, TrainAugmentation, boolean, String, ProgressListener, Sink)} for images of
   * any source (each is decoded once, so the source is read once however many passes).
   */
  public List<Skipped> extractAugmented(ImageSource images, TrainAugmentation augmentation, boolean skipUnreadable,
      String task, ProgressListener progress, Sink sink) throws Exception {
    int n = images.size();
    if (n == ImageSource.UNKNOWN_SIZE) {
      throw new IllegalArgumentException("augmentation reads each training image once per pass: give images that "
          + "can be read more than once (files, a folder or a list), not a stream");
    }
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
        return images.name(i % n);
      }

      @Override
      public RgbImage decode(int i) throws InputException {
        int index = i % n;
        RgbImage r = resized.get(index);
        if (r == null) { // two threads may both compute it; either result is the same
          r = OpenCvResize.linear(images.decode(index), size, size);
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
    return extract(source, skipUnreadable, task, progress, sink, new StageTimes());
  }

  /**
   * As {@link #extract(ImageSource, boolean, String, ProgressListener, Sink)}, adding each stage's time to
   * {@code times}.
   */
  public List<Skipped> extract(ImageSource source, boolean skipUnreadable, String task, ProgressListener progress,
      Sink sink, StageTimes times) throws Exception {
    return run(source, skipUnreadable, task, progress, times, b -> {
      int n = b.n();
      long t0 = System.nanoTime();
      double[][][] out = backbone.extract(b.input(n, preprocessing.floatsPerImage()), n);
      times.backbone(System.nanoTime() - t0);
      return () -> {
        long t1 = System.nanoTime();
        try {
          for (int i = 0; i < n; i++) {
            sink.accept(b.index()[i], b.name()[i], imageFeatures(out, i));
          }
        } finally {
          times.statistics(System.nanoTime() - t1);
        }
      };
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
    return run(source, skipUnreadable, task, progress, new StageTimes(), b -> {
      int n = b.n();
      FeatureMaps out = backbone.extractWithMaps(b.input(n, preprocessing.floatsPerImage()), n, levels);
      return () -> {
        for (int i = 0; i < n; i++) {
          float[][] maps = new float[levels.length][];
          for (int k = 0; k < levels.length; k++) {
            maps[k] = out.maps()[k][i];
          }
          sink.accept(b.index()[i], b.name()[i], imageFeatures(out.pooled(), i), maps, b.sizes()[2 * i],
              b.sizes()[2 * i + 1]);
        }
      };
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

  /**
   * One batch of preprocessed images, the first {@code n} of each array: their CHW floats, indices in the source,
   * names, and decoded width and height in turn.
   */
  private record Batch(float[] input, int[] index, Path[] name, int[] sizes, int n) {
    /** The first {@code n} images' floats, without a copy when the batch is full. */
    float[] input(int n, int chw) {
      return n * chw == input.length ? input : Arrays.copyOf(input, n * chw);
    }
  }

  /**
   * What a pipeline does with a batch, in two steps: inference ({@link #infer}: on an inference thread when the
   * backbone runs several calls at once) and delivery to the sink ({@link Delivery#deliver}: always on the calling
   * thread, batch after batch in the source's order, so sinks need not be thread-safe).
   */
  @FunctionalInterface
  private interface BatchRun {
    Delivery infer(Batch batch) throws Exception;
  }

  @FunctionalInterface
  private interface Delivery {
    void deliver() throws Exception;
  }

  /** An image ready for the backbone ({@link Preprocessing#apply}), with its decoded size. */
  public record Prepared(float[] chw, int width, int height) {}

  /** A prepared image and its name (a file path, or {@code frame-i}). */
  public record Named(Path name, Prepared prepared) {}

  /** The decode/batch loop shared by both extractions: decoding overlaps inference, memory bounded by a window. */
  private List<Skipped> run(ImageSource source, boolean skipUnreadable, String task, ProgressListener progress,
      StageTimes times, BatchRun batchRun) throws Exception {
    int count = source.size(); // UNKNOWN_SIZE for a stream
    boolean sized = count != ImageSource.UNKNOWN_SIZE;
    // sized to the work: scoring one frame (a camera loop) needs neither a 16-image buffer nor a pool of threads
    int batch = sized ? Math.max(1, Math.min(backbone.maxBatch(), count)) : backbone.maxBatch();
    int chw = 3 * backbone.spec().inputSizePx() * backbone.spec().inputSizePx();
    // images decoded ahead of inference: all that is held besides the batch, so a stream's memory is bounded
    int window = Math.max(2 * batch, 4 * decodeThreads);
    List<Skipped> skipped = new ArrayList<>();
    ExecutorService pool = sized && count <= 1 ? null
        : Executors.newFixedThreadPool(sized ? Math.min(decodeThreads, count) : decodeThreads, r -> {
          Thread t = new Thread(r, "maha-decode");
          t.setDaemon(true);
          return t;
        });
    Executor decode = pool != null ? pool : Runnable::run;
    // several inference calls at once (Backbone#parallelRuns): each batch its own arrays, delivered in order
    int workers = sized && count <= batch ? 1 : Math.max(1, backbone.parallelRuns());
    ExecutorService inference = workers == 1 ? null : Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "maha-infer");
      t.setDaemon(true);
      return t;
    });
    Deque<Future<Delivery>> inflight = new ArrayDeque<>();
    try {
      Iterator<Item> items = source.items();
      Deque<Pending> pending = new ArrayDeque<>();
      int done = 0;
      float[] input = new float[batch * chw];
      int[] batchIndex = new int[batch];
      Path[] batchName = new Path[batch];
      int[] sizes = new int[2 * batch];
      int inBatch = 0;
      long total = sized ? count : 0;
      progress.progress(task, 0, total);
      while (true) {
        while (pending.size() < window && items.hasNext()) {
          Item item = items.next();
          pending.add(new Pending(item.name(), CompletableFuture.supplyAsync(() -> {
            long t0 = System.nanoTime();
            try {
              return item.decoder().prepare(preprocessing);
            } catch (InputException e) {
              throw new CompletionException(e);
            } finally {
              times.decode(System.nanoTime() - t0);
            }
          }, decode)));
        }
        Pending head = pending.poll();
        if (head == null) {
          break;
        }
        int index = done++;
        Prepared chwData;
        try {
          chwData = head.chw().join();
        } catch (CompletionException e) {
          if (e.getCause() instanceof InputException ie && skipUnreadable) {
            skipped.add(new Skipped(head.name(), ie.problem()));
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
          batchIndex[inBatch] = index;
          batchName[inBatch++] = head.name();
        }
        boolean last = pending.isEmpty() && !items.hasNext();
        if (inBatch == batch || (last && inBatch > 0)) {
          Batch b = new Batch(input, batchIndex, batchName, sizes, inBatch);
          if (inference == null) {
            batchRun.infer(b).deliver();
          } else {
            inflight.add(inference.submit(() -> batchRun.infer(b)));
            input = new float[batch * chw];
            batchIndex = new int[batch];
            batchName = new Path[batch];
            sizes = new int[2 * batch];
            while (inflight.size() >= workers) {
              deliverOldest(inflight);
            }
          }
          inBatch = 0;
        }
        progress.progress(task, done, total);
      }
      while (!inflight.isEmpty()) {
        deliverOldest(inflight);
      }
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
      if (inference != null) {
        awaitCalls(inference);
      }
    }
    return skipped;
  }

  /** Waits for the oldest batch's inference and hands its features to the sink, or throws what it threw. */
  private static void deliverOldest(Deque<Future<Delivery>> inflight) throws Exception {
    Delivery d;
    try {
      d = inflight.poll().get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
    d.deliver();
  }

  /**
   * Stops {@code inference} and waits until no call is running, so that a caller may close the backbone once this
   * returns (a native call cannot be interrupted; each ends within one batch's time). Keeps an interrupt.
   */
  private static void awaitCalls(ExecutorService inference) {
    inference.shutdownNow();
    boolean interrupted = false;
    while (true) {
      try {
        if (inference.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** An image submitted for decoding: its name, and its preprocessed pixels once decoded. */
  private record Pending(Path name, CompletableFuture<Prepared> chw) {}
}
