package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.maha.model.Variant;
import org.maha.pipeline.Skipped;

/** Small helpers shared by the commands. */
final class Cli {
  private Cli() {}

  static Variant variant(String text) throws MahaCommand.UsageException {
    try {
      return Variant.parse(text);
    } catch (IllegalArgumentException e) {
      throw new MahaCommand.UsageException("--variant: " + e.getMessage());
    }
  }

  static List<Variant> variants(List<String> texts) throws MahaCommand.UsageException {
    List<Variant> out = new java.util.ArrayList<>();
    for (String t : texts) {
      out.add(variant(t));
    }
    return out;
  }

  /** Fails early, before hours of feature extraction, if the output cannot be written. */
  static void requireWritableFile(Path out) throws MahaCommand.UsageException {
    if (Files.isDirectory(out)) {
      throw new MahaCommand.UsageException(out + ": is a folder, expected a file name");
    }
    Path dir = out.toAbsolutePath().getParent();
    if (dir != null && Files.exists(dir) && !Files.isWritable(dir)) {
      throw new MahaCommand.UsageException(dir + ": folder is not writable");
    }
  }

  static void requireWritableDir(Path dir) throws MahaCommand.UsageException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new MahaCommand.UsageException(dir + ": exists and is not a folder");
    }
  }

  static String describe(List<Path> inputs) {
    return inputs.stream().map(Path::toString).collect(Collectors.joining(","));
  }

  static void reportSkipped(PrintWriter err, List<Skipped> skipped) {
    for (Skipped s : skipped) {
      err.println("skipped " + s.path() + ": " + s.reason());
    }
    if (!skipped.isEmpty()) {
      err.println("skipped " + skipped.size() + " unreadable file(s)");
    }
    err.flush();
  }
}
