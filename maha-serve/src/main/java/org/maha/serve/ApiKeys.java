package org.maha.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The API keys a client must present ({@code Authorization: Bearer KEY} or {@code X-API-Key: KEY}). Only SHA-256
 * digests are kept, and a presented key is compared with every one of them with {@link MessageDigest#isEqual}
 * (constant time, no early exit), so neither timing nor length says how close a guess was.
 */
public final class ApiKeys {
  /** Keys shorter than this are refused: a short key is guessed by brute force over the network. */
  public static final int MIN_KEY_LENGTH = 16;
  private static final long MAX_FILE_BYTES = 1 << 20;

  private final List<byte[]> digests;

  private ApiKeys(List<byte[]> digests) {
    this.digests = List.copyOf(digests);
  }

  /**
   * Reads one key per line (blank lines and lines starting with {@code #} ignored; surrounding spaces trimmed).
   *
   * @param file the key file
   * @return the keys
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException naming the file and line when it holds no key, a key shorter than
   *     {@value #MIN_KEY_LENGTH} characters, or is larger than 1 MiB
   */
  public static ApiKeys read(Path file) throws IOException {
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new IllegalArgumentException(file + ": larger than 1 MiB; expected one API key per line");
    }
    List<byte[]> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String k = lines.get(i).strip();
      if (k.isEmpty() || k.startsWith("#")) {
        continue;
      }
      if (k.length() < MIN_KEY_LENGTH) {
        throw new IllegalArgumentException(file + ": line " + (i + 1) + ": an API key must have at least "
            + MIN_KEY_LENGTH + " characters");
      }
      out.add(digest(k));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(file + ": no API key in it (one per line; # starts a comment)");
    }
    return new ApiKeys(out);
  }

  /**
   * Whether {@code presented} is one of the keys; takes the same time whichever key matches, or none.
   *
   * @param presented the key the client sent, or null
   * @return true when it is a valid key
   */
  public boolean accepts(String presented) {
    if (presented == null) {
      return false;
    }
    byte[] d = digest(presented);
    boolean ok = false;
    for (byte[] k : digests) {
      ok |= MessageDigest.isEqual(k, d);
    }
    return ok;
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
