/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>The optional training-set augmentation of Rippel et al. (2020) (PAPER.md &sect;1.9): random blur, contrast,
 * colour, noise, flips, quarter turns and small affine warps applied to the resized uint8 training image before
 * normalisation, with per-category {@link org.maha.augment.AugmentationRules} from the official code.
 *
 * <p>Promises: pure functions of values (no I/O, no shared state, no printing); {@link
 * org.maha.augment.Augmenter} is immutable, thread-safe and seeded, so an augmented fit is reproducible where
 * the official one is not. Each operation follows the OpenCV 4.6 call that albumentations 0.4.3 / imgaug 0.2.6
 * make, checked against fixtures written by {@code make_fixtures.py} in the test resources; where an operation
 * is not bit-exact its Javadoc says so and the parity test states the measured difference.
 */
package org.maha.augment;
