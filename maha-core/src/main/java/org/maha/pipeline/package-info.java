/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>Puts the pieces together over files: images → backbone → model → evaluation, with progress reported through
 * {@link org.maha.pipeline.ProgressListener}. This package and {@code model.ModelFile} are where files are read
 * and written; bad user input surfaces as an exception whose message is one line naming the file.
 */
package org.maha.pipeline;
