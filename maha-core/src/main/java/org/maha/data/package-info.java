/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>Image data on disk: folder listing, the MVTec AD layout, the official 5-fold split of the training images,
 * and a self-contained synthetic inspection data set in the MVTec layout.
 *
 * <p>Promises: every list is in the order of the official code of Rippel et al. (2020) (class folders sorted,
 * files sorted by name, see {@code PAPER.md} §1.2), so fold indices refer to the same images; {@link
 * org.maha.data.KFold} reproduces scikit-learn's {@code KFold(shuffle=True, random_state=seed)} bit for bit; bad
 * folders or layouts raise {@link org.maha.data.DataException} naming the path. This package depends on the JDK
 * only and never prints.
 */
package org.maha.data;
