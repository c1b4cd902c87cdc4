package org.maha.pipeline;

import java.nio.file.Path;
import org.maha.model.AnomalyScore;

/** One scored image. */
public record ScoredImage(Path path, AnomalyScore score) {}
