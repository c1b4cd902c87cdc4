package org.maha.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.testing.SharedData;

class SyntheticInspectionSetTest {
  @TempDir Path tmp;

  private static final SyntheticInspectionSet.Spec SMALL =
      new SyntheticInspectionSet.Spec(List.of("weave", "granite", "fabric", "wood"), 48, 3, 2, 1, 7L);

  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
    }
  }

  private static void assertSameTree(Path a, Path b) throws IOException {
    List<Path> fa = files(a);
    assertThat(files(b)).isEqualTo(fa);
    for (Path rel : fa) {
      assertThat(Files.readAllBytes(b.resolve(rel))).as(rel.toString()).isEqualTo(Files.readAllBytes(a.resolve(rel)));
    }
  }

  @Test
  void twoWritesOfTheSameSpecGiveIdenticalBytes() throws IOException {
    SyntheticInspectionSet.write(tmp.resolve("a"), SMALL);
    SyntheticInspectionSet.write(tmp.resolve("b"), SMALL);
    assertThat(files(tmp.resolve("a"))).hasSize(4 * (SMALL.imagesPerCategory() + SMALL.masksPerCategory()));
    assertSameTree(tmp.resolve("a"), tmp.resolve("b"));
  }

  @Test
  void anotherSeedGivesOtherImages() throws IOException {
    SyntheticInspectionSet.write(tmp.resolve("a"), SMALL);
    SyntheticInspectionSet.Spec other =
        new SyntheticInspectionSet.Spec(SMALL.categories(), SMALL.px(), 3, 2, 1, SMALL.seed() + 1);
    SyntheticInspectionSet.write(tmp.resolve("b"), other);
    Path f = Path.of("weave/train/good/000.png");
    assertThat(Files.readAllBytes(tmp.resolve("b").resolve(f))).isNotEqualTo(Files.readAllBytes(tmp.resolve("a").resolve(f)));
  }

  @Test
  void writesAnMvtecLayoutWithTheRequestedCounts() throws Exception {
    Path root = tmp.resolve("set");
    SyntheticInspectionSet.write(root, SMALL);
    List<MvtecCategory> all = MvtecLayout.all(root);
    assertThat(all).extracting(MvtecCategory::name).containsExactly("fabric", "granite", "weave", "wood");
    for (MvtecCategory c : all) {
      assertThat(c.train()).hasSize(3);
      assertThat(c.test()).hasSize(2 + SyntheticInspectionSet.DEFECT_TYPES.size());
      assertThat(c.anomalousCount()).isEqualTo(SyntheticInspectionSet.DEFECT_TYPES.size());
      assertThat(c.test().stream().map(LabeledImage::defectType).distinct())
          .containsExactly("blob", "crack", "good", "hole", "scratch");
      assertThat(c.train().get(0).getFileName().toString()).isEqualTo("000.png");
    }
    // Nothing but the data set is left beside it (the partial folder was renamed).
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("set");
    }
  }

  @Test
  void imagesAreSquarePngsGrayForGraniteAndRgbOtherwise() throws Exception {
    Path root = tmp.resolve("set");
    SyntheticInspectionSet.write(root, SMALL);
    for (MvtecCategory c : MvtecLayout.all(root)) {
      for (Path p : c.train()) {
        BufferedImage img = ImageIO.read(p.toFile());
        assertThat(img).as(p.toString()).isNotNull();
        assertThat(img.getWidth()).isEqualTo(48);
        assertThat(img.getHeight()).isEqualTo(48);
        assertThat(img.getRaster().getNumBands()).as(p.toString()).isEqualTo(c.name().equals("granite") ? 1 : 3);
      }
    }
  }

  @Test
  void normalImagesDifferFromEachOther() {
    for (ProceduralTexture.Kind kind : ProceduralTexture.Kind.values()) {
      Background bg = new Background.Procedural(new ProceduralTexture(kind, 11));
      Raster a = SyntheticInspectionSet.render(bg, 64, 1, Optional.empty());
      Raster b = SyntheticInspectionSet.render(bg, 64, 2, Optional.empty());
      // Shifted views of a textured surface: far more than sensor noise (σ ≈ 3 grey levels ≈ 0.012) apart.
      assertThat(meanAbsDifference(a, b)).as(kind.toString()).isGreaterThan(0.03);
    }
  }

  @Test
  void eachDefectChangesAVisibleButLocalRegion() {
    int px = 128;
    for (ProceduralTexture.Kind kind : ProceduralTexture.Kind.values()) {
      Background bg = new Background.Procedural(new ProceduralTexture(kind, 5));
      for (Defect d : Defect.values()) {
        for (long seed = 0; seed < 5; seed++) {
          Raster clean = SyntheticInspectionSet.render(bg, px, seed, Optional.empty());
          Raster defective = SyntheticInspectionSet.render(bg, px, seed, Optional.of(d));
          int changed = changedPixels(clean, defective, 10);
          // Visible: at least a thin 1-px line of some length changed by >= 10 grey levels; local: under 6 % of
          // the image (the largest blob or hole is about 0.14 × 0.14 of the side, ~2 %).
          assertThat(changed).as("%s %s seed %d", kind, d, seed).isGreaterThanOrEqualTo(15).isLessThan(px * px * 6 / 100);
        }
      }
    }
  }

  @Test
  void largeImagesGetSmallDefectsInsideAWindowWithExactMasks() {
    int px = 512;
    int window = 64;
    Background bg = new Background.Procedural(new ProceduralTexture(ProceduralTexture.Kind.FABRIC, 5));
    for (Defect d : Defect.values()) {
      for (long seed = 0; seed < 3; seed++) {
        byte[] clean = SyntheticInspectionSet.render(bg, px, seed, Optional.empty()).toBytes();
        SyntheticInspectionSet.Drawn drawn = SyntheticInspectionSet.draw(bg, px, seed, Optional.of(d), window);
        byte[] defective = drawn.raster().toBytes();
        int channels = drawn.raster().channels;
        int x0 = px;
        int y0 = px;
        int x1 = -1;
        int y1 = -1;
        int inMask = 0;
        for (int p = 0; p < px * px; p++) {
          boolean differs = false;
          for (int c = 0; c < channels; c++) {
            differs |= clean[p * channels + c] != defective[p * channels + c];
          }
          if (drawn.mask()[p]) {
            inMask++;
            x0 = Math.min(x0, p % px);
            x1 = Math.max(x1, p % px);
            y0 = Math.min(y0, p / px);
            y1 = Math.max(y1, p / px);
          } else {
            assertThat(differs).as("%s seed %d pixel %d", d, seed, p).isFalse();
          }
        }
        // small: inside one window-sized square, a few tens of pixels across at most
        assertThat(inMask).as("%s seed %d", d, seed).isPositive();
        assertThat(x1 - x0).isLessThan(window);
        assertThat(y1 - y0).isLessThan(window);
      }
    }
    // a window as large as the image draws exactly as the plain generator
    SyntheticInspectionSet.Drawn a = SyntheticInspectionSet.draw(bg, 96, 4, Optional.of(Defect.BLOB), 96);
    SyntheticInspectionSet.Drawn b = SyntheticInspectionSet.draw(bg, 96, 4, Optional.of(Defect.BLOB));
    assertThat(a.raster().toBytes()).isEqualTo(b.raster().toBytes());
    assertThat(a.mask()).isEqualTo(b.mask());
  }

  @Test
  void masksCoverExactlyWhatEachDefectTouched() {
    int px = 128;
    long maskPixels = 0;
    long changedInMask = 0;
    for (ProceduralTexture.Kind kind : ProceduralTexture.Kind.values()) {
      Background bg = new Background.Procedural(new ProceduralTexture(kind, 5));
      for (Defect d : Defect.values()) {
        for (long seed = 0; seed < 5; seed++) {
          byte[] clean = SyntheticInspectionSet.render(bg, px, seed, Optional.empty()).toBytes();
          SyntheticInspectionSet.Drawn drawn = SyntheticInspectionSet.draw(bg, px, seed, Optional.of(d));
          byte[] defective = drawn.raster().toBytes();
          boolean[] mask = drawn.mask();
          int channels = drawn.raster().channels;
          int inMask = 0;
          int changed = 0;
          for (int p = 0; p < px * px; p++) {
            boolean differs = false;
            for (int c = 0; c < channels; c++) {
              differs |= clean[p * channels + c] != defective[p * channels + c];
            }
            if (!mask[p]) {
              // outside the mask the image is the defect-free view, bit for bit
              assertThat(differs).as("%s %s seed %d pixel %d", kind, d, seed, p).isFalse();
            } else {
              inMask++;
              changed += differs ? 1 : 0;
            }
          }
          // the mask is the defect, not a box around it: most of its pixels visibly changed
          assertThat(changed).as("%s %s seed %d", kind, d, seed).isGreaterThan(inMask / 2);
          maskPixels += inMask;
          changedInMask += changed;
        }
      }
    }
    assertThat(changedInMask).isGreaterThan(maskPixels * 8 / 10);
  }

  @Test
  void writesA0Or255MaskBesideEveryDefectiveTestImage() throws Exception {
    Path root = tmp.resolve("set");
    SyntheticInspectionSet.write(root, SMALL);
    for (MvtecCategory c : MvtecLayout.all(root)) {
      for (LabeledImage image : c.test()) {
        Optional<Path> mask = MvtecLayout.maskPath(c.root(), image);
        if (!image.anomalous()) {
          assertThat(mask).isEmpty();
          continue;
        }
        assertThat(mask.get().toString()).endsWith("ground_truth/" + image.defectType() + "/000_mask.png");
        BufferedImage png = ImageIO.read(mask.get().toFile());
        assertThat(png.getRaster().getNumBands()).isEqualTo(1);
        assertThat(png.getWidth()).isEqualTo(48);
        int[] samples = png.getRaster().getPixels(0, 0, 48, 48, (int[]) null);
        assertThat(samples).containsAnyOf(255).containsOnly(0, 255);
      }
    }
    try (Stream<Path> gt = Files.list(root.resolve("wood/ground_truth"))) {
      assertThat(gt.map(p -> p.getFileName().toString()).sorted()).containsExactly("blob", "crack", "hole", "scratch");
    }
  }

  @Test
  void refusesANonEmptyRootAndLeavesItUntouched() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("set"));
    Files.writeString(root.resolve("keep.txt"), "mine");
    assertThatThrownBy(() -> SyntheticInspectionSet.write(root, SMALL))
        .isInstanceOf(DirectoryNotEmptyException.class)
        .hasMessageContaining(root.toString());
    assertThat(files(root)).containsExactly(Path.of("keep.txt"));
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("set");
    }
  }

  @Test
  void fillsAnExistingEmptyRoot() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("set"));
    SyntheticInspectionSet.write(root, SMALL);
    assertThat(MvtecLayout.all(root)).hasSize(4);
  }

  @Test
  void rejectsUnknownTexturesAndBadSpecs() {
    SyntheticInspectionSet.Spec marble = new SyntheticInspectionSet.Spec(List.of("marble"), 48, 1, 1, 1, 0);
    assertThatThrownBy(() -> SyntheticInspectionSet.write(tmp.resolve("x"), marble))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("marble")
        .hasMessageContaining("[fabric, granite, weave, wood]");
    assertThat(tmp.resolve("x")).doesNotExist();
    assertThatThrownBy(() -> new SyntheticInspectionSet.Spec(List.of("wood"), 8, 1, 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("found 8");
    assertThatThrownBy(() -> new SyntheticInspectionSet.Spec(List.of("wood", "wood"), 32, 1, 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SyntheticInspectionSet.Spec(List.of("wood"), 32, 0, 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void demoSpecIsThreeCategoriesOf120Images() {
    SyntheticInspectionSet.Spec demo = SyntheticInspectionSet.Spec.demo();
    assertThat(demo.categories()).hasSize(3).allMatch(SyntheticInspectionSet.TEXTURES::contains);
    assertThat(demo.px()).isEqualTo(256);
    assertThat(demo.imagesPerCategory()).isEqualTo(60 + 20 + 4 * 10);
  }

  @Test
  void texturePhotosGiveGrayCategoriesNamedAfterTheFilesDeterministically() throws Exception {
    Path tex = tmp.resolve("tex");
    Files.createDirectories(tex);
    Path stripes = writeTexture(tex.resolve("stripes.png"), 80, 70, 1);
    Path dots = writeTexture(tex.resolve("dots.png"), 64, 64, 2);
    SyntheticInspectionSet.Spec spec = new SyntheticInspectionSet.Spec(List.of(), 32, 4, 2, 2, 3);
    SyntheticInspectionSet.writeFromTextures(tmp.resolve("a"), List.of(stripes, dots), spec);
    SyntheticInspectionSet.writeFromTextures(tmp.resolve("b"), List.of(stripes, dots), spec);
    assertSameTree(tmp.resolve("a"), tmp.resolve("b"));
    List<MvtecCategory> all = MvtecLayout.all(tmp.resolve("a"));
    assertThat(all).extracting(MvtecCategory::name).containsExactly("dots", "stripes");
    for (MvtecCategory c : all) {
      assertThat(c.train()).hasSize(4);
      assertThat(c.test()).hasSize(2 + 2 * SyntheticInspectionSet.DEFECT_TYPES.size());
      BufferedImage img = ImageIO.read(c.test().get(0).path().toFile());
      assertThat(img.getRaster().getNumBands()).isEqualTo(1);
      assertThat(img.getWidth()).isEqualTo(32);
    }
    SyntheticInspectionSet.Spec tooBig = new SyntheticInspectionSet.Spec(List.of(), 72, 1, 1, 1, 3);
    assertThatThrownBy(() -> SyntheticInspectionSet.writeFromTextures(tmp.resolve("c"), List.of(stripes), tooBig))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("80x70");
    assertThat(tmp.resolve("c")).doesNotExist();
  }

  @Test
  void textureCropsReproduceThePhotoUnderFlipsAndTurns() throws IOException {
    // A 32×32 photo cropped at 32 px can only move by the 8 symmetries: every crop, minus noise and brightness
    // jitter, must equal one of them. Values are distinct per pixel so symmetries are distinguishable.
    int n = 32;
    double[] gray = new double[n * n];
    for (int i = 0; i < gray.length; i++) {
      gray[i] = 0.1 + 0.8 * i / gray.length;
    }
    Background.Photo photo = new Background.Photo(tmp, n, n, gray);
    for (long seed = 0; seed < 16; seed++) {
      Raster r = photo.render(n, new SplitMix64(seed));
      // The ramp spans 0.8 over 1024 pixels: neighbouring rows differ by 0.025; a correct symmetry leaves only
      // gain (±7 %), offset (±0.03) and noise (σ 0.012), so correlation with it stays near 1.
      double best = -1;
      for (int s = 0; s < 8; s++) {
        best = Math.max(best, correlation(r.planes[0], symmetric(gray, n, s)));
      }
      assertThat(best).as("seed %d", seed).isGreaterThan(0.99);
    }
  }

  @Test
  void sharedTexturesMakeAReadableSet() throws Exception {
    Path brick = SharedData.require("textures/brick.png");
    SyntheticInspectionSet.Spec spec = new SyntheticInspectionSet.Spec(List.of(), 64, 2, 1, 1, 0);
    SyntheticInspectionSet.writeFromTextures(tmp.resolve("s"), List.of(brick), spec);
    MvtecCategory c = MvtecLayout.category(tmp.resolve("s"), "brick");
    assertThat(c.train()).hasSize(2);
    assertThat(c.anomalousCount()).isEqualTo(SyntheticInspectionSet.DEFECT_TYPES.size());
  }

  @Test
  void pngEncoderRoundTripsThroughImageIo() throws IOException {
    Random random = new Random(42);
    for (int channels : new int[] {1, 3}) {
      int w = 37;
      int h = 23;
      byte[] px = new byte[w * h * channels];
      // Mix smooth rows (so Sub/Up/Average/Paeth win) and noisy rows (so None wins).
      for (int y = 0; y < h; y++) {
        for (int i = 0; i < w * channels; i++) {
          px[y * w * channels + i] = (byte) (y % 3 == 0 ? random.nextInt(256) : (i * 7 + y * 5) & 0xff);
        }
      }
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(PngEncoder.encode(w, h, channels, px)));
      assertThat(img.getRaster().getNumBands()).isEqualTo(channels);
      int[] decoded = img.getRaster().getPixels(0, 0, w, h, (int[]) null);
      for (int i = 0; i < px.length; i++) {
        assertThat(decoded[i]).as("channels %d sample %d", channels, i).isEqualTo(px[i] & 0xff);
      }
    }
  }

  private static Path writeTexture(Path file, int w, int h, int style) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    Random random = new Random(style);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v = style == 1 ? ((x / 4) % 2) * 120 + 60 : (((x % 8) < 3 && (y % 8) < 3) ? 200 : 80);
        img.getRaster().setSample(x, y, 0, v + random.nextInt(20));
      }
    }
    ImageIO.write(img, "png", file.toFile());
    return file;
  }

  private static double[] symmetric(double[] g, int n, int s) {
    // Same mapping as Background.Photo: mirror x if bit 0, then quarter-turn by s >> 1.
    double[] out = new double[n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        int a = (s & 1) == 0 ? x : n - 1 - x;
        int b = y;
        int[] src =
            switch (s >> 1) {
              case 0 -> new int[] {a, b};
              case 1 -> new int[] {n - 1 - b, a};
              case 2 -> new int[] {n - 1 - a, n - 1 - b};
              default -> new int[] {b, n - 1 - a};
            };
        out[y * n + x] = g[src[1] * n + src[0]];
      }
    }
    return out;
  }

  private static double correlation(double[] a, double[] b) {
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < a.length; i++) {
      ma += a[i];
      mb += b[i];
    }
    ma /= a.length;
    mb /= b.length;
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / Math.sqrt(saa * sbb);
  }

  private static double meanAbsDifference(Raster a, Raster b) {
    byte[] x = a.toBytes();
    byte[] y = b.toBytes();
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += Math.abs((x[i] & 0xff) - (y[i] & 0xff));
    }
    return sum / x.length / 255.0;
  }

  private static int changedPixels(Raster a, Raster b, int minLevels) {
    byte[] x = a.toBytes();
    byte[] y = b.toBytes();
    int count = 0;
    for (int p = 0; p < a.size * a.size; p++) {
      int max = 0;
      for (int c = 0; c < a.channels; c++) {
        int i = p * a.channels + c;
        max = Math.max(max, Math.abs((x[i] & 0xff) - (y[i] & 0xff)));
      }
      if (max >= minLevels) {
        count++;
      }
    }
    return count;
  }
}
