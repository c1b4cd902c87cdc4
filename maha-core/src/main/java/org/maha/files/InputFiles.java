package org.maha.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads untrusted input files whole, refusing before opening anything that is not a regular file: opening a named
 * pipe blocks forever, and {@code /dev/zero} or a socket never ends. The size is checked from the file's metadata
 * first and the read is still capped, in case the file grows in between.
 */
public final class InputFiles {
  private InputFiles() {}

  /** A refused input: the message is the problem, one line, without the file name. */
  public static final class RefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    RefusedException(String problem) {
      super(problem);
    }
  }

  /**
   * The size of {@code file} (symbolic links followed) if it is a regular file of at most {@code maxBytes};
   * nothing is opened.
   *
   * @throws NoSuchFileException if it does not exist
   * @throws RefusedException    if it is a folder, a pipe, a device or a socket, or larger than {@code maxBytes}
   */
  public static long checkRegular(Path file, long maxBytes) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    if (a.isDirectory()) {
      throw new RefusedException("is a folder, not a file");
    }
    if (!a.isRegularFile()) {
      throw new RefusedException("not a regular file (a named pipe, device or socket), refused unread");
    }
    if (a.size() > maxBytes) {
      throw new RefusedException("file is " + a.size() + " bytes, over the limit of " + maxBytes + " bytes");
    }
    return a.size();
  }

  /** The whole of a regular file of at most {@code maxBytes} (at most {@code Integer.MAX_VALUE - 8}). */
  public static byte[] readRegular(Path file, long maxBytes) throws IOException {
    long cap = Math.min(maxBytes, Integer.MAX_VALUE - 8);
    checkRegular(file, cap);
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = in.readNBytes((int) cap);
      if (in.read() >= 0) {
        throw new RefusedException("file grew past the limit of " + cap + " bytes while being read");
      }
      return b;
    }
  }
}
