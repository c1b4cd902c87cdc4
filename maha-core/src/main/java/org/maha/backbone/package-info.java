/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>Pretrained CNN backbones: turns a batch of normalised CHW images into one globally average-pooled feature
 * vector per level tap (Rippel et al. 2020, §1.4-1.5 of PAPER.md: x = mean over the H×W positions of each
 * C×H×W level map).
 *
 * <p>{@link org.maha.backbone.OnnxBackbone} is the only class in maha that imports {@code ai.onnxruntime}. It owns
 * its {@code OrtSession} and {@code SessionOptions} and closes them in {@code close()}; the process-wide
 * {@code OrtEnvironment} is shared and never closed. Every tensor and result lives inside one method call, and
 * features are copied into Java {@code double} arrays before the native result is released.
 *
 * <p>Promises: features are float64, pooled in a fixed order (so repeated runs are bit-identical for one
 * session and batch size); bad user input about a model file (missing, not ONNX, wrong input shape, unknown level
 * names) raises {@link org.maha.backbone.BackboneException} naming the file; misuse by the caller (wrong array
 * length, use after close) raises JDK exceptions. Known files are recognised by SHA-256 through
 * {@link org.maha.backbone.Presets}, so the user need not name their levels or normalisation.
 */
package org.maha.backbone;
