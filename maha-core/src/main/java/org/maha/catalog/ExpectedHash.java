package org.maha.catalog;

import java.util.Locale;
import java.util.Objects;

/**
 * The SHA-256 a weight file must have: either in full, or only its leading hex digits as published in a torch.hub
 * file name ({@code resnet18-f37072fd.pth}: {@code f37072fd} is a prefix of the SHA-256; torch.hub's
 * {@code download_url_to_file(..., hash_prefix)} checks exactly this, torch &le; 1.1's {@code load_url} always did,
 * and torchvision &ge; 0.16 does for every weight file, which is why such names carry real SHA-256 prefixes), or a
 * full digest the user pinned ({@code --expect-sha256}) because they obtained it elsewhere.
 *
 * @param kind   whether {@code hex} is the whole digest or a prefix of it
 * @param hex    lowercase hex digits: 64 for {@link Kind#FULL_SHA256}, 8 to 63 for {@link Kind#SHA256_PREFIX}
 * @param pinned true when the user gave the digest rather than the publisher (always a full digest)
 */
public record ExpectedHash(Kind kind, String hex, boolean pinned) {

  /** How much of the digest is known, hence how strongly a file is checked. */
  public enum Kind {
    /** All 64 hex digits: any change to the file is detected. */
    FULL_SHA256,
    /** Only a prefix (torch.hub file names: 8 hex digits, i.e. 32 bits). */
    SHA256_PREFIX
  }

  private static final int FULL_HEX_DIGITS = 64;
  /** torch.hub names carry at least 8 hex digits; fewer would make an accidental match too likely. */
  private static final int MIN_PREFIX_HEX_DIGITS = 8;

  public ExpectedHash {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(hex, "hex");
    if (!hex.matches("[0-9a-f]+")) {
      throw new IllegalArgumentException("hex: expected lowercase hex digits, found '" + hex + "'");
    }
    if (kind == Kind.FULL_SHA256 && hex.length() != FULL_HEX_DIGITS) {
      throw new IllegalArgumentException("full SHA-256: expected 64 hex digits, found " + hex.length());
    }
    if (kind == Kind.SHA256_PREFIX && (hex.length() < MIN_PREFIX_HEX_DIGITS || hex.length() >= FULL_HEX_DIGITS)) {
      throw new IllegalArgumentException("SHA-256 prefix: expected 8 to 63 hex digits, found " + hex.length());
    }
    if (pinned && kind != Kind.FULL_SHA256) {
      throw new IllegalArgumentException("a pinned digest must be a full SHA-256");
    }
  }

  /** A published hash (not pinned). */
  public ExpectedHash(Kind kind, String hex) {
    this(kind, hex, false);
  }

  /** A full SHA-256 published with the file (case-insensitive input). */
  public static ExpectedHash full(String sha256) {
    return new ExpectedHash(Kind.FULL_SHA256, sha256.toLowerCase(Locale.ROOT));
  }

  /** A published prefix of the SHA-256 (case-insensitive input). */
  public static ExpectedHash prefix(String hexPrefix) {
    return new ExpectedHash(Kind.SHA256_PREFIX, hexPrefix.toLowerCase(Locale.ROOT));
  }

  /**
   * A full SHA-256 the user pinned (case-insensitive input), e.g. taken from a release note or a colleague's
   * verified copy.
   *
   * @throws IllegalArgumentException unless {@code sha256} is 64 hex digits
   */
  public static ExpectedHash pinned(String sha256) {
    return new ExpectedHash(Kind.FULL_SHA256, sha256.toLowerCase(Locale.ROOT), true);
  }

  /** Whether a file whose SHA-256 is {@code actualSha256} (64 hex digits, any case) satisfies this hash. */
  public boolean matches(String actualSha256) {
    String a = actualSha256.toLowerCase(Locale.ROOT);
    return kind == Kind.FULL_SHA256 ? a.equals(hex) : a.startsWith(hex);
  }

  /**
   * For messages: {@code "SHA-256 starting 5c106cde (published prefix)"}, {@code "SHA-256 <64 digits>"} or
   * {@code "SHA-256 <64 digits> (pinned with --expect-sha256)"}.
   */
  public String describe() {
    if (kind == Kind.SHA256_PREFIX) {
      return "SHA-256 starting " + hex + " (published prefix)";
    }
    return pinned ? "SHA-256 " + hex + " (pinned with --expect-sha256)" : "SHA-256 " + hex;
  }

  /** For listings: {@code "full"} (published digest), {@code "prefix"} (file-name prefix) or {@code "pinned"}. */
  public String strength() {
    if (kind == Kind.SHA256_PREFIX) {
      return "prefix";
    }
    return pinned ? "pinned" : "full";
  }
}
