package org.maha.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maha.data.DataException;
import org.maha.data.ImageFolder;
import org.maha.image.DecodeLimits;
import picocli.CommandLine.Option;

/** How input images are found and read. */
final class InputOptions {
  @Option(names = "--skip-unreadable",
      description = "Leave out files that cannot be decoded (listed on stderr) instead of stopping at the first.")
  boolean skipUnreadable;

  @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "100000000",
      description = "Refuse images whose header claims more pixels than this (decompression bombs). "
          + "Default: ${DEFAULT-VALUE}.")
  long maxPixels;

  @Option(names = "--decode-threads", paramLabel = "N",
      description = "Threads decoding and resizing images, in parallel with inference (1 to 256). Default: cores/2, "
          + "at least 1.")
  Integer decodeThreads;

  @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
  boolean quiet;

  DecodeLimits limits() {
    return new DecodeLimits(maxPixels);
  }

  int decodeThreads() {
    return decodeThreads != null ? Math.max(1, decodeThreads)
        : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  /** Expands files and folders (a folder's images, sorted by name) in the order given. */
  static List<Path> expand(List<Path> inputs) throws DataException {
    List<Path> out = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isDirectory(p)) {
        out.addAll(ImageFolder.list(p));
      } else {
        out.add(p);
      }
    }
    return out;
  }
}
