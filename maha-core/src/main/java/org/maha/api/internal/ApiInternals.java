package org.maha.api.internal;

import java.util.Objects;
import org.maha.api.FittedModel;
import org.maha.model.GaussianAdModel;

/**
 * Not part of the API: lets maha's own command line and service reach the internal model behind a public
 * {@link FittedModel} (for per-level reports and χ² flags) without putting internal types into
 * {@code org.maha.api}'s signatures. The JDK's {@code SharedSecrets} pattern: {@code org.maha.api} registers the
 * access once, when {@link FittedModel} is initialised. Applications must not use it; it may change at any time.
 */
public final class ApiInternals {

  /** What {@code org.maha.api} provides. */
  public interface Access {
    /**
     * The internal model of a public one.
     *
     * @param fitted a public model
     * @return the model behind it
     */
    GaussianAdModel model(FittedModel fitted);

    /**
     * An internal model as a public one.
     *
     * @param model the internal model
     * @param name how error messages name it (e.g. its file)
     * @return the public model
     */
    FittedModel fitted(GaussianAdModel model, String name);

    /**
     * An internal model read from {@code file}, as {@link FittedModel#load(java.nio.file.Path)} gives it (named by
     * the file, whose hash an update or merge records).
     *
     * @param model the model read from the file
     * @param file the file
     * @return the public model
     */
    FittedModel loaded(GaussianAdModel model, java.nio.file.Path file);
  }

  private static volatile Access access;

  private ApiInternals() {}

  /**
   * Called once by {@link FittedModel}'s initialiser.
   *
   * @param a the access
   * @throws IllegalStateException on a second call
   */
  public static synchronized void register(Access a) {
    if (access != null) {
      throw new IllegalStateException("already registered");
    }
    access = Objects.requireNonNull(a, "access");
  }

  /**
   * The internal model of a public one.
   *
   * @param fitted a public model
   * @return the model behind it
   */
  public static GaussianAdModel model(FittedModel fitted) {
    return access().model(fitted);
  }

  /**
   * An internal model as a public one.
   *
   * @param model the internal model
   * @param name how error messages name it (e.g. its file)
   * @return the public model
   */
  public static FittedModel fitted(GaussianAdModel model, String name) {
    return access().fitted(model, name);
  }

  /**
   * An internal model read from {@code file} (e.g. with a section the API does not read), as
   * {@link FittedModel#load(java.nio.file.Path)} gives it.
   *
   * @param model the model read from the file
   * @param file the file
   * @return the public model
   */
  public static FittedModel loaded(GaussianAdModel model, java.nio.file.Path file) {
    return access().loaded(model, file);
  }

  private static Access access() {
    if (access == null) {
      try { // initialising FittedModel registers the access
        Class.forName(FittedModel.class.getName(), true, FittedModel.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
    return access;
  }
}
