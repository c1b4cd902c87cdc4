package org.maha.pipeline;

import java.nio.file.Path;

/** An input file left out because the user asked to skip unreadable files, and why. */
public record Skipped(Path path, String reason) {}
