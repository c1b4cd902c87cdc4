/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>Named backbones end to end: a catalog entry plus its weights (the verified official file, a user's file, or a
 * seeded random initialisation for tests) become an ONNX graph, built in Java by the family's architecture code
 * and cached under {@code <cache root>/graphs/} so later runs reuse it.
 *
 * <p>{@link org.maha.zoo.BackboneZoo} is the entry point; {@link org.maha.zoo.GraphBuilders} maps each
 * {@link org.maha.catalog.BackboneFamily} to its builder, so a new architecture is one registration. Every cached
 * graph carries its provenance twice: in the ONNX {@code metadata_props} and in a {@code provenance.json} beside it
 * (catalog name, weights SHA-256, verified or not, pretrained or not). A graph from random weights is named
 * {@code "<name> (random init, NOT pretrained)"}, and that name is what model files and reports show.
 */
package org.maha.zoo;
