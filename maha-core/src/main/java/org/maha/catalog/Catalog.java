package org.maha.catalog;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.maha.image.Normalization;

/**
 * The backbones maha can fetch by name, with their official weight files (PAPER.md &sect;1.4). Immutable; the
 * official list is {@link #official()}, and {@link #withBaseUrl(URI)} re-points every entry at a mirror (or a
 * loopback server in tests) without any global setting.
 *
 * <p>Sources: EfficientNet file names from efficientnet_pytorch 0.6.3's {@code url_map}, first at the GitHub release
 * that package's later versions use (the one still served), then at 0.6.x's own Azure location; ResNet URLs from
 * torchvision 0.4's {@code model_urls}; MobileNetV2 from google-coral/test_data with the full SHA-256 measured in
 * shared/models/PROVENANCE.md. torchvision and lukemelas publish only the hash prefix in the file name.
 */
public final class Catalog {

  private static final String LUKEMELAS_RELEASE =
      "https://github.com/lukemelas/EfficientNet-PyTorch/releases/download/1.0/";
  private static final String LUKEMELAS_063_AZURE = "https://publicmodels.blob.core.windows.net/container/aa/";
  private static final String TORCHVISION = "https://download.pytorch.org/models/";
  private static final String CORAL = "https://github.com/google-coral/test_data/raw/master/";

  private static final String LICENCE_EFFICIENTNET =
      "lukemelas/EfficientNet-PyTorch (Apache-2.0), converted from Google's TensorFlow EfficientNet checkpoints "
          + "(Apache-2.0); trained on ImageNet-1k";
  private static final String LICENCE_TORCHVISION =
      "pytorch/vision (BSD-3-Clause); trained on ImageNet-1k, whose terms restrict use to non-commercial "
          + "research and education";
  private static final String LICENCE_CORAL =
      "google-coral/test_data (Apache-2.0): Keras MobileNetV2 1.0/224, int8 post-training quantised; "
          + "trained on ImageNet-1k";

  private static final Catalog OFFICIAL = new Catalog(officialEntries());

  private final Map<String, CatalogEntry> byName;

  private Catalog(List<CatalogEntry> entries) {
    Map<String, CatalogEntry> m = new LinkedHashMap<>();
    for (CatalogEntry e : entries) {
      if (m.put(e.name(), e) != null) {
        throw new IllegalArgumentException("duplicate catalog name " + e.name());
      }
    }
    this.byName = Collections.unmodifiableMap(m);
  }

  /** Every official backbone, in display order: EfficientNet-B0..B7, ResNets, Wide-ResNet, MobileNetV2. */
  public static Catalog official() {
    return OFFICIAL;
  }

  /** A catalog of the given entries (names must be distinct), e.g. for tests or a site-specific list. */
  public static Catalog of(List<CatalogEntry> entries) {
    return new Catalog(entries);
  }

  /** The entries in display order. */
  public List<CatalogEntry> entries() {
    return List.copyOf(byName.values());
  }

  /** The names in display order. */
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /** The entry called {@code name}, if any. */
  public Optional<CatalogEntry> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * The entry called {@code name}.
   *
   * @throws IllegalArgumentException naming the unknown name and listing the known ones
   */
  public CatalogEntry get(String name) {
    CatalogEntry e = byName.get(name);
    if (e == null) {
      throw new IllegalArgumentException("unknown backbone '" + name + "', expected one of "
          + String.join(", ", byName.keySet()));
    }
    return e;
  }

  /**
   * The same catalog with every entry downloaded from {@code base + fileName} only: a mirror that holds the
   * official files under their official names, or a loopback server in tests. The hashes are unchanged.
   */
  public Catalog withBaseUrl(URI base) {
    String b = base.toString().endsWith("/") ? base.toString() : base + "/";
    return new Catalog(byName.values().stream()
        .map(e -> e.withUrls(List.of(URI.create(b + e.fileName()))))
        .collect(Collectors.toList()));
  }

  private static List<String> levels(int n) {
    return IntStream.range(0, n).mapToObj(i -> "L" + i).collect(Collectors.toList());
  }

  private static CatalogEntry efficientNet(int b, String hashPrefix, int size, List<Integer> dims) {
    String name = "efficientnet-b" + b;
    String file = name + "-" + hashPrefix + ".pth";
    return new CatalogEntry(name, BackboneFamily.EFFICIENTNET, WeightFormat.TORCH_CHECKPOINT,
        List.of(URI.create(LUKEMELAS_RELEASE + file), URI.create(LUKEMELAS_063_AZURE + file)), file,
        ExpectedHash.prefix(hashPrefix), size, Normalization.IMAGENET, levels(dims.size()), dims,
        LICENCE_EFFICIENTNET);
  }

  /**
   * torchvision's EfficientNet (symmetric padding, its own BN eps and weights: PAPER.md §4.4), a named alternative
   * to the paper's 0.6.3 backbone; input size = torchvision's crop size; file names from torchvision 0.14.
   */
  private static CatalogEntry torchvisionEfficientNet(int b, String file, int size, List<Integer> dims) {
    String hash = file.substring(file.lastIndexOf('-') + 1, file.length() - ".pth".length());
    return new CatalogEntry("torchvision-efficientnet_b" + b, BackboneFamily.EFFICIENTNET,
        WeightFormat.TORCH_CHECKPOINT, List.of(URI.create(TORCHVISION + file)), file, ExpectedHash.prefix(hash), size,
        Normalization.IMAGENET, levels(dims.size()), dims, LICENCE_TORCHVISION);
  }

