package org.maha.image;

/**
 * A valid-looking image that this JVM's heap cannot decode (its header's pixel count times the bytes per pixel of
 * the decoded raster is more than {@link HeapBudget} allows, or decoding ran out of memory). Unchecked and
 * separate from {@link ImageDecodeException} on purpose: the file is not unreadable, the heap is too small, so
 * "skip unreadable files" must not swallow it; the caller should stop and tell the user to give Java more memory
 * or to lower the pixel limit. The message is one line, starts with the file when the caller knows it.
 */
public final class ImageMemoryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ImageMemoryException(String message) {
    super(message);
  }

  /** The same problem, its message prefixed with {@code file} (which the decoder does not know). */
  public ImageMemoryException naming(Object file) {
    ImageMemoryException e = new ImageMemoryException(file + ": " + getMessage());
    e.setStackTrace(getStackTrace());
    return e;
  }
}
