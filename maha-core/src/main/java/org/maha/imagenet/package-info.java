/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>What an ImageNet classifier's output means: the 1000 class names and the ranking of a probability vector. Used
 * to check, on photos anyone can judge, that a backbone is the pretrained network it claims to be.
 */
package org.maha.imagenet;
