package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.data.SyntheticInspectionSet;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.tiles.Tile;
import org.maha.tiles.Tiling;

/**
 * {@code --tile} end to end on the tiny test CNN (32-px input): on large generated images with small defects
 * (fabric, 256 px, defects drawn at the scale of a 64-px image), tiling at native resolution finds defects that
 * the whole image, shrunk 8 times, hides; a tiled image's score is the maximum of its tiles' scores scored one by
 * one; the tiling travels in the model file; bad options and mismatches exit 2 before any work.
 */
class TilingCliTest {
  @TempDir static Path dir;
  static Path onnx;
  static Path data;
  static Path tiledModel;
  static final String[] TINY = {"--levels", "s1,s2,pooled"};

  @BeforeAll
  static void setUp() throws Exception {
    onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    data = dir.resolve("large");
    SyntheticInspectionSet.writeLarge(data, new SyntheticInspectionSet.Spec(List.of("fabric"), 256, 10, 6, 3, 7L),
        64);
    tiledModel = dir.resolve("tiled.maha");
    var r = CliHarness.run("fit", "--onnx", onnx.toString(), TINY[0], TINY[1], "-q", "--tile", "32",
        "--tile-overlap", "8", "-o", tiledModel.toString(), data.resolve("fabric/train/good").toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    // 256 px at 32/8: stride 24, ceil(224 / 24) + 1 = 11 tiles per axis
    assertThat(r.out()).contains("1210 training tiles from 10 images", "fitted mvg on 1210 tiles");
  }

  private static double meanOfLevelsAuroc(String stdout) {
    Matcher m = Pattern.compile("\\*\\*mean of levels\\*\\* \\| \\d+ \\| \\*\\*([0-9.]+)\\*\\*").matcher(stdout);
    assertThat(m.find()).as(stdout).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void tilingFindsSmallDefectsThatTheWholeImageMisses() {
    var whole = CliHarness.run("evaluate", "--onnx", onnx.toString(), TINY[0], TINY[1], "-q", "--variants", "mvg",
        data.toString());
    var tiled = CliHarness.run("evaluate", "--onnx", onnx.toString(), TINY[0], TINY[1], "-q", "--variants", "mvg",
        "--tile", "32", "--tile-overlap", "8", data.toString());
    assertThat(whole.exitCode()).as(whole.all()).isZero();
    assertThat(tiled.exitCode()).as(tiled.all()).isZero();
    double w = meanOfLevelsAuroc(whole.out());
    double t = meanOfLevelsAuroc(tiled.out());
    // measured 54.2 whole, 79.2 tiled (6 good, 12 defective test images): the whole image is near chance
    assertThat(t).as("tiled %s vs whole %s", t, w).isGreaterThan(70).isGreaterThan(w + 15);
    assertThat(w).isLessThan(65);
  }

  @Test
  void aTiledScoreIsTheMaximumOfItsTilesScoredOneByOne() throws Exception {
    Path image = data.resolve("fabric/test/hole/000.png");
    BufferedImage full = ImageIO.read(image.toFile());
    Path crops = Files.createDirectories(dir.resolve("crops"));
    for (Tile t : new Tiling(32, 8).grid(full.getWidth(), full.getHeight()).tiles()) {
      BufferedImage c = new BufferedImage(t.width(), t.height(), BufferedImage.TYPE_INT_RGB);
      c.getGraphics().drawImage(full.getSubimage(t.x(), t.y(), t.width(), t.height()), 0, 0, null);
      ImageIO.write(c, "png", crops.resolve(String.format("t%03d.png", t.index())).toFile());
    }
    var one = CliHarness.run("score", "-m", tiledModel.toString(), "--onnx", onnx.toString(), "-q", "--format",
        "csv", image.toString());
    // a 32-px crop is one tile of the model's tiling: its score is that tile's
    var each = CliHarness.run("score", "-m", tiledModel.toString(), "--onnx", onnx.toString(), "-q", "--format",
        "csv", crops.toString());
    assertThat(one.exitCode()).as(one.all()).isZero();
    assertThat(each.exitCode()).as(each.all()).isZero();
    assertThat(one.err()).contains("scoring tiles: 32 px tiles, overlap 8 px");
    List<double[]> rows = new ArrayList<>();
    each.out().lines().skip(1).forEach(l -> rows.add(numbers(l)));
    assertThat(rows).hasSize(121);
    double[] got = numbers(one.out().lines().skip(1).findFirst().orElseThrow());
    for (int k = 0; k < got.length; k++) { // score, then each level: maxima over tiles
      double max = Double.NEGATIVE_INFINITY;
      for (double[] r : rows) {
        max = Math.max(max, r[k]);
      }
      assertThat(got[k]).as("column %d", k).isCloseTo(max, org.assertj.core.api.Assertions.within(1e-9 * max));
    }
  }

  @Test
  void anUnreadableImageIsSkippedWithoutShiftingTheOthersTiles() throws Exception {
    Path mixed = Files.createDirectories(dir.resolve("mixed"));
    Path hole = data.resolve("fabric/test/hole");
    Files.copy(hole.resolve("000.png"), mixed.resolve("a.png"));
    byte[] png = Files.readAllBytes(hole.resolve("001.png"));
    Files.write(mixed.resolve("b.png"), java.util.Arrays.copyOf(png, 200)); // truncated: cannot be decoded
    Files.copy(hole.resolve("002.png"), mixed.resolve("c.png"));
    var r = CliHarness.run("score", "-m", tiledModel.toString(), "--onnx", onnx.toString(), "-q", "--format", "csv",
        "--skip-unreadable", mixed.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.err()).contains("b.png");
    var a = CliHarness.run("score", "-m", tiledModel.toString(), "--onnx", onnx.toString(), "-q", "--format", "csv",
        mixed.resolve("a.png").toString(), mixed.resolve("c.png").toString());
    assertThat(a.exitCode()).as(a.all()).isZero();
    List<String> withBad = r.out().lines().skip(1).map(l -> l.substring(l.indexOf(','))).toList();
    List<String> without = a.out().lines().skip(1).map(l -> l.substring(l.indexOf(','))).toList();
    assertThat(withBad).hasSize(2).isEqualTo(without);
    var stop = CliHarness.run("score", "-m", tiledModel.toString(), "--onnx", onnx.toString(), "-q",
        mixed.toString());
    assertThat(stop.exitCode()).isEqualTo(2);
    assertThat(stop.err()).contains("b.png");
  }

  private static double[] numbers(String csvLine) {
    String[] f = csvLine.split(",");
    double[] out = new double[f.length - 1];
    for (int i = 1; i < f.length; i++) {
      out[i - 1] = Double.parseDouble(f[i]);
    }
    return out;
  }

  @Test
  void tiledMapsAreStitchedAtTheImageSize() throws Exception {
    Path model = dir.resolve("tiled-maps.maha");
    var fit = CliHarness.run("fit", "--onnx", onnx.toString(), TINY[0], TINY[1], "-q", "--maps", "--tile", "32",
        "--tile-overlap", "8", "--calibrate", data.resolve("fabric/test/good").toString(), "-o", model.toString(),
        data.resolve("fabric/train/good").toString());
    assertThat(fit.exitCode()).as(fit.all()).isZero();
    assertThat(fit.out()).contains("anomaly maps:", "from 6 calibration images", "1210 training tiles");
    Path out = dir.resolve("tiled-maps");
    var score = CliHarness.run("score", "-m", model.toString(), "--onnx", onnx.toString(), "-q", "--maps",
        out.toString(), "--format", "csv", data.resolve("fabric/test/hole").toString());
    assertThat(score.exitCode()).as(score.all()).isZero();
    NpyArray map = Npy.read(Files.readAllBytes(out.resolve("000_map.npy")));
    assertThat(map.shape()).containsExactly(256, 256);
    for (double v : map.data()) {
      assertThat(v).isFinite().isGreaterThanOrEqualTo(0);
    }
    // the same scores as without maps
    var plain = CliHarness.run("score", "-m", model.toString(), "--onnx", onnx.toString(), "-q", "--format", "csv",
        data.resolve("fabric/test/hole").toString());
    assertThat(plain.out()).isEqualTo(score.out());
  }

  @Test
  void theModelRecordsItsTilingAndScoreRefusesAnother() throws Exception {
    assertThat(new String(new java.util.zip.ZipFile(tiledModel.toFile()).getInputStream(
        new java.util.zip.ZipEntry("manifest.json")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"tiling\"", "\"size\" : 32", "\"overlap\" : 8");
    String img = data.resolve("fabric/test/good").toString();
    var other = CliHarness.run("score", "-m", tiledModel.toString(), "--onnx", onnx.toString(), "-q", "--tile", "64",
        img);
    assertThat(other.exitCode()).isEqualTo(2);
    assertThat(other.err()).contains("--tile:", "fitted on 32 px tiles, overlap 8 px").hasLineCount(1);
    var same = CliHarness.run("score", "-m", tiledModel.toString(), "--onnx", onnx.toString(), "-q", "--tile", "32",
        "--tile-overlap", "8", img);
    assertThat(same.exitCode()).as(same.all()).isZero();
    Path wholeModel = dir.resolve("whole.maha");
    var fit = CliHarness.run("fit", "--onnx", onnx.toString(), TINY[0], TINY[1], "-q", "-o", wholeModel.toString(),
        data.resolve("fabric/train/good").toString());
    assertThat(fit.exitCode()).as(fit.all()).isZero();
    var tilesOnWhole = CliHarness.run("score", "-m", wholeModel.toString(), "--onnx", onnx.toString(), "-q",
        "--tile", "32", img);
    assertThat(tilesOnWhole.exitCode()).isEqualTo(2);
    assertThat(tilesOnWhole.err()).contains("fitted on whole images").hasLineCount(1);
    var update = CliHarness.run("update", "-m", tiledModel.toString(), "--onnx", onnx.toString(), "-q", "-o",
        dir.resolve("updated.maha").toString(), img);
    assertThat(update.exitCode()).isEqualTo(2);
    assertThat(update.err()).contains("fitted on tiles").hasLineCount(1);
    assertThat(dir.resolve("updated.maha")).doesNotExist();
    var merge = CliHarness.run("merge", tiledModel.toString(), wholeModel.toString(), "-o",
        dir.resolve("merged.maha").toString());
    assertThat(merge.exitCode()).isEqualTo(2);
    assertThat(dir.resolve("merged.maha")).doesNotExist();
  }

  @Test
  void badTilingOptionsExitTwoBeforeAnyWork() {
    String good = data.resolve("fabric/train/good").toString();
    String[][] cases = {
        {"fit", "--tile", "8", "-o", dir.resolve("x.maha").toString(), good},
        {"fit", "--tile", "32", "--tile-overlap", "32", "-o", dir.resolve("x.maha").toString(), good},
        {"fit", "--tile", "32", "--tile-overlap", "-1", "-o", dir.resolve("x.maha").toString(), good},
        {"fit", "--tile-overlap", "4", "-o", dir.resolve("x.maha").toString(), good},
        {"fit", "--tile", "32", "--augment", "2", "-o", dir.resolve("x.maha").toString(), good},
        {"evaluate", "--tile", "32", "--folds", "5", data.toString()},
        {"score", "-m", tiledModel.toString(), "--tile", "5000", good},
        {"demo", "--tile", "224", "-o", dir.resolve("demo").toString()},
    };
    for (String[] c : cases) {
      List<String> args = new ArrayList<>(List.of(c));
      args.addAll(1, List.of("--onnx", onnx.toString()));
      if (!c[0].equals("score")) {
        args.addAll(3, List.of(TINY));
      }
      var r = CliHarness.run(args.toArray(String[]::new));
      assertThat(r.exitCode()).as(String.join(" ", c) + ": " + r.all()).isEqualTo(2);
      assertThat(r.err()).as(String.join(" ", c)).contains("--tile").hasLineCount(1);
    }
    assertThat(dir.resolve("x.maha")).doesNotExist();
    assertThat(dir.resolve("demo")).doesNotExist();
  }
}
