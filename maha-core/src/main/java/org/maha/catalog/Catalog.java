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
 * <p>Sources and how each file is checked ({@code backbones list} shows full / prefix per entry):
 * <ul>
 *   <li><b>efficientnet-b0..b7</b> (the paper's): file names from efficientnet_pytorch 0.6.3's {@code url_map},
 *   first at the GitHub release later versions use, then at 0.6.x's own Azure location (same file names). Only the
 *   8-hex prefix in the name is published, so that prefix is checked. The files date from 2019, when
 *   {@code torch.utils.model_zoo.load_url} verified the name's prefix on every download, so the prefixes are very
 *   likely true; 0.6.3 itself loads them with the check off, so no later record confirms them.</li>
 *   <li><b>torchvision-efficientnet_b0..b7</b>: the names torchvision 0.14 shipped (Debian's 0.14.1
 *   {@code models/efficientnet.py}: {@code …_rwightman-3dd342df}, {@code …b1_rwightman-533bc792},
 *   {@code -bcdf34b7}, {@code -cf984f9c}, {@code -7eb33cd5}, {@code …_lukemelas-b6417697}, {@code -c76e70fd},
 *   {@code -dcc49843}) do not carry the files' SHA-256 prefixes: once torchvision turned its hash check on
 *   (pytorch/vision PR #7219, torchvision 0.16) every download failed with "invalid hash value (expected
 *   \"3dd342df\", got \"7f5810bc96de…\")" (issues #7744, comment of 2023-10-10 listing B0 and B2..B7 with their
 *   full digests; #8034, #8060, #8064, #8263, #8488). PR #8036 ("Fix hashes of efficientnet weights", cherry-picked
 *   as #8040) renamed them after their real digests ({@code efficientnet_b0_rwightman-7f5810bc.pth} …), keeping the
 *   old objects ("the previous URLs still exist", same bytes: the digests reported for the old URLs are the new
 *   names' prefixes). So B0, B2..B7 pin those reported full digests; the current name comes first and is the cache
 *   name, the old URL is a mirror and an old-name file in the cache is still found. B1 was renamed earlier, by PR
 *   #7898 ("Fix weight download URLs", fixes #7744; "re-uploaded the proper weights with the proper hashes"): the
 *   post-fix {@code EfficientNet_B1_Weights.IMAGENET1K_V1} URL is {@code efficientnet_b1_rwightman-bac287d4.pth}
 *   (seen in vendored copies of torchvision's post-fix {@code models/efficientnet.py}, beside
 *   {@code …b0_rwightman-7f5810bc}, {@code …b5_lukemelas-1a07897c} etc.; the pre-fix file, e.g. pytorch/vision
 *   07a929e8, has {@code -533bc792}), whose prefix torchvision's own check accepts (PR #8036's script loading every
 *   weight with the check on reported no failure). No full
 *   digest of B1 is published, so {@code bac287d4} is checked as a prefix; {@code 533bc792} is not used as a hash,
 *   and the old URL stays a mirror only because the {@code bac287d4} check gates whatever it serves (no record says
 *   it serves the same bytes).</li>
 *   <li><b>resnet18..152</b>: torchvision's current {@code ResNetNN_Weights.IMAGENET1K_V1} files
 *   ({@code resnet18-f37072fd}, {@code resnet34-b627a593}, {@code resnet50-0676ba61}, {@code resnet101-63fe2227},
 *   {@code resnet152-394f9c45}: the {@code IMAGENET1K_V1} URLs of {@code models/resnet.py} in Debian's
 *   python3-torchvision 0.14.1, read from the package, and still in later torchvision per vendored copies and timm
 *   PR #2346), the re-serialisation asked for in pytorch/vision #2068 and done in PR #3620 ("weights are
 *   unchanged, but the files can now be properly unpickled"; re-saved in 2021 by {@code torch.save}, whose default
 *   has been the zip format since torch 1.6; old URLs "still online for BC", timm #2346). Chosen over the
 *   legacy {@code resnet18-5c106cde} family of torchvision 0.4 (the files the paper's code loaded) because they are
 *   what torchvision loads today, their prefixes pass its hash check (on since 0.16), and the zip format carries a
 *   CRC-32 per entry that the reader checks. The legacy files hold the same weights in other bytes, so they are no
 *   mirror; they are accepted, each under its own prefix (checked by torch &le; 1.1 on every download in their
 *   day), from the cache and as {@code --weights} ({@link CatalogEntry#formerFiles()}).</li>
 *   <li><b>wide_resnet50_2</b>: {@code wide_resnet50_2-95faca4d.pth}, still torchvision's
 *   {@code Wide_ResNet50_2_Weights.IMAGENET1K_V1} (never re-serialised; the test fixture records the URL from
 *   torchvision 0.14).</li>
 *   <li><b>mobilenet_v2</b>: google-coral/test_data with the full SHA-256 measured in shared/models/PROVENANCE.md.</li>
 * </ul>
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

  /** Input size (torchvision's crop size) of torchvision's EfficientNet-B0..B7. */
  private static final int[] TV_EFFICIENTNET_SIZES = {224, 240, 288, 300, 380, 456, 528, 600};
  /**
   * Channels of the nine taps of B0..B7, efficientnet_pytorch 0.6.3 and torchvision alike (same rounding of widths
   * and depths; PAPER.md §1.4 table).
   */
  private static final List<List<Integer>> EFFICIENTNET_DIMS = List.of(
      List.of(32, 16, 24, 40, 80, 112, 192, 320, 1280), List.of(32, 16, 24, 40, 80, 112, 192, 320, 1280),
      List.of(32, 16, 24, 48, 88, 120, 208, 352, 1408), List.of(40, 24, 32, 48, 96, 136, 232, 384, 1536),
      List.of(48, 24, 32, 56, 112, 160, 272, 448, 1792), List.of(48, 24, 40, 64, 128, 176, 304, 512, 2048),
      List.of(56, 32, 40, 72, 144, 200, 344, 576, 2304), List.of(64, 32, 48, 80, 160, 224, 384, 640, 2560));

  // after the tables above: static fields are initialised in textual order
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

  private static CatalogEntry efficientNet(int b, String hashPrefix, int size) {
    String name = "efficientnet-b" + b;
    String file = name + "-" + hashPrefix + ".pth";
    return new CatalogEntry(name, BackboneFamily.EFFICIENTNET, WeightFormat.TORCH_CHECKPOINT,
        List.of(URI.create(LUKEMELAS_RELEASE + file), URI.create(LUKEMELAS_063_AZURE + file)), file,
        ExpectedHash.prefix(hashPrefix), size, Normalization.IMAGENET, levels(9), EFFICIENTNET_DIMS.get(b),
        LICENCE_EFFICIENTNET);
  }

  /**
   * torchvision's EfficientNet-B{@code b} (symmetric padding, its own BN eps and weights: PAPER.md §4.4), a named
   * alternative to the paper's 0.6.3 backbone. Downloaded from {@code base + file}, else {@code base + formerFile}
   * (the object under its pre-PR-#8036 name); a file under either name in the cache is used when it has
   * {@code hash}. Package-private so tests build an entry with the same code against a loopback server.
   */
  static CatalogEntry torchvisionEfficientNet(String base, int b, String file, String formerFile, ExpectedHash hash) {
    return new CatalogEntry("torchvision-efficientnet_b" + b, BackboneFamily.EFFICIENTNET,
        WeightFormat.TORCH_CHECKPOINT, List.of(URI.create(base + file), URI.create(base + formerFile)), file, hash,
        TV_EFFICIENTNET_SIZES[b], Normalization.IMAGENET, levels(9), EFFICIENTNET_DIMS.get(b), LICENCE_TORCHVISION,
        List.of(new CatalogEntry.FormerFile(formerFile, hash)));
  }

  /**
   * A torchvision ResNet: the current (re-serialised) file {@code name-hashPrefix.pth}, and, when
   * {@code legacyPrefix} is not null, the torchvision 0.4 file of the same weights accepted from the cache and as
   * {@code --weights}.
   */
  private static CatalogEntry resNet(String name, String hashPrefix, String legacyPrefix, List<Integer> dims) {
    String file = name + "-" + hashPrefix + ".pth";
    List<CatalogEntry.FormerFile> former = legacyPrefix == null ? List.of()
        : List.of(new CatalogEntry.FormerFile(name + "-" + legacyPrefix + ".pth", ExpectedHash.prefix(legacyPrefix)));
    return new CatalogEntry(name, BackboneFamily.RESNET, WeightFormat.TORCH_CHECKPOINT,
        List.of(URI.create(TORCHVISION + file)), file, ExpectedHash.prefix(hashPrefix), 224,
        Normalization.IMAGENET, levels(dims.size()), dims, LICENCE_TORCHVISION, former);
  }

  private static List<CatalogEntry> officialEntries() {
    List<CatalogEntry> all = new ArrayList<>();
    // PAPER.md §1.4: levels L0 (stem), L1..L7 (last block of each stage), L8 (head).
    all.add(efficientNet(0, "355c32eb", 224));
    all.add(efficientNet(1, "f1951068", 240));
    all.add(efficientNet(2, "8bb594d6", 260));
    all.add(efficientNet(3, "5fb5a3c3", 300));
    all.add(efficientNet(4, "6ed6700e", 380));
    all.add(efficientNet(5, "b6417697", 456));
    all.add(efficientNet(6, "c76e70fd", 528));
    all.add(efficientNet(7, "dcc49843", 600));
    // torchvision's variant: same nine taps and channel counts; names and digests: see the class comment.
    String[][] tv = {
        {"efficientnet_b0_rwightman-7f5810bc.pth", "efficientnet_b0_rwightman-3dd342df.pth",
            "7f5810bc96def8f7552d5b7e68d53c4786f81167d28291b21c0d90e1fca14934"},
        {"efficientnet_b1_rwightman-bac287d4.pth", "efficientnet_b1_rwightman-533bc792.pth", null},
        {"efficientnet_b2_rwightman-c35c1473.pth", "efficientnet_b2_rwightman-bcdf34b7.pth",
            "c35c147384e385a5bab5a8eabdabbe5a3df0487ee4a554108626ae474a5bf755"},
        {"efficientnet_b3_rwightman-b3899882.pth", "efficientnet_b3_rwightman-cf984f9c.pth",
            "b3899882250c22946d0229d266049fcd133c169233530b36b9ffa7983988362f"},
        {"efficientnet_b4_rwightman-23ab8bcd.pth", "efficientnet_b4_rwightman-7eb33cd5.pth",
            "23ab8bcd5bdbef61a7a43b91adcad81f622fd7f36fb4935a569828d77888c44e"},
        {"efficientnet_b5_lukemelas-1a07897c.pth", "efficientnet_b5_lukemelas-b6417697.pth",
            "1a07897c0d357db7981640f6be44a63420f11deb932344a69768b62ebe272946"},
        {"efficientnet_b6_lukemelas-24a108a5.pth", "efficientnet_b6_lukemelas-c76e70fd.pth",
            "24a108a596a00ad522bdfb9a2d98a9bd31819dfd7e37dd96bad6bb5bc00d6015"},
        {"efficientnet_b7_lukemelas-c5b4e57e.pth", "efficientnet_b7_lukemelas-dcc49843.pth",
            "c5b4e57e0da1a10bb4f8a5b410dd3b7b6e7461f9b757209be29409707c3d87dd"}};
    for (int b = 0; b < 8; b++) {
      String file = tv[b][0];
      ExpectedHash hash = tv[b][2] != null ? ExpectedHash.full(tv[b][2])
          : ExpectedHash.prefix(file.substring(file.lastIndexOf('-') + 1, file.length() - ".pth".length()));
      all.add(torchvisionEfficientNet(TORCHVISION, b, file, tv[b][1], hash));
    }
    // PAPER.md §1.4: L0 after stem + maxpool, L1..L4 = layer1..layer4.
    List<Integer> basic = List.of(64, 64, 128, 256, 512);
    List<Integer> bottleneck = List.of(64, 256, 512, 1024, 2048);
    // torchvision's IMAGENET1K_V1 files (zip format), then the torchvision 0.4 legacy file of the same weights.
    all.add(resNet("resnet18", "f37072fd", "5c106cde", basic));
    all.add(resNet("resnet34", "b627a593", "333f7ec4", basic));
    all.add(resNet("resnet50", "0676ba61", "19c8e357", bottleneck));
    all.add(resNet("resnet101", "63fe2227", "5d3b4d8f", bottleneck));
    all.add(resNet("resnet152", "394f9c45", "b121ed2d", bottleneck));
    // Not in the official code; its taps have resnet50's channel counts (the width factor widens inner convs only).
    all.add(resNet("wide_resnet50_2", "95faca4d", null, bottleneck));
    String coral = "tf2_mobilenet_v2_1.0_224_ptq.tflite";
    // shared/models/PROVENANCE.md: stem, the output of every bottleneck stage, the final 1x1 conv (Σ D = 2024).
    all.add(new CatalogEntry("mobilenet_v2", BackboneFamily.MOBILENET_V2, WeightFormat.TFLITE,
        List.of(URI.create(CORAL + coral)), coral,
        ExpectedHash.full("5d3137241276e79c86d14a74fe43581398ae0e815191d3dba45495b810840e8c"), 224,
        Normalization.MINUS1_TO_1, levels(9), List.of(32, 16, 24, 32, 64, 96, 160, 320, 1280), LICENCE_CORAL));
    return all;
  }
}
