/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>NumPy {@code .npy} arrays in and out: the exchange format for features ({@code maha embed}) and for the
 * arrays inside a {@code .maha} model file, chosen so that a Python user needs numpy alone. Pure byte
 * handling, no file system access.
 */
package org.maha.npy;
