/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>CNN architectures of the paper's backbones (PAPER.md §1.4), built as ONNX graphs from their official weights'
 * state dicts with {@link org.maha.onnx.GraphBuilder}: {@link org.maha.arch.ResNet} (torchvision ResNet-18..152,
 * Wide-ResNet, ResNeXt, at any width and depth).
 *
 * <p>Promises: the graphs have one input {@code "input"} [N, 3, S, S] and one pooled [N, C] output per level tap,
 * named {@code L0, L1, ...}, so {@link org.maha.backbone.OnnxBackbone} opens them with {@code --levels L0,...};
 * BatchNorm is folded into the convolutions. Weights that do not fit (missing, unexpected or misshapen keys) raise
 * {@link org.maha.arch.ArchitectureException} naming the source and the key. Pure: no I/O, no printing.
 */
package org.maha.arch;
