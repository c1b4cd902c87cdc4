package org.maha.files;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes a set of output files all or nothing: every file is first written in full to a temporary name in
 * the target folder, and only when all are written are they renamed into place. A failure leaves no partial
 * output behind.
 *
 * <p>Interruption (SIGINT, SIGTERM) runs the JVM's shutdown hooks but not {@code finally} blocks, so the temporary
 * files in flight are also kept in a registry that a shutdown hook, installed on first use, deletes: a killed
 * {@code maha} leaves neither a partial output nor a hidden {@code .NAME…tmp} file (SIGKILL cannot be caught).
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Temporary files created and not yet renamed or deleted, for the shutdown hook. Other threads keep running
   * while the hook runs, so registering, creating and the hook's sweep hold one lock, and once the sweep has begun
   * no new temporary file is created ({@link #closing}).
   */
  private static final Set<Path> LIVE = new java.util.HashSet<>();
  /** Temporary folders a caller fills and then renames into place (guarded by the same lock as LIVE). */
  private static final Set<Path> LIVE_DIRS = new java.util.HashSet<>();
  private static volatile boolean closing;
  private static final SecureRandom RANDOM = new SecureRandom();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteLive(true), "maha-temp-cleanup"));
  }

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
        Path tmp = createTemp(target);
        staged.put(tmp, target);
        // never CREATE: if the shutdown hook has already deleted the file, writing must fail rather than bring it
        // back after the hook's sweep (which left a temporary file behind after a SIGINT in CI)
        Files.write(tmp, e.getValue(), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        readableByAll(tmp);
      }
      for (Map.Entry<Path, Path> e : staged.entrySet()) {
        move(e.getKey(), e.getValue());
        unregister(e.getKey());
      }
    } finally {
      for (Path tmp : staged.keySet()) {
        Files.deleteIfExists(tmp);
        unregister(tmp);
      }
    }
  }

  /** Writes one file atomically. */
  public static void write(Path file, byte[] data) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    writeAll(dir, Map.of(file.getFileName().toString(), data));
  }

  /** The temporary files now in flight (for tests of the shutdown hook). */
  static Set<Path> live() {
    synchronized (LIVE) {
      return Set.copyOf(LIVE);
    }
  }

  private static void unregister(Path tmp) {
    synchronized (LIVE) {
      LIVE.remove(tmp);
    }
  }

  /**
   * A new empty owner-only file {@code .NAME.<random>.tmp} beside {@code target}, registered BEFORE it exists so
   * that no moment is left in which an interrupted run would leave it behind unregistered.
   */
  private static Path createTemp(Path target) throws IOException {
    boolean posix = Files.getFileAttributeView(target.getParent(), PosixFileAttributeView.class) != null;
    for (int attempt = 0; ; attempt++) {
      byte[] r = new byte[8];
      RANDOM.nextBytes(r);
      Path tmp = target.resolveSibling("." + target.getFileName() + "." + HexFormat.of().formatHex(r) + ".tmp");
      synchronized (LIVE) {
        if (closing) {
          throw new IOException("interrupted: maha is shutting down, " + target + " was not written");
        }
        LIVE.add(tmp);
        try {
          return posix
              ? Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
              : Files.createFile(tmp);
        } catch (FileAlreadyExistsException e) {
          LIVE.remove(tmp); // someone else's file: never ours to delete
          if (attempt > 10) {
            throw e;
          }
        } catch (IOException | RuntimeException e) {
          LIVE.remove(tmp);
          throw e;
        }
      }
    }
  }

  /**
   * Creates the temporary folder {@code dir} (which its caller fills and renames into place, e.g. a generated data
   * set) so that the shutdown hook deletes it with its contents if the JVM is interrupted first; call
   * {@link #forgetTemporaryDirectory} once it was renamed or deleted. Fails like {@link Files#createDirectory}.
   */
  public static Path createTemporaryDirectory(Path dir) throws IOException {
    synchronized (LIVE) {
      if (closing) {
        throw new IOException("interrupted: maha is shutting down, " + dir + " was not created");
      }
      LIVE_DIRS.add(dir);
      try {
        return Files.createDirectory(dir);
      } catch (IOException | RuntimeException e) {
        LIVE_DIRS.remove(dir);
        throw e;
      }
    }
  }

  /** True once the JVM is shutting down (SIGINT, SIGTERM): long writers into a temporary folder stop here. */
  public static boolean shuttingDown() {
    return closing;
  }

  /** The folder of {@link #createTemporaryDirectory} is no longer temporary (renamed) or no longer there. */
  public static void forgetTemporaryDirectory(Path dir) {
    synchronized (LIVE) {
      LIVE_DIRS.remove(dir);
    }
  }

  /**
   * The shutdown hook: deletes every temporary file still in flight and, with {@code close}, lets no new one be
   * created (tests sweep without closing).
   */
  static void deleteLive(boolean close) {
    synchronized (LIVE) {
      closing |= close;
      for (Path p : LIVE) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException | RuntimeException e) {
          // best effort while the JVM goes down
        }
      }
      LIVE.clear();
      for (Path d : LIVE_DIRS) {
        // other threads run on during shutdown and may still finish a file or re-create a sub-folder (they stop at
        // shuttingDown()): delete until the folder has stayed gone for three checks in a row
        int gone = 0;
        for (int pass = 0; pass < 100 && gone < 3; pass++) {
          if (Files.exists(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(d);
            gone = 0;
          } else {
            gone++;
          }
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      LIVE_DIRS.clear();
    }
  }

  private static void deleteTree(Path dir) {
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      // best effort while the JVM goes down
    }
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
