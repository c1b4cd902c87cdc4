package org.maha.model;

import java.util.List;
import java.util.Objects;
import org.maha.stats.ScatterStatistics;

/**
 * What a model keeps so that it can learn more good images later without the old ones ({@code maha update},
 * {@code maha merge}): per level the exact, mergeable {@link ScatterStatistics} of its training features, and
 * the history of how those features were gathered. Only models whose fit follows from these statistics carry
 * them (mvg, l2, sed); a PCA/NPCA level's Gaussian needs the training rows themselves (see
 * {@link ModelUpdates}).
 *
 * <p>Immutable and thread-safe. A model read from a file carries its per-level statistics unread ({@link ModelFile}
 * defers them: they are most of a model file and scoring never needs them): they are read, verified and parsed
 * once, on the first {@link #load()} or {@link #levels()}, by whichever thread comes first. The count and the
 * history are known without them.
 */
public final class TrainingStatistics {
  /**
   * Steps kept in a history; beyond it the oldest are folded into one {@code earlier} step (their counts and image
   * digests summed), so that a model updated every shift for years keeps a manifest far below the 1 MiB
   * {@link ModelFile} reads (a step is at most about 3 KB of JSON with its texts clipped to {@link Step#MAX_TEXT}).
   */
  public static final int MAX_HISTORY = 128;

  /** Reads per-level statistics when they are first needed, refusing them in one line naming the file. */
  @FunctionalInterface
  interface Loader {
    List<ScatterStatistics> load() throws ModelFileException;
  }

  /**
   * The per-level statistics, read at most once (successfully) and shared by every copy made by
   * {@link #withStep}. A failed read is not remembered: a later call reads again (and fails again the same way
   * unless the cause was transient).
   */
  private static final class Levels {
    private volatile List<ScatterStatistics> value;
    private Loader loader; // guarded by this; null once value is set, so that what it holds can be collected

    Levels(List<ScatterStatistics> value) {
      this.value = value;
    }

    Levels(Loader loader) {
      this.loader = loader;
    }

    List<ScatterStatistics> get() throws ModelFileException {
      List<ScatterStatistics> v = value;
      if (v != null) {
        return v;
      }
      synchronized (this) {
        if (value == null) {
          value = List.copyOf(loader.load());
          loader = null;
        }
        return value;
      }
    }

    boolean loaded() {
      return value != null;
    }
  }

  private final Levels levels;
  private final int levelCount;
  private final long n;
  private final List<Step> history;

