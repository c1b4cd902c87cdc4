/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>Writing output files safely: all-or-nothing writes through a temporary file in the target folder and a
 * rename, so a crash or an error never leaves a partial model, report or feature file behind.
 */
package org.maha.files;
