/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>The detector of Rippel et al. (ICPR 2020): per backbone level a {@link org.maha.model.LevelModel} (the paper's
 * Ledoit-Wolf Gaussian, or a baseline), combined by the mean of per-level distances. {@code GaussianAdFitter}
 * learns (mutable, streaming), {@code GaussianAdModel} is what was learned (immutable), {@code ModelFile} stores
 * it with its provenance.
 */
package org.maha.model;
