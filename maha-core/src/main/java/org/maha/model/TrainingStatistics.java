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
  public TrainingStatistics {
    levels = List.copyOf(levels);
    history = List.copyOf(history);
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
   */
  public record Step(String action, String source, long n, String modelFile, String modelSha256, String at,
      String id) {
    public Step {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(at, "at");
      if (n < 0) {
        throw new IllegalArgumentException("a history step adds n >= 0 images, found " + n);
      }
    }

    /** A step taken now. */
    public static Step now(String action, String source, long n, String modelFile, String modelSha256) {
      return new Step(action, source, n, modelFile, modelSha256,
          java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
          java.util.UUID.randomUUID().toString());
    }

    /** Whether this step brought images in (a fit or an update), rather than combining models (a merge). */
    public boolean addsImages() {
      return action.equals("fit") || action.equals("update");
    }
  }
}
