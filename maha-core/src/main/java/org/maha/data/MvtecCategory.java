package org.maha.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One MVTec-layout category: {@code root} is the category folder itself (the one holding {@code train/} and
 * {@code test/}); {@code train} are the {@code train/good} images sorted by name (the indices {@link KFold} refers
 * to); {@code test} are all test images, class folders sorted, files sorted within each.
 */
public record MvtecCategory(String name, Path root, List<Path> train, List<LabeledImage> test) {
  /** Copies the lists so the record is immutable. */
  public MvtecCategory {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(root, "root");
    train = List.copyOf(train);
    test = List.copyOf(test);
  }

  /** Number of test images labelled anomalous. */
  public int anomalousCount() {
    return (int) test.stream().filter(LabeledImage::anomalous).count();
  }
}
