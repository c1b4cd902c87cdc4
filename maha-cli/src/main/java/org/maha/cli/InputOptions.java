package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

  @Option(names = "--max-file-bytes", paramLabel = "N",
      description = "Refuse image files larger than this, before reading them. Default: 8 bytes per --max-pixels "
          + "pixel plus 16 MiB (816 MB for the default).")
  Long maxFileBytes;

  @Option(names = "--recursive",
      description = "Also take the images of subfolders of folder arguments (sorted by path; hidden folders and "
          + "links back to a folder already listed are not entered).")
  boolean recursive;

  @Option(names = "--decode-threads", paramLabel = "N",
      description = "Threads decoding and resizing images, in parallel with inference (1 to 256). Default: cores/2, "
          + "at least 1.")
  Integer decodeThreads;

  @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
  boolean quiet;

  /** The decoding limits; their ranges are checked with every option's before the command runs (OptionBounds). */
  DecodeLimits limits() {
    return maxFileBytes == null ? new DecodeLimits(maxPixels) : new DecodeLimits(maxPixels, maxFileBytes);
  }

  /** {@code files} as the API's images, named {@code description} in provenance, skipping as asked. */
  org.maha.api.Images images(List<Path> files, String description) {
    org.maha.api.Images i = org.maha.api.Images.files(files).describedAs(description);
    return skipUnreadable ? i.skippingUnreadable() : i;
  }

  int decodeThreads() {
    return decodeThreads != null ? Math.max(1, decodeThreads)
        : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  /**
   * Expands files and folders (a folder's images, sorted by name; with {@code --recursive} those of its subfolders
   * too) in the order given. For each folder that had other entries, one line on {@code err} says how many were
   * left out and why; a folder without images is refused naming what it holds instead.
   */
  List<Path> expand(List<Path> inputs, PrintWriter err) throws DataException {
    List<Path> out = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    List<Path> repeated = new ArrayList<>();
    for (Path p : inputs) {
      if (p.toString().isEmpty()) { // Path.of("") is the working folder: never what an empty argument meant
        throw new DataException(Path.of("''"), "an empty argument was given where an image or folder was expected");
      }
      if (!Files.exists(p)) { // found now, not after minutes of work on the other inputs
        throw new DataException(p, "no such file or folder");
      }
      if (!Files.isDirectory(p)) {
        addOnce(p, out, seen, repeated);
        continue;
      }
      ImageFolder.Listing l = ImageFolder.scan(p, recursive);
      if (l.images().isEmpty()) {
        String hint = l.subfolders().isEmpty() ? ""
            : "; its images may be in the subfolders: pass them (e.g. " + p.resolve(l.subfolders().get(0))
                + ") or add --recursive";
        throw new DataException(p, "no images (." + String.join(", .", ImageFolder.extensions()) + ")"
            + (l.skippedCount() == 0 ? "" : ", skipped " + l.skippedSummary()) + hint);
      }
      if (l.skippedCount() > 0) {
        err.println(p + ": skipped " + l.skippedCount() + " entr" + (l.skippedCount() == 1 ? "y" : "ies") + " that "
            + "are not images: " + l.skippedSummary() + (l.subfolders().isEmpty() ? "" : " (--recursive enters them)"));
        err.flush();
      }
      l.images().forEach(f -> addOnce(f, out, seen, repeated));
    }
    if (!repeated.isEmpty()) { // counting an image twice would weight it twice in the mean and covariance
      err.println("warning: " + repeated.size() + " input" + (repeated.size() == 1 ? " was" : "s were")
          + " given more than once and used once (e.g. " + repeated.get(0) + ")");
      err.flush();
    }
    return out;
  }

  /** Adds {@code p} unless the same file (by real path) is already in {@code out}. */
  private static void addOnce(Path p, List<Path> out, Set<Path> seen, List<Path> repeated) {
    if (seen.add(realPath(p))) {
      out.add(p);
    } else {
      repeated.add(p);
    }
  }

  /** The file's real path (links resolved), or its normalised absolute path when it cannot be resolved. */
  static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (java.io.IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }
}
