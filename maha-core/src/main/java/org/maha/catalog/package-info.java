/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>The named pretrained backbones of Rippel et al. (2020) and where their official weight files come from
 * (PAPER.md &sect;1.4), plus a local cache that downloads, verifies and keeps them.
 *
 * <p>{@link org.maha.catalog.Catalog} is pure data: name, family, official URL(s), file name, expected hash,
 * input size, normalisation, level names and dimensions, licence note. {@link org.maha.catalog.WeightCache} is the
 * only class here that touches the file system or the network: it downloads with {@code java.net.http} to
 * {@code <file>.part}, resumes with an HTTP Range request when it can, verifies the hash and only then renames the
 * file into place, so the cache never holds an unverified weight file under its final name.
 *
 * <p>Promises: nothing here prints; progress goes through {@link org.maha.catalog.DownloadListener} on the calling
 * thread. Every failure a user can cause or fix (offline, wrong hash, unwritable cache, missing local file) raises
 * {@link org.maha.catalog.WeightCacheException}, whose message names the URL or file and says what to do.
 * Where a publisher gives the full SHA-256 it is checked in full; where only the torch.hub style prefix in the
 * file name is published, that prefix is checked ({@link org.maha.catalog.ExpectedHash.Kind}); a digest the user
 * obtained elsewhere can be pinned instead ({@link org.maha.catalog.ExpectedHash#pinned(String)}).
 */
package org.maha.catalog;
