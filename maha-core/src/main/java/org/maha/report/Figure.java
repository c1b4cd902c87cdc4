package org.maha.report;

/**
 * One figure of the report.
 *
 * @param fileName name under {@code figures/}, unique within a report
 * @param alt      the image's alternative text
 * @param caption  what the figure shows and how to read it, plain text
 */
record Figure(String fileName, String alt, String caption, Png png) {}
