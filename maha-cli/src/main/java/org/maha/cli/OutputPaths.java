package org.maha.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The one check every command runs on what it is asked to write, before any work: an output never replaces an
 * input (same file by real path, hard links included), never a device, FIFO or socket (nor a link to one; as root
 * a rename would replace {@code /dev/null} itself), a file output is not a folder and a folder output not a file,
 * the nearest existing parent is a writable folder, and only the model commands ({@code fit}, {@code update},
 * {@code merge}) write names ending in {@code .maha} (and they only those, unless {@code --force}), so a typo cannot turn an image into a model or a model into a score table.
 */
final class OutputPaths {
  private OutputPaths() {}

  static final String MODEL_SUFFIX = ".maha";

  /** A file output of anything but a model. {@code inputs}: every file or folder the command reads (nulls ignored). */
  static void file(String option, Path out, Collection<Path> inputs) throws MahaCommand.UsageException {
    anyFile(option, out, inputs);
    if (isModelName(out)) {
      throw refuse(option, out, "ends in .maha, the name of a model file; only `maha fit`, `update` and `merge` write those, "
          + "choose another name");
    }
  }

  /** The model file of {@code fit}, {@code update} and {@code merge}: a .maha name unless {@code force}. */
  static void model(String option, Path out, boolean force, Collection<Path> inputs)
      throws MahaCommand.UsageException {
    anyFile(option, out, inputs);
    if (!force && !isModelName(out)) {
      throw refuse(option, out, "a model file name must end in .maha (give --force to write it anyway; "
          + "did you forget the model name before the images?)");
    }
  }

  /**
   * A folder output: a folder or nothing yet; not an input folder nor inside one (a report's figures inside an
   * MVTec test folder would become a defect class of the next run); and no input file directly inside it whose
   * extension is one of {@code writes} (the kinds of files the command writes there).
   */
  static void folder(String option, Path out, Collection<Path> inputs, Set<String> writes)
      throws MahaCommand.UsageException {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw refuse(option, out, "exists and is not a folder");
    }
    parentWritable(option, out.toAbsolutePath());
    Path where = realPathOfNew(out);
    for (Path in : inputs) {
      if (in != null && Files.isDirectory(in) && !same(out, in) && where.startsWith(realPath(in))) {
        throw refuse(option, out, "is inside the input folder " + in + ", where the files it writes (figures are "
            + "PNGs) would be read as data by a later run; write the results outside it");
      }
    }
    if (!Files.isDirectory(out)) {
      return;
    }
    for (Path in : inputs) {
      if (in == null || !Files.exists(in)) {
        continue;
      }
      if (Files.isDirectory(in) && same(out, in)) {
        throw refuse(option, out, "is also an input folder; write the results to another folder");
      }
      Path parent = in.toAbsolutePath().getParent();
      if (Files.isRegularFile(in) && parent != null && same(out, parent)
          && writes.contains(extension(in.getFileName().toString()))) {
        throw refuse(option, out, "holds the input " + in + ", which this command could overwrite; write the "
            + "results to another folder");
      }
    }
  }

  private static void anyFile(String option, Path out, Collection<Path> inputs) throws MahaCommand.UsageException {
    if (Files.isDirectory(out)) {
      throw refuse(option, out, "is a folder, expected a file name");
    }
    if (Files.exists(out) && !Files.isRegularFile(out)) {
      throw refuse(option, out, "is not a regular file (a device, FIFO or socket, or a link to one); maha writes "
          + "only regular files");
    }
    if (Files.exists(out)) {
      for (Path in : inputs) {
        if (in != null && Files.isRegularFile(in) && same(out, in)) {
          throw refuse(option, out, "is also an input" + (in.equals(out) ? "" : " (" + in + ")")
              + "; writing it would destroy it");
        }
      }
    }
    Path abs = out.toAbsolutePath();
    if (abs.getParent() != null) {
      parentWritable(option, abs.getParent());
    }
  }

  /** The nearest existing ancestor of {@code p} (p itself included) must be a writable folder. */
  private static void parentWritable(String option, Path p) throws MahaCommand.UsageException {
    Path q = p;
    while (q != null && !Files.exists(q)) {
      q = q.getParent();
    }
    if (q == null) {
      return;
    }
    if (!Files.isDirectory(q)) {
      throw refuse(option, p, q + " is not a folder");
    }
    if (!Files.isWritable(q)) {
      throw refuse(option, p, "folder " + q + " is not writable");
    }
  }

  /** The real path of {@code p}, which need not exist yet: its nearest existing ancestor's, plus the rest. */
  private static Path realPathOfNew(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    Path existing = abs;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing == null ? abs : realPath(existing).resolve(existing.relativize(abs));
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }

  private static boolean same(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return Objects.equals(a.toAbsolutePath().normalize(), b.toAbsolutePath().normalize());
    }
  }

  static boolean isModelName(Path p) {
    Path name = p.getFileName();
    return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(MODEL_SUFFIX);
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static MahaCommand.UsageException refuse(String option, Path out, String problem) {
    return new MahaCommand.UsageException(option + " " + out + ": " + problem);
  }
}
