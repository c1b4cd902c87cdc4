package org.maha.image;

/**
 * Counts the scans (SOS segments) of a JPEG file without decoding it. A progressive JPEG is decoded by one pass
 * over the whole image per scan, so a small file with thousands of tiny scans of a large image costs thousands of
 * full passes (a CPU bomb that no pixel limit catches); encoders write at most a dozen or so scans.
 */
final class JpegScans {
  /** More scans than any encoder writes (libjpeg's default progression has 10; one per component for baseline). */
  static final int MAX_SCANS = 256;

  private JpegScans() {}

  /**
   * The number of SOS markers, walking marker segments by their lengths (so a thumbnail inside APP1 is not
   * counted) and entropy-coded data by its byte stuffing; stops early once over {@code MAX_SCANS}. A broken
   * structure ends the walk: the decoder reports it.
   */
  static int count(byte[] b) {
    int scans = 0;
    int p = 2; // after SOI
    while (p + 3 < b.length && scans <= MAX_SCANS) {
      if ((b[p] & 0xff) != 0xFF) {
        return scans;
      }
      int marker = b[p + 1] & 0xff;
      if (marker == 0xFF) { // fill byte
        p++;
        continue;
      }
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        p += 2;
        continue;
      }
      if (marker == 0xD9) {
        return scans;
      }
      int length = ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
      p += 2 + length;
      if (marker == 0xDA) {
        scans++;
        // entropy-coded data: up to the next marker other than a stuffed 0xFF00 or a restart marker
        while (p + 1 < b.length) {
          if ((b[p] & 0xff) == 0xFF) {
            int next = b[p + 1] & 0xff;
            if (next != 0x00 && !(next >= 0xD0 && next <= 0xD7)) {
              break;
            }
          }
          p++;
        }
      }
    }
    return scans;
  }
}
