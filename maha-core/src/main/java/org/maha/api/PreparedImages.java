package org.maha.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.maha.image.Preprocessing;
import org.maha.pipeline.FeatureExtractor;

/**
 * Images already decoded, resized and normalised by a {@link Detector} ({@link Detector#prepare}), waiting for its
 * backbone: what a service makes on each request's own thread so that decoding runs beside the inference of other
 * requests, then hands to {@link Detector#scoreAll(FittedModel, PreparedImages)}, alone or {@link #concat gathered}
 * with other requests' into one batch. The scores are those of {@link Detector#scoreAll(FittedModel, Images)} on
 * the same images, to the last bit: the same decoding, resize and normalisation run, only earlier and elsewhere.
 *
 * <p>Prepared images hold the backbone's input, {@code 3 × S × S} floats each (600 KB at S = 224), which may be
 * more than the encoded file: prepare a bounded number at a time. They are tied to the input size and
 * normalisation they were prepared for; a detector with others refuses them. Immutable and thread-safe (the
 * pixels are never written after preparation).
 */
public final class PreparedImages {
  private final List<FeatureExtractor.Named> images;
  private final Preprocessing preprocessing;
  private final List<Skipped> skipped;

  PreparedImages(List<FeatureExtractor.Named> images, Preprocessing preprocessing, List<Skipped> skipped) {
    this.images = List.copyOf(images);
    this.preprocessing = preprocessing;
    this.skipped = List.copyOf(skipped);
  }

  /**
   * Several prepared parts as one, in order (e.g. the requests a service gathers into one backbone batch); each
   * image keeps its name, so names may repeat. The parts must have been prepared for the same input size and
   * normalisation.
   *
   * @param parts the parts, at least one
   * @return their images, in order, and their skipped images
   * @throws IllegalArgumentException when {@code parts} is empty or its parts were prepared differently
   */
  public static PreparedImages concat(List<PreparedImages> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("concat: no part");
    }
    if (parts.size() == 1) {
      return Objects.requireNonNull(parts.get(0), "part");
    }
    Preprocessing p = parts.get(0).preprocessing;
    List<FeatureExtractor.Named> all = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    for (PreparedImages part : parts) {
      if (!part.preprocessing.equals(p)) {
        throw new IllegalArgumentException("concat: parts prepared for different inputs (" + p + ", "
            + part.preprocessing + ")");
      }
      all.addAll(part.images);
      skipped.addAll(part.skipped);
    }
    return new PreparedImages(all, p, skipped);
  }

  /**
   * How many images are prepared (not counting skipped ones).
   *
   * @return the number of images a scoring call will score
   */
  public int size() {
    return images.size();
  }

  /**
   * The images left out as unreadable while preparing; always empty unless the images were given with
   * {@link Images#skippingUnreadable()}.
   *
   * @return the skipped images, in input order (unmodifiable)
   */
  public List<Skipped> skipped() {
    return skipped;
  }

  List<FeatureExtractor.Named> images() {
    return images;
  }

  Preprocessing preprocessing() {
    return preprocessing;
  }

  /**
   * Says how many images, for messages.
   *
   * @return e.g. {@code "3 prepared images"}
   */
  @Override
  public String toString() {
    return images.size() + " prepared images";
  }
}
