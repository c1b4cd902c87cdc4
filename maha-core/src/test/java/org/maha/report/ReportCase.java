package org.maha.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.maha.backbone.BackboneSpec;
import org.maha.image.Normalization;
import org.maha.pipeline.Evaluation.CategoryResult;
import org.maha.pipeline.Evaluation.ImageResult;
import org.maha.pipeline.Evaluation.VariantResult;
import org.maha.pipeline.EvaluationReport;
import org.maha.pipeline.Skipped;

/**
 * The made-up evaluation of {@code report_case.json} (written by {@code make_fixtures.py}) as an
 * {@link EvaluationReport}, with its test images written as small PNGs under a folder, every fifth one left out
 * so that the thumbnail grid meets missing files.
 */
final class ReportCase {
  static final JsonNode JSON = load();

  private ReportCase() {}

  private static JsonNode load() {
    try (InputStream in = ReportCase.class.getResourceAsStream("report_case.json")) {
      if (in == null) {
        throw new IllegalStateException("report_case.json not on the test class path; run make_fixtures.py");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static BackboneSpec backbone() {
    List<Integer> dims = new ArrayList<>();
    JSON.get("dims").forEach(n -> dims.add(n.asInt()));
    return new BackboneSpec("toy_net", "0123456789abcdef".repeat(4), "input", 64, Normalization.IMAGENET,
        strings(JSON.get("levels")), dims);
  }

  /** The report, image paths resolved against {@code root}; one skipped file and one warning in the first category. */
  static EvaluationReport report(Path root) {
    List<CategoryResult> cats = new ArrayList<>();
    for (JsonNode c : JSON.get("categories")) {
      List<VariantResult> variants = new ArrayList<>();
      for (JsonNode v : c.get("variants")) {
        List<ImageResult> images = new ArrayList<>();
        for (JsonNode im : v.get("images")) {
          double[] d = new double[im.get("levelDistances").size()];
          for (int i = 0; i < d.length; i++) {
            d[i] = im.get("levelDistances").get(i).asDouble();
          }
          images.add(new ImageResult(root.resolve(im.get("path").asText()), im.get("defectType").asText(),
              im.get("anomalous").asBoolean(), im.get("score").asDouble(), d));
        }
        double[] la = new double[v.get("levelAuroc").size()];
        for (int i = 0; i < la.length; i++) {
          la[i] = v.get("levelAuroc").get(i).asDouble();
        }
        variants.add(new VariantResult(v.get("variant").asText(), la, v.get("combinedAuroc").asDouble(), images));
      }
      boolean first = cats.isEmpty();
      cats.add(new CategoryResult(c.get("category").asText(), c.get("nTrain").asInt(), c.get("nTest").asInt(),
          variants,
          first ? List.of(new Skipped(root.resolve("bottle/train/good/999.png"), "truncated or corrupt PNG"))
              : List.of(),
          first ? List.of("level L0: 1 feature with zero variance") : List.of()));
    }
    return new EvaluationReport(backbone(), strings(JSON.get("variants")), cats);
  }

  /** Writes a 64 × 48 PNG for every test image except every fifth; returns the paths left out. */
  static List<Path> writeImages(Path root) throws IOException {
    List<Path> missing = new ArrayList<>();
    int i = 0;
    for (JsonNode c : JSON.get("categories")) {
      for (JsonNode im : c.get("variants").get(0).get("images")) {
        Path p = root.resolve(im.get("path").asText());
        if (i++ % 5 == 4) {
          missing.add(p);
          continue;
        }
        Files.createDirectories(p.getParent());
        ImageIO.write(image(i, im.get("anomalous").asBoolean()), "png", p.toFile());
      }
    }
    return missing;
  }

  /** A soft gray gradient, with a dark red scratch when {@code defective}. */
  private static BufferedImage image(int seed, boolean defective) {
    BufferedImage b = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 64; x++) {
        int g = 120 + (x + y + seed * 7) % 80;
        boolean scratch = defective && Math.abs(y - 10 - (x * (seed % 3 + 1)) / 4) <= 1;
        b.setRGB(x, y, scratch ? 0x8b1a1a : (g << 16) | (g << 8) | (g - 10));
      }
    }
    return b;
  }
}
