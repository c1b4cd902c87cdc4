package org.maha.catalog;

/** Which architecture code builds a catalog entry's network; the id is what {@code backbones list} shows. */
public enum BackboneFamily {
  /** lukemelas efficientnet_pytorch 0.6.3 (static TF-SAME padding for the nominal size, BN eps 1e-3). */
  EFFICIENTNET("efficientnet"),
  /** torchvision ResNet / Wide-ResNet (basic or bottleneck blocks, stem + maxpool). */
  RESNET("resnet"),
  /** Keras/TF2 MobileNetV2, from a quantised TFLite flatbuffer. */
  MOBILENET_V2("mobilenet_v2");

  private final String id;

  BackboneFamily(String id) {
    this.id = id;
  }

  /** Lowercase identifier. */
  public String id() {
    return id;
  }
}
