package org.maha.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of files and byte arrays, as lowercase hex: the identity of backbones, weights and model entries. */
public final class Sha256 {
  private Sha256() {}

  public static String of(byte[] data) {
    return HexFormat.of().formatHex(digest().digest(data));
  }

  /**
   * Streams the file; never holds it in memory. A pipe, device or socket is refused unopened
   * ({@link InputFiles.RefusedException}): hashing one would block or never end.
   */
  public static String of(Path file) throws IOException {
    InputFiles.checkRegular(file, Long.MAX_VALUE);
    MessageDigest md = digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int r;
      while ((r = in.read(buf)) > 0) {
        md.update(buf, 0, r);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
