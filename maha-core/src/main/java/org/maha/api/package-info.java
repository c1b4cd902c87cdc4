/**
 * The stable public API of maha: what a JVM application embeds to fit an anomaly detector on good images and
 * score new ones (files, or frames already in memory) in-process.
 *
 * <p>Start with {@link org.maha.api.Detector#builder()}: a {@link org.maha.api.Detector} owns the one native
 * backbone session; {@link org.maha.api.Detector#fit fit} returns an immutable
 * {@link org.maha.api.FittedModel} that can be saved, loaded and shared between threads;
 * {@link org.maha.api.Detector#score score} returns an immutable {@link org.maha.api.Score}. Inputs of every form
 * are given as {@link org.maha.api.Images}.
 *
 * <p>Streams of any form ({@link org.maha.api.Images#stream}, {@link org.maha.api.Images#streamFiles}, ...) are
 * read as the detector goes, with memory bounded by the batch size and the decode-ahead window.
 *
 * <p>Only this package is stable: every other {@code org.maha} package is internal to maha and its command line,
 * and may change in any release without notice ({@code org.maha.api.internal} included, which only maha's own
 * tools use). This package's signatures name only its own types and {@code java.*} types, as a test checks.
 */
package org.maha.api;
