/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>Reads pretrained weights without Python: PyTorch checkpoints (zip and legacy {@code torch.save} formats) and
 * safetensors into name → {@link org.maha.weights.Tensor} maps ({@link org.maha.weights.StateDicts}), and TFLite
 * flatbuffers with dequantised int8/uint8 weights ({@link org.maha.weights.TfliteModel}).
 *
 * <p>Files are treated as untrusted. Pickles are interpreted by a small allow-listing unpickler that never
 * imports or calls code; any global beyond the few that rebuild tensors and ordered dicts is refused. Every
 * length, element count and offset is checked against the file's size before memory is allocated. All failures
 * are {@link org.maha.weights.WeightFileException}s whose message starts with the file name.
 *
 * <p>Imports nothing from other maha packages (Jackson only, for the safetensors header).
 */
package org.maha.weights;
