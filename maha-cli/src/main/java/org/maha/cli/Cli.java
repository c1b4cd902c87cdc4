package org.maha.cli;

import java.io.PrintWriter;
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

  static String describe(List<Path> inputs) {
    return inputs.stream().map(Path::toString).collect(Collectors.joining(","));
  }

  static void reportSkipped(PrintWriter err, List<Skipped> skipped) {
    report(err, skipped.stream().map(s -> "skipped " + s.path() + ": " + s.reason()).toList());
  }

  /** As {@link #reportSkipped(PrintWriter, List)} for the images the public API skipped. */
  static void reportSkippedImages(PrintWriter err, List<org.maha.api.Skipped> skipped) {
    report(err, skipped.stream().map(s -> "skipped " + s.name() + ": " + s.reason()).toList());
  }

  private static void report(PrintWriter err, List<String> skipped) {
    skipped.forEach(err::println);
    if (!skipped.isEmpty()) {
      err.println("skipped " + skipped.size() + " unreadable file(s)");
    }
    err.flush();
  }
}
