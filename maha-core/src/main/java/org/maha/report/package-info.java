/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>The evaluation report people read: {@link org.maha.report.HtmlReport} turns an
 * {@link org.maha.pipeline.EvaluationReport} into one self-contained HTML page (tables, and PNG figures embedded as
 * {@code data:} URIs, so it opens offline and can be mailed as one file), the same figures as separate PNG files,
 * and a Markdown version. Charts are drawn by JFreeChart; the thumbnail grid reads the test images named in the
 * report ({@link org.maha.report.ThumbnailFiles}, the only class here that touches the file system).
 *
 * <p>Output is a function of the report and {@link org.maha.report.ReportOptions} alone (the date line comes from
 * the options), so two renderings of the same input are byte-identical. Nothing here prints or keeps state.
 *
 * <p>Rendering uses Java2D on off-screen images only and opens no window; it sets no system properties. On a
 * machine without a display the JVM runs headless by itself when {@code DISPLAY} is unset; a caller that has a
 * display but wants to be sure may start the JVM with {@code -Djava.awt.headless=true}.
 */
package org.maha.report;
