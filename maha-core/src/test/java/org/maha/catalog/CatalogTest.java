package org.maha.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.maha.image.Normalization;

class CatalogTest {
  private static final Catalog CATALOG = Catalog.official();

  private static List<Integer> ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asInt()));
    return out;
  }

  @Test
  void levelDimSumsMatchPaperTables() {
    // PAPER.md §1.4: Σ D for B0, B4 (EfficientNet table) and resnet18, resnet50 (ResNet table).
    assertThat(CATALOG.get("efficientnet-b0").totalDim()).isEqualTo(2096);
    assertThat(CATALOG.get("efficientnet-b4").totalDim()).isEqualTo(2944);
    assertThat(CATALOG.get("efficientnet-b7").totalDim()).isEqualTo(4192);
    assertThat(CATALOG.get("resnet18").totalDim()).isEqualTo(1024);
    assertThat(CATALOG.get("resnet50").totalDim()).isEqualTo(3904);
    assertThat(CATALOG.get("mobilenet_v2").totalDim()).isEqualTo(2024);
  }

  @Test
  void efficientNetSizesAndDimsFollowThe063Formulas() {
    JsonNode eff = Fixtures.EXPECTED.get("efficientnet");
    assertThat(eff.size()).isEqualTo(8);
    eff.properties().forEach(f -> {
      CatalogEntry e = CATALOG.get(f.getKey());
      assertThat(e.inputSizePx()).as(f.getKey()).isEqualTo(f.getValue().get("input_size").asInt());
      assertThat(e.levelDims()).as(f.getKey()).isEqualTo(ints(f.getValue().get("dims")));
      assertThat(e.levelNames()).containsExactly("L0", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8");
      assertThat(e.family()).isEqualTo(BackboneFamily.EFFICIENTNET);
      assertThat(e.normalization()).isEqualTo(Normalization.IMAGENET);
    });
  }

  @Test
  void resNetTapDimsEqualTorchvisionModels() {
    JsonNode res = Fixtures.EXPECTED.get("resnet");
    assertThat(res.size()).isEqualTo(6);
    res.properties().forEach(f -> {
      CatalogEntry e = CATALOG.get(f.getKey());
      assertThat(e.inputSizePx()).as(f.getKey()).isEqualTo(224);
      assertThat(e.levelDims()).as(f.getKey()).isEqualTo(ints(f.getValue().get("dims")));
      assertThat(e.levelNames()).containsExactly("L0", "L1", "L2", "L3", "L4");
      assertThat(e.normalization()).isEqualTo(Normalization.IMAGENET);
    });
  }

  @Test
  void mobileNetV2IsTheCoralFileWithItsFullSha256() {
    CatalogEntry e = CATALOG.get("mobilenet_v2");
    assertThat(e.levelDims()).isEqualTo(ints(Fixtures.EXPECTED.get("mobilenet_v2").get("dims")));
    assertThat(e.normalization()).isEqualTo(Normalization.MINUS1_TO_1);
    assertThat(e.format()).isEqualTo(WeightFormat.TFLITE);
    assertThat(e.urls()).containsExactly(
        URI.create("https://github.com/google-coral/test_data/raw/master/tf2_mobilenet_v2_1.0_224_ptq.tflite"));
    // shared/models/PROVENANCE.md
    assertThat(e.hash()).isEqualTo(
        ExpectedHash.full("5d3137241276e79c86d14a74fe43581398ae0e815191d3dba45495b810840e8c"));
  }

  @Test
  void weightFileNamesAreThoseOfPaperSection14() {
    Map<String, String> files = Map.ofEntries(
        Map.entry("efficientnet-b0", "efficientnet-b0-355c32eb.pth"),
        Map.entry("efficientnet-b1", "efficientnet-b1-f1951068.pth"),
        Map.entry("efficientnet-b2", "efficientnet-b2-8bb594d6.pth"),
        Map.entry("efficientnet-b3", "efficientnet-b3-5fb5a3c3.pth"),
        Map.entry("efficientnet-b4", "efficientnet-b4-6ed6700e.pth"),
        Map.entry("efficientnet-b5", "efficientnet-b5-b6417697.pth"),
        Map.entry("efficientnet-b6", "efficientnet-b6-c76e70fd.pth"),
        Map.entry("efficientnet-b7", "efficientnet-b7-dcc49843.pth"),
        // torchvision's ResNetNN_Weights.IMAGENET1K_V1 (re-serialised files, pytorch/vision #2068 / PR #3620)
        Map.entry("resnet18", "resnet18-f37072fd.pth"),
        Map.entry("resnet34", "resnet34-b627a593.pth"),
        Map.entry("resnet50", "resnet50-0676ba61.pth"),
        Map.entry("resnet101", "resnet101-63fe2227.pth"),
        Map.entry("resnet152", "resnet152-394f9c45.pth"),
        Map.entry("wide_resnet50_2", "wide_resnet50_2-95faca4d.pth"),
        Map.entry("mobilenet_v2", "tf2_mobilenet_v2_1.0_224_ptq.tflite"),
        // torchvision's EfficientNet weight files after pytorch/vision PRs #7898 (B1) and #8036 (B0, B2..B7)
        Map.entry("torchvision-efficientnet_b0", "efficientnet_b0_rwightman-7f5810bc.pth"),
        Map.entry("torchvision-efficientnet_b1", "efficientnet_b1_rwightman-bac287d4.pth"),
        Map.entry("torchvision-efficientnet_b2", "efficientnet_b2_rwightman-c35c1473.pth"),
        Map.entry("torchvision-efficientnet_b3", "efficientnet_b3_rwightman-b3899882.pth"),
        Map.entry("torchvision-efficientnet_b4", "efficientnet_b4_rwightman-23ab8bcd.pth"),
        Map.entry("torchvision-efficientnet_b5", "efficientnet_b5_lukemelas-1a07897c.pth"),
        Map.entry("torchvision-efficientnet_b6", "efficientnet_b6_lukemelas-24a108a5.pth"),
        Map.entry("torchvision-efficientnet_b7", "efficientnet_b7_lukemelas-c5b4e57e.pth"));
    assertThat(CATALOG.names()).containsExactlyInAnyOrderElementsOf(files.keySet());
    files.forEach((name, file) -> assertThat(CATALOG.get(name).fileName()).isEqualTo(file));
    assertThat(CATALOG.get("efficientnet-b4").urls()).containsExactly(
        URI.create("https://github.com/lukemelas/EfficientNet-PyTorch/releases/download/1.0/efficientnet-b4-6ed6700e.pth"),
        URI.create("https://publicmodels.blob.core.windows.net/container/aa/efficientnet-b4-6ed6700e.pth"));
    assertThat(CATALOG.get("resnet18").urls()).containsExactly(
        URI.create("https://download.pytorch.org/models/resnet18-f37072fd.pth"));
    assertThat(CATALOG.get("wide_resnet50_2").urls().get(0).toString())
        .isEqualTo(Fixtures.EXPECTED.get("torchvision_urls").get("wide_resnet50_2").asText());
  }

  @Test
  void torchHubFileNamesCarryThePrefixOfTheHashThatIsChecked() {
    // torch.hub's HASH_REGEX: the hex digits between the last '-' and the '.' are a SHA-256 prefix.
    Pattern hubHash = Pattern.compile("-([a-f0-9]*)\\.");
    for (CatalogEntry e : CATALOG.entries()) {
      List<String> names = new ArrayList<>(List.of(e.fileName()));
      e.formerFiles().forEach(f -> names.add(f.fileName()));
      for (URI u : e.urls()) {
        assertThat(names).as(e.name() + " " + u).anyMatch(n -> u.toString().endsWith("/" + n));
        assertThat(u.getScheme()).isEqualTo("https");
      }
      assertThat(e.urls().get(0).toString()).endsWith("/" + e.fileName());
      if (e.family() == BackboneFamily.MOBILENET_V2) {
        assertThat(e.hash().kind()).isEqualTo(ExpectedHash.Kind.FULL_SHA256);
        continue;
      }
      Matcher m = hubHash.matcher(e.fileName());
      assertThat(m.find()).as(e.fileName()).isTrue();
      assertThat(e.hash().hex()).as(e.name()).startsWith(m.group(1));
      assertThat(e.hash().pinned()).isFalse();
      assertThat(e.format()).isEqualTo(WeightFormat.TORCH_CHECKPOINT);
    }
  }

  @Test
  void torchvisionEfficientNetsPinTheDigestsReportedInPytorchVisionIssue7744() {
    // pytorch/vision #7744 (2023-10-10): "invalid hash value (expected <old suffix>, got <full digest>)" per model
    Map<Integer, String> reported = Map.of(
        0, "7f5810bc96def8f7552d5b7e68d53c4786f81167d28291b21c0d90e1fca14934",
        2, "c35c147384e385a5bab5a8eabdabbe5a3df0487ee4a554108626ae474a5bf755",
        3, "b3899882250c22946d0229d266049fcd133c169233530b36b9ffa7983988362f",
        4, "23ab8bcd5bdbef61a7a43b91adcad81f622fd7f36fb4935a569828d77888c44e",
        5, "1a07897c0d357db7981640f6be44a63420f11deb932344a69768b62ebe272946",
        6, "24a108a596a00ad522bdfb9a2d98a9bd31819dfd7e37dd96bad6bb5bc00d6015",
        7, "c5b4e57e0da1a10bb4f8a5b410dd3b7b6e7461f9b757209be29409707c3d87dd");
    Map<Integer, String> oldSuffix = Map.of(0, "rwightman-3dd342df", 1, "rwightman-533bc792", 2, "rwightman-bcdf34b7",
        3, "rwightman-cf984f9c", 4, "rwightman-7eb33cd5", 5, "lukemelas-b6417697", 6, "lukemelas-c76e70fd",
        7, "lukemelas-dcc49843");
    for (int b = 0; b < 8; b++) {
      CatalogEntry e = CATALOG.get("torchvision-efficientnet_b" + b);
      String old = "efficientnet_b" + b + "_" + oldSuffix.get(b) + ".pth";
      if (b == 1) {
        // no full digest published; torchvision's post-#7898 name carries the prefix its own check accepts
        assertThat(e.hash()).isEqualTo(ExpectedHash.prefix("bac287d4"));
      } else {
        assertThat(e.hash()).isEqualTo(ExpectedHash.full(reported.get(b)));
      }
      // the current name first (it is the cache name), the pre-rename object as a mirror and a former cache name
      assertThat(e.urls()).containsExactly(URI.create("https://download.pytorch.org/models/" + e.fileName()),
          URI.create("https://download.pytorch.org/models/" + old));
      assertThat(e.formerFiles()).containsExactly(new CatalogEntry.FormerFile(old, e.hash()));
    }
  }

  @Test
  void resNetsAcceptTheLegacyTorchvision04FileOfTheSameWeightsUnderItsOwnPrefix() {
    Map<String, String> legacy = Map.of("resnet18", "5c106cde", "resnet34", "333f7ec4", "resnet50", "19c8e357",
        "resnet101", "5d3b4d8f", "resnet152", "b121ed2d");
    legacy.forEach((name, prefix) -> {
      CatalogEntry e = CATALOG.get(name);
      assertThat(e.urls()).hasSize(1); // different bytes: never a mirror of the current file
      assertThat(e.formerFiles()).containsExactly(
          new CatalogEntry.FormerFile(name + "-" + prefix + ".pth", ExpectedHash.prefix(prefix)));
    });
    assertThat(CATALOG.get("wide_resnet50_2").formerFiles()).isEmpty();
  }

  @Test
  void pinningADigestReplacesTheHashOfTheFileAndOfItsFormerFiles() {
    String sha = Fixtures.payloadSha256();
    CatalogEntry pinned = CATALOG.get("resnet18").withHash(ExpectedHash.pinned(sha));
    assertThat(pinned.hash().pinned()).isTrue();
    assertThat(pinned.formerFiles()).extracting(CatalogEntry.FormerFile::hash).containsOnly(ExpectedHash.pinned(sha));
    assertThat(pinned.urls()).isEqualTo(CATALOG.get("resnet18").urls());
    assertThat(pinned.hash().describe()).isEqualTo("SHA-256 " + sha + " (pinned with --expect-sha256)");
    assertThat(ExpectedHash.pinned(sha.toUpperCase(java.util.Locale.ROOT)).hex()).isEqualTo(sha);
    assertThatThrownBy(() -> ExpectedHash.pinned(sha.substring(0, 8))).hasMessageContaining("64");
    assertThatThrownBy(() -> new ExpectedHash(ExpectedHash.Kind.SHA256_PREFIX, sha.substring(0, 8), true))
        .hasMessageContaining("full");
    assertThat(List.of(ExpectedHash.full(sha).strength(), ExpectedHash.prefix("abcdef01").strength(),
        ExpectedHash.pinned(sha).strength())).containsExactly("full", "prefix", "pinned");
  }

  @Test
  void formerFileNamesMustBePlainAndDistinct() {
    CatalogEntry e = CATALOG.get("resnet18");
    assertThatThrownBy(() -> new CatalogEntry.FormerFile("../x.pth", e.hash())).hasMessageContaining("plain");
    assertThatThrownBy(() -> new CatalogEntry(e.name(), e.family(), e.format(), e.urls(), e.fileName(), e.hash(),
        224, e.normalization(), e.levelNames(), e.levelDims(), "", List.of(new CatalogEntry.FormerFile(e.fileName(),
        e.hash())))).hasMessageContaining("distinct");
  }

  @Test
  void unknownNameIsRefusedListingTheKnownOnes() {
    assertThat(CATALOG.find("efficientnet-b9")).isEmpty();
    assertThatThrownBy(() -> CATALOG.get("efficientnet-b9"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'efficientnet-b9'")
        .hasMessageContaining("efficientnet-b4")
        .hasMessageContaining("mobilenet_v2");
  }

  @Test
  void baseUrlOverrideRepointsEveryEntryAndKeepsHashes() {
    Catalog local = CATALOG.withBaseUrl(URI.create("http://127.0.0.1:1234/w"));
    assertThat(local.names()).isEqualTo(CATALOG.names());
    for (CatalogEntry e : local.entries()) {
      assertThat(e.urls()).containsExactly(URI.create("http://127.0.0.1:1234/w/" + e.fileName()));
      assertThat(e.hash()).isEqualTo(CATALOG.get(e.name()).hash());
    }
    // the official catalog is untouched
    assertThat(CATALOG.get("resnet18").urls().get(0).getHost()).isEqualTo("download.pytorch.org");
  }

  @Test
  void expectedHashChecksAPrefixOrTheWholeDigest() {
    String sha = Fixtures.payloadSha256();
    assertThat(ExpectedHash.full(sha).matches(sha)).isTrue();
    assertThat(ExpectedHash.full(sha).matches(sha.toUpperCase(java.util.Locale.ROOT))).isTrue();
    assertThat(ExpectedHash.prefix(sha.substring(0, 8)).matches(sha)).isTrue();
    String other = (sha.charAt(63) == '0' ? sha.substring(0, 63) + "1" : sha.substring(0, 63) + "0");
    assertThat(ExpectedHash.full(sha).matches(other)).isFalse();
    assertThat(ExpectedHash.prefix(sha.substring(0, 8)).matches(other)).isTrue(); // only 8 digits are checked
    assertThat(ExpectedHash.prefix(sha.substring(1, 9)).matches(sha)).isFalse();
    assertThatThrownBy(() -> ExpectedHash.prefix("abc")).hasMessageContaining("8 to 63");
    assertThatThrownBy(() -> ExpectedHash.full(sha.substring(0, 63))).hasMessageContaining("64");
    assertThatThrownBy(() -> ExpectedHash.prefix("xyz12345")).hasMessageContaining("hex");
  }

  @Test
  void entriesRejectRelativeUrlsAndPathLikeFileNames() {
    CatalogEntry e = CATALOG.get("resnet18");
    assertThatThrownBy(() -> e.withUrls(List.of(URI.create("resnet18.pth"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http");
    assertThatThrownBy(() -> new CatalogEntry("x", e.family(), e.format(), e.urls(), "../evil.pth", e.hash(), 224,
        e.normalization(), e.levelNames(), e.levelDims(), "")).hasMessageContaining("plain file name");
  }
}
