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
 * @param levels one entry per backbone level, in level order
 * @param history every fit, update and merge that went into the model, oldest first
 */
public record TrainingStatistics(List<ScatterStatistics> levels, List<Step> history) {
  /**
   * Steps kept in a history; beyond it the oldest are folded into one {@code earlier} step (their counts and image
   * digests summed), so that a model updated every shift for years keeps a manifest far below the 1 MiB
   * {@link ModelFile} reads (a step is at most about 3 KB of JSON with its texts clipped to {@link Step#MAX_TEXT}).
   */
  public static final int MAX_HISTORY = 128;

  public TrainingStatistics {
    levels = List.copyOf(levels);
    history = List.copyOf(history.size() > MAX_HISTORY ? fold(history) : history);
    if (levels.isEmpty()) {
      throw new IllegalArgumentException("training statistics need at least one level");
    }
    long n = levels.get(0).n();
    for (ScatterStatistics s : levels) {
      if (s.n() != n) {
        throw new IllegalArgumentException("levels disagree on the number of training images: " + n + " and " + s.n());
      }
    }
  }

  /** Training images (feature vectors per level) behind the statistics. */
  public long n() {
    return levels.get(0).n();
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
    return new TrainingStatistics(levels, h);
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
