package org.maha.report;

/** An encoded PNG and its size; {@code bytes} is not copied (package-private, built once and only read). */
record Png(byte[] bytes, int widthPx, int heightPx) {}
