package org.maha.catalog;

import java.util.Locale;
import java.util.Objects;

/**
 * The SHA-256 a weight file must have: either in full, or only its leading hex digits as published in a torch.hub
 * file name ({@code resnet18-5c106cde.pth}: {@code 5c106cde} is a prefix of the SHA-256; torch.hub's
 * {@code download_url_to_file(..., hash_prefix)} checks exactly this, and torch &le; 1.1's {@code load_url} always
 * did, which is why such names carry real SHA-256 prefixes).
 *
 * @param kind whether {@code hex} is the whole digest or a prefix of it
 * @param hex  lowercase hex digits: 64 for {@link Kind#FULL_SHA256}, 8 to 63 for {@link Kind#SHA256_PREFIX}
 */
public record ExpectedHash(Kind kind, String hex) {

  /** How much of the digest the publisher gives, hence how strongly a file is checked. */
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
  }

  /** A full SHA-256 (case-insensitive input). */
  public static ExpectedHash full(String sha256) {
    return new ExpectedHash(Kind.FULL_SHA256, sha256.toLowerCase(Locale.ROOT));
  }

  /** A published prefix of the SHA-256 (case-insensitive input). */
  public static ExpectedHash prefix(String hexPrefix) {
    return new ExpectedHash(Kind.SHA256_PREFIX, hexPrefix.toLowerCase(Locale.ROOT));
  }

  /** Whether a file whose SHA-256 is {@code actualSha256} (64 hex digits, any case) satisfies this hash. */
  public boolean matches(String actualSha256) {
    String a = actualSha256.toLowerCase(Locale.ROOT);
    return kind == Kind.FULL_SHA256 ? a.equals(hex) : a.startsWith(hex);
  }

  /** For messages: {@code "SHA-256 5c106cde… (published prefix)"} or {@code "SHA-256 <64 digits>"}. */
  public String describe() {
    return kind == Kind.FULL_SHA256 ? "SHA-256 " + hex : "SHA-256 starting " + hex + " (published prefix)";
  }
}