  /**
   * Statistics in hand.
   *
   * @param levels one entry per backbone level, in level order
   * @param history every fit, update and merge that went into the model, oldest first
   */
  public TrainingStatistics(List<ScatterStatistics> levels, List<Step> history) {
    List<ScatterStatistics> copy = List.copyOf(levels);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("training statistics need at least one level");
    }
    long count = copy.get(0).n();
    for (ScatterStatistics s : copy) {
      if (s.n() != count) {
        throw new IllegalArgumentException("levels disagree on the number of training images: " + count + " and "
            + s.n());
      }
    }
    this.levels = new Levels(copy);
    this.levelCount = copy.size();
    this.n = count;
    this.history = bounded(history);
  }

  /**
   * Statistics read when first needed by {@code loader}, which must give {@code levelCount} levels of {@code n}
   * images each (the caller checked the counts it knows without reading them).
   */
  static TrainingStatistics deferred(int levelCount, long n, List<Step> history, Loader loader) {
    if (levelCount < 1) {
      throw new IllegalArgumentException("training statistics need at least one level");
    }
    return new TrainingStatistics(new Levels(java.util.Objects.requireNonNull(loader, "loader")), levelCount, n,
        bounded(history));
  }

  private TrainingStatistics(Levels levels, int levelCount, long n, List<Step> history) {
    this.levels = levels;
    this.levelCount = levelCount;
    this.n = n;
    this.history = history;
  }

  private static List<Step> bounded(List<Step> history) {
    return List.copyOf(history.size() > MAX_HISTORY ? fold(history) : history);
  }

  /**
   * These statistics, their per-level part read and verified now if it was deferred (a model read from a file): the
   * checked way to reach {@link #levels()}, for a caller that must report a damaged file rather than fail.
   *
   * @return this
   * @throws ModelFileException in one line naming the file, when the deferred statistics cannot be read or verified
   *     (corrupt, or the file changed since the model was read)
   */
  public TrainingStatistics load() throws ModelFileException {
    List<ScatterStatistics> v = levels.get();
    if (v.size() != levelCount || v.get(0).n() != n) { // a loader that broke its promise: a bug, not a bad file
      throw new IllegalStateException("deferred statistics of " + v.size() + " levels and " + v.get(0).n()
          + " images, expected " + levelCount + " and " + n);
    }
    return this;
  }

  /** Whether the per-level statistics are in memory (always, except for a model read from a file until needed). */
  public boolean isLoaded() {
    return levels.loaded();
  }

  /**
   * One entry per backbone level, in level order; read first if deferred (see {@link #load()}).
   *
   * @throws IllegalStateException with {@link #load()}'s one-line message when deferred statistics cannot be read:
   *     callers that read models from files call {@link #load()} first (as {@link ModelUpdates#requireUpdatable}
   *     and {@link ModelFile#write} do)
   */
  public List<ScatterStatistics> levels() {
    try {
      return load().levels.get();
    } catch (ModelFileException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Every fit, update and merge that went into the model, oldest first. */
  public List<Step> history() {
    return history;
  }

  /**
   * Equal per-level statistics and history, as the record this class was compared (deferred statistics are read
   * first, as {@link #levels()} reads them).
   */
  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof TrainingStatistics t && n == t.n && levelCount == t.levelCount
        && history.equals(t.history) && levels().equals(t.levels());
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(levelCount, n, history);
  }

  @Override
  public String toString() {
    return "TrainingStatistics[" + levelCount + " levels, n=" + n + ", " + history.size() + " history steps"
        + (isLoaded() ? "" : ", not yet read") + "]";
  }

  /** Number of backbone levels. */
  public int levelCount() {
    return levelCount;
  }

  /** Training images (feature vectors per level) behind the statistics. */
  public long n() {
    return n;
  }

  /**
   * The digest of every image behind these statistics: the sum of the digests of the steps that brought images in
   * (fits, updates, folded earlier steps), or null when a step's is unknown (written before maha recorded them).
   */
  public ImageSetDigest imagesDigest() {
    return imagesDigest(history);
  }

  private static ImageSetDigest imagesDigest(List<Step> steps) {
    ImageSetDigest d = ImageSetDigest.EMPTY;
    for (Step s : steps) {
      if (s.addsImages()) {
        d = ImageSetDigest.mergeKnown(d, s.images());
      }
    }
    return d;
  }

  /** {@code history} with its oldest steps folded into one, so that {@link #MAX_HISTORY} remain. */
  private static List<Step> fold(List<Step> history) {
    int k = history.size() - MAX_HISTORY + 1;
    List<Step> old = history.subList(0, k);
    long n = 0;
    StringBuilder ids = new StringBuilder("fold");
    for (Step s : old) {
      if (s.addsImages()) {
        n = Math.addExact(n, s.n());
      }
      ids.append(':').append(s.id());
    }
    // the id is a function of the folded ids: two models that folded the same steps still share them for merge
    String id = java.util.UUID.nameUUIDFromBytes(ids.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .toString();
    Step folded = new Step("earlier", k + " earlier steps of the history, folded (images and digests summed)", n,
        null, null, old.get(k - 1).at(), id, imagesDigest(old));
    List<Step> out = new java.util.ArrayList<>(MAX_HISTORY);
    out.add(folded);
    out.addAll(history.subList(k, history.size()));
    return out;
  }

  /** The same statistics with {@code step} appended to the history. */
  public TrainingStatistics withStep(Step step) {
    List<Step> h = new java.util.ArrayList<>(history);
    h.add(step);
    return new TrainingStatistics(levels, levelCount, n, bounded(h));
  }

  /**
   * One step of a model's history.
   *
   * @param action {@code fit} (images fitted from scratch), {@code update} (images added) or {@code merge} (a
   *     model merged in)
   * @param source the images' description as the user gave it, or the merged model's training source
   * @param n images (feature vectors) this step added
   * @param modelFile for update and merge, the model file read (null for fit)
   * @param modelSha256 SHA-256 of that file (null for fit)
   * @param at ISO-8601 instant of the step
   * @param id a random UUID naming the step, so that {@code merge} recognises the same fit or update inside two
   *     models (merging them would count those images twice)
   * @param images the digest of the images this step read (fit, update), or of all the images of the model it
   *     merged in (merge); null when unknown (files written before maha recorded it). For a fit with augmentation
   *     it covers the images read, not the augmented copies, so its count may be below {@code n}
   */
  public record Step(String action, String source, long n, String modelFile, String modelSha256, String at,
      String id, ImageSetDigest images) {
    /** Texts (source, model file) longer than this are clipped, so that a step's size is bounded. */
    public static final int MAX_TEXT = 256;

    public Step {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(at, "at");
      if (n < 0) {
        throw new IllegalArgumentException("a history step adds n >= 0 images, found " + n);
      }
      source = clip(source);
      modelFile = modelFile == null ? null : clip(modelFile);
    }

    /** A step without an image digest (as files written before maha recorded them read). */
    public Step(String action, String source, long n, String modelFile, String modelSha256, String at, String id) {
      this(action, source, n, modelFile, modelSha256, at, id, null);
    }

    /** A step taken now, without an image digest. */
    public static Step now(String action, String source, long n, String modelFile, String modelSha256) {
      return now(action, source, n, modelFile, modelSha256, null);
    }

    /** A step taken now, of the images {@code images} (null: unknown). */
    public static Step now(String action, String source, long n, String modelFile, String modelSha256,
        ImageSetDigest images) {
      return new Step(action, source, n, modelFile, modelSha256,
          java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
          java.util.UUID.randomUUID().toString(), images);
    }

    /**
     * Whether this step brought images in (a fit, an update, or folded {@code earlier} steps), rather than combining
     * models (a merge).
     */
    public boolean addsImages() {
      return action.equals("fit") || action.equals("update") || action.equals("earlier");
    }

    private static String clip(String s) {
      if (s.length() <= MAX_TEXT) {
        return s;
      }
      int end = MAX_TEXT - 1;
      if (Character.isHighSurrogate(s.charAt(end - 1))) {
        end--; // never split a character
      }
      return s.substring(0, end) + "…";
    }
  }

  /**
   * {@code a + " + " + b}, a training source joined from two, or a summary when that would exceed
   * {@link #MAX_SOURCE} characters: a model updated every shift must not grow its manifest with every update.
   */
  public static String joinSources(String a, String b) {
    String joined = a + " + " + b;
    return joined.length() <= MAX_SOURCE ? joined : "images of several fits, updates and merges (see the history)";
  }

  /** The longest training source {@link #joinSources} builds. */
  public static final int MAX_SOURCE = 1000;
}
