package org.maha.zoo;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.maha.arch.ResNet;

/**
 * The shape of a torchvision ResNet, enough to generate a random state dict with torchvision's keys: block type,
 * blocks per stage, stem width, the planes of each stage and the Bottleneck's inner width factor (2 for
 * Wide-ResNet). The standard networks are {@link #named}; tests use reduced ones.
 *
 * @param block            BasicBlock (expansion 1) or Bottleneck (expansion 4)
 * @param blocksPerStage   blocks in layer1..layer4
 * @param stemWidth        output channels of conv1 (64 in torchvision)
 * @param planes           planes of layer1..layer4 (64, 128, 256, 512 in torchvision)
 * @param innerWidthFactor Bottleneck only: its 1×1/3×3 convs have {@code planes × factor} channels (wide: 2)
 */
public record ResNetConfig(ResNet.Block block, List<Integer> blocksPerStage, int stemWidth, List<Integer> planes,
    int innerWidthFactor) {

  private static final List<Integer> TORCHVISION_PLANES = List.of(64, 128, 256, 512);
  private static final int TORCHVISION_STEM = 64;

  public ResNetConfig {
    Objects.requireNonNull(block, "block");
    blocksPerStage = List.copyOf(blocksPerStage);
    planes = List.copyOf(planes);
    if (blocksPerStage.size() != 4 || planes.size() != 4) {
      throw new IllegalArgumentException("expected 4 stages, found blocks " + blocksPerStage + " and planes "
          + planes);
    }
    if (blocksPerStage.stream().anyMatch(b -> b < 1) || planes.stream().anyMatch(p -> p < 1) || stemWidth < 1
        || innerWidthFactor < 1) {
      throw new IllegalArgumentException("blocks, planes, stem width and inner width factor must be >= 1, found "
          + blocksPerStage + ", " + planes + ", " + stemWidth + ", " + innerWidthFactor);
    }
    if (block == ResNet.Block.BASIC && innerWidthFactor != 1) {
      throw new IllegalArgumentException("a BasicBlock ResNet has no inner width factor, found " + innerWidthFactor);
    }
  }

  /** torchvision's configuration for a catalog name, if it is a ResNet maha knows. */
  public static Optional<ResNetConfig> named(String name) {
    ResNetConfig c = switch (name) {
      case "resnet18" -> standard(ResNet.Block.BASIC, 2, 2, 2, 2, 1);
      case "resnet34" -> standard(ResNet.Block.BASIC, 3, 4, 6, 3, 1);
      case "resnet50" -> standard(ResNet.Block.BOTTLENECK, 3, 4, 6, 3, 1);
      case "resnet101" -> standard(ResNet.Block.BOTTLENECK, 3, 4, 23, 3, 1);
      case "resnet152" -> standard(ResNet.Block.BOTTLENECK, 3, 8, 36, 3, 1);
      case "wide_resnet50_2" -> standard(ResNet.Block.BOTTLENECK, 3, 4, 6, 3, 2);
      default -> null;
    };
    return Optional.ofNullable(c);
  }

  private static ResNetConfig standard(ResNet.Block block, int b1, int b2, int b3, int b4, int factor) {
    return new ResNetConfig(block, List.of(b1, b2, b3, b4), TORCHVISION_STEM, TORCHVISION_PLANES, factor);
  }

  /** Output channels of each block: planes × 1 (BasicBlock) or × 4 (Bottleneck). */
  public int expansion() {
    return block == ResNet.Block.BASIC ? 1 : 4;
  }

  /** Channels of the pooled levels L0..L4. */
  public List<Integer> levelDims() {
    List<Integer> d = new ArrayList<>(List.of(stemWidth));
    planes.forEach(p -> d.add(p * expansion()));
    return List.copyOf(d);
  }

  /**
   * Values in torchvision's state dict of this network with an ImageNet classifier of {@code classes} classes:
   * convolutions, BatchNorm (weight, bias, running mean and variance, batch counter) and the final Linear. The
   * zoo bounds what a weight file may make it read by this.
   */
  public long stateDictValues(int classes) {
    long n = conv(stemWidth, 3, 7) + bn(stemWidth);
    long inplanes = stemWidth;
    for (int stage = 0; stage < 4; stage++) {
      long p = planes.get(stage);
      long out = p * expansion();
      for (int b = 0; b < blocksPerStage.get(stage); b++) {
        if (block == ResNet.Block.BASIC) {
          n += conv(p, inplanes, 3) + bn(p) + conv(p, p, 3) + bn(p);
        } else {
          long width = p * innerWidthFactor;
          n += conv(width, inplanes, 1) + bn(width) + conv(width, width, 3) + bn(width) + conv(out, width, 1)
              + bn(out);
        }
        if (b == 0 && (stage > 0 || inplanes != out)) {
          n += conv(out, inplanes, 1) + bn(out);
        }
        inplanes = out;
      }
    }
    return n + inplanes * classes + classes;
  }

  private static long conv(long out, long in, long k) {
    return out * in * k * k;
  }

  private static long bn(long c) {
    return 4 * c + 1;
  }

  /** A file-name-safe description, e.g. {@code resnet-basic-b1.1.1.1-s8-p4.8.16.32}. */
  public String label() {
    return "resnet-" + (block == ResNet.Block.BASIC ? "basic" : "bottleneck")
        + "-b" + join(blocksPerStage) + "-s" + stemWidth + "-p" + join(planes)
        + (innerWidthFactor == 1 ? "" : "-w" + innerWidthFactor);
  }

  private static String join(List<Integer> xs) {
    return xs.stream().map(String::valueOf).collect(Collectors.joining("."));
  }
}
