/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>Image bytes to the backbone's input: decode (PNG, JPEG, BMP, TIFF) to RGB {@code uint8}, resize to
 * S&nbsp;&times;&nbsp;S, normalise to a channel-major {@code float[]}.
 *
 * <p>The reference preprocessing of Rippel et al. (2020) is OpenCV + albumentations 0.4.3:
 * {@code cv2.imread} (IMREAD_COLOR), BGR&rarr;RGB, {@code cv2.resize(img, (S, S))} with INTER_LINEAR on the
 * {@code uint8} image, then {@code Normalize()} and HWC&rarr;CHW (PAPER.md &sect;1.3). Every step here is a
 * bit-exact port of that chain, checked against OpenCV 4.6 and numpy fixtures, because a float bilinear or a
 * gamma-converting gray read moves per-level AUROCs measurably (PAPER.md &sect;5.3).
 *
 * <p>Promises: decoding never returns a partially decoded image and checks the header's pixel count against
 * {@link org.maha.image.DecodeLimits} before allocating; bad input raises {@link
 * org.maha.image.ImageDecodeException} with a one-line message and no path (the caller prefixes the file name).
 * After decoding, everything is a pure function of values: no file system access, no shared state; all types
 * are immutable and safe to use from many threads. This package imports no other {@code maha} package.
 */
package org.maha.image;
