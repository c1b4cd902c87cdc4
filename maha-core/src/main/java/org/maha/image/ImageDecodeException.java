package org.maha.image;

/**
 * An image file that cannot be decoded: empty, not a supported format, truncated or corrupt, an unsupported
 * layout, or over the {@link DecodeLimits}. The message is one line and names no file: the caller, who knows
 * the path, prefixes it ({@code "bottle/train/good/017.png: truncated or corrupt PNG: ..."}).
 */
public final class ImageDecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  /** An exception with a one-line message that does not mention the file. */
  public ImageDecodeException(String message) {
    super(message);
  }

  /** Same, keeping the decoder's exception as the cause for debugging; the message stays self-contained. */
  public ImageDecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
