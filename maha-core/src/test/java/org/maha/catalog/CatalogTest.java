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
        Map.entry("resnet18", "resnet18-5c106cde.pth"),
        Map.entry("resnet34", "resnet34-333f7ec4.pth"),
        Map.entry("resnet50", "resnet50-19c8e357.pth"),
        Map.entry("resnet101", "resnet101-5d3b4d8f.pth"),
        Map.entry("resnet152", "resnet152-b121ed2d.pth"),
        Map.entry("wide_resnet50_2", "wide_resnet50_2-95faca4d.pth"),
        Map.entry("mobilenet_v2", "tf2_mobilenet_v2_1.0_224_ptq.tflite"),
        // torchvision 0.14's EfficientNet weight files (models/efficientnet.py), the named alternative of PAPER §4.4
        Map.entry("torchvision-efficientnet_b0", "efficientnet_b0_rwightman-3dd342df.pth"),
        Map.entry("torchvision-efficientnet_b1", "efficientnet_b1_rwightman-533bc792.pth"),
        Map.entry("torchvision-efficientnet_b2", "efficientnet_b2_rwightman-bcdf34b7.pth"),
        Map.entry("torchvision-efficientnet_b3", "efficientnet_b3_rwightman-cf984f9c.pth"),
        Map.entry("torchvision-efficientnet_b4", "efficientnet_b4_rwightman-7eb33cd5.pth"),
        Map.entry("torchvision-efficientnet_b5", "efficientnet_b5_lukemelas-b6417697.pth"),
        Map.entry("torchvision-efficientnet_b6", "efficientnet_b6_lukemelas-c76e70fd.pth"),
        Map.entry("torchvision-efficientnet_b7", "efficientnet_b7_lukemelas-dcc49843.pth"));
    assertThat(CATALOG.names()).containsExactlyInAnyOrderElementsOf(files.keySet());
    files.forEach((name, file) -> assertThat(CATALOG.get(name).fileName()).isEqualTo(file));
    assertThat(CATALOG.get("efficientnet-b4").urls()).containsExactly(
        URI.create("https://github.com/lukemelas/EfficientNet-PyTorch/releases/download/1.0/efficientnet-b4-6ed6700e.pth"),
        URI.create("https://publicmodels.blob.core.windows.net/container/aa/efficientnet-b4-6ed6700e.pth"));
    assertThat(CATALOG.get("resnet18").urls()).containsExactly(
        URI.create("https://download.pytorch.org/models/resnet18-5c106cde.pth"));
    assertThat(CATALOG.get("wide_resnet50_2").urls().get(0).toString())
        .isEqualTo(Fixtures.EXPECTED.get("torchvision_urls").get("wide_resnet50_2").asText());
  }

  @Test
  void torchHubFileNamesCarryThePrefixThatIsChecked() {
    // torch.hub's HASH_REGEX: the hex digits between the last '-' and the '.' are a SHA-256 prefix.
    Pattern hubHash = Pattern.compile("-([a-f0-9]*)\\.");
    for (CatalogEntry e : CATALOG.entries()) {
      for (URI u : e.urls()) {
        assertThat(u.toString()).as(e.name()).startsWith("https://").endsWith("/" + e.fileName());
      }
      if (e.family() == BackboneFamily.MOBILENET_V2) {
        assertThat(e.hash().kind()).isEqualTo(ExpectedHash.Kind.FULL_SHA256);
        continue;
      }
      Matcher m = hubHash.matcher(e.fileName());
      assertThat(m.find()).as(e.fileName()).isTrue();
      assertThat(e.hash()).as(e.name()).isEqualTo(ExpectedHash.prefix(m.group(1)));
      assertThat(e.format()).isEqualTo(WeightFormat.TORCH_CHECKPOINT);
    }
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
