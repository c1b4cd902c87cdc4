package org.maha.files;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a set of output files all or nothing: every file is first written in full to a temporary name in
 * the target folder, and only when all are written are they renamed into place. A failure leaves no partial
 * output behind.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code files} (relative name → bytes) into {@code dir}, creating it and sub-folders if needed. */
  public static void writeAll(Path dir, Map<String, byte[]> files) throws IOException {
    Files.createDirectories(dir);
    Map<Path, Path> staged = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        // names may hold sub-folders ("figures/roc.png"): stage each file beside its target
        Path target = dir.resolve(e.getKey()).normalize();
        if (!target.startsWith(dir.normalize())) {
          throw new IllegalArgumentException("output name escapes the folder: " + e.getKey());
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        staged.put(tmp, target);
        Files.write(tmp, e.getValue());
        readableByAll(tmp);
      }
      for (Map.Entry<Path, Path> e : staged.entrySet()) {
        move(e.getKey(), e.getValue());
      }
    } finally {
      for (Path tmp : staged.keySet()) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** Writes one file atomically. */
  public static void write(Path file, byte[] data) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    writeAll(dir, Map.of(file.getFileName().toString(), data));
  }

  /** Temp files are created owner-only; outputs get the usual rw-r--r--. */
  private static void readableByAll(Path p) throws IOException {
    if (Files.getFileAttributeView(p, PosixFileAttributeView.class) != null) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