  private static CatalogEntry resNet(String name, String hashPrefix, List<Integer> dims) {
    String file = name + "-" + hashPrefix + ".pth";
    return new CatalogEntry(name, BackboneFamily.RESNET, WeightFormat.TORCH_CHECKPOINT,
        List.of(URI.create(TORCHVISION + file)), file, ExpectedHash.prefix(hashPrefix), 224,
        Normalization.IMAGENET, levels(dims.size()), dims, LICENCE_TORCHVISION);
  }

  private static List<CatalogEntry> officialEntries() {
    List<CatalogEntry> all = new ArrayList<>();
    // PAPER.md §1.4 table: D per level L0 (stem), L1..L7 (last block of each stage), L8 (head).
    all.add(efficientNet(0, "355c32eb", 224, List.of(32, 16, 24, 40, 80, 112, 192, 320, 1280)));
    all.add(efficientNet(1, "f1951068", 240, List.of(32, 16, 24, 40, 80, 112, 192, 320, 1280)));
    all.add(efficientNet(2, "8bb594d6", 260, List.of(32, 16, 24, 48, 88, 120, 208, 352, 1408)));
    all.add(efficientNet(3, "5fb5a3c3", 300, List.of(40, 24, 32, 48, 96, 136, 232, 384, 1536)));
    all.add(efficientNet(4, "6ed6700e", 380, List.of(48, 24, 32, 56, 112, 160, 272, 448, 1792)));
    all.add(efficientNet(5, "b6417697", 456, List.of(48, 24, 40, 64, 128, 176, 304, 512, 2048)));
    all.add(efficientNet(6, "c76e70fd", 528, List.of(56, 32, 40, 72, 144, 200, 344, 576, 2304)));
    all.add(efficientNet(7, "dcc49843", 600, List.of(64, 32, 48, 80, 160, 224, 384, 640, 2560)));
    // torchvision's variant: same nine taps and channel counts (same rounding of widths and depths).
    List<List<Integer>> effDims = List.of(List.of(32, 16, 24, 40, 80, 112, 192, 320, 1280),
        List.of(32, 16, 24, 40, 80, 112, 192, 320, 1280), List.of(32, 16, 24, 48, 88, 120, 208, 352, 1408),
        List.of(40, 24, 32, 48, 96, 136, 232, 384, 1536), List.of(48, 24, 32, 56, 112, 160, 272, 448, 1792),
        List.of(48, 24, 40, 64, 128, 176, 304, 512, 2048), List.of(56, 32, 40, 72, 144, 200, 344, 576, 2304),
        List.of(64, 32, 48, 80, 160, 224, 384, 640, 2560));
    String[] tvFiles = {"efficientnet_b0_rwightman-3dd342df.pth", "efficientnet_b1_rwightman-533bc792.pth",
        "efficientnet_b2_rwightman-bcdf34b7.pth", "efficientnet_b3_rwightman-cf984f9c.pth",
        "efficientnet_b4_rwightman-7eb33cd5.pth", "efficientnet_b5_lukemelas-b6417697.pth",
        "efficientnet_b6_lukemelas-c76e70fd.pth", "efficientnet_b7_lukemelas-dcc49843.pth"};
    int[] tvSizes = {224, 240, 288, 300, 380, 456, 528, 600};
    for (int b = 0; b < 8; b++) {
      all.add(torchvisionEfficientNet(b, tvFiles[b], tvSizes[b], effDims.get(b)));
    }
    // PAPER.md §1.4: L0 after stem + maxpool, L1..L4 = layer1..layer4.
    List<Integer> basic = List.of(64, 64, 128, 256, 512);
    List<Integer> bottleneck = List.of(64, 256, 512, 1024, 2048);
    all.add(resNet("resnet18", "5c106cde", basic));
    all.add(resNet("resnet34", "333f7ec4", basic));
    all.add(resNet("resnet50", "19c8e357", bottleneck));
    all.add(resNet("resnet101", "5d3b4d8f", bottleneck));
    all.add(resNet("resnet152", "b121ed2d", bottleneck));
    // Not in the official code; its taps have resnet50's channel counts (the width factor widens inner convs only).
    all.add(resNet("wide_resnet50_2", "95faca4d", bottleneck));
    String coral = "tf2_mobilenet_v2_1.0_224_ptq.tflite";
    // shared/models/PROVENANCE.md: stem, the output of every bottleneck stage, the final 1x1 conv (Σ D = 2024).
    all.add(new CatalogEntry("mobilenet_v2", BackboneFamily.MOBILENET_V2, WeightFormat.TFLITE,
        List.of(URI.create(CORAL + coral)), coral,
        ExpectedHash.full("5d3137241276e79c86d14a74fe43581398ae0e815191d3dba45495b810840e8c"), 224,
        Normalization.MINUS1_TO_1, levels(9), List.of(32, 16, 24, 32, 64, 96, 160, 320, 1280), LICENCE_CORAL));
    return all;
  }
}
