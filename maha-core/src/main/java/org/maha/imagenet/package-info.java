/**
 * What an ImageNet classifier's output means: the 1000 class names and the ranking of a probability vector. Used
 * to check, on photos anyone can judge, that a backbone is the pretrained network it claims to be.
 */
package org.maha.imagenet;
