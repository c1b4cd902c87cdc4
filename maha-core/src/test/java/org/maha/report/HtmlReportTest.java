package org.maha.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.pipeline.Evaluation.CategoryResult;
import org.maha.pipeline.Evaluation.FoldCalibration;
import org.maha.pipeline.Evaluation.FoldResult;
import org.maha.pipeline.Evaluation.Protocol;
import org.maha.pipeline.Evaluation.VariantResult;
import org.maha.pipeline.EvaluationReport;

class HtmlReportTest {
  static final OffsetDateTime DATE = OffsetDateTime.of(2024, 6, 11, 9, 30, 0, 0, ZoneOffset.UTC);
  static final List<String> CATEGORIES = List.of("bottle", "metal nut", "zipper");

  @TempDir
  static Path images;
  static EvaluationReport report;
  static ReportOptions options;
  static Map<String, byte[]> files;
  static String html;

  @BeforeAll
  static void render() throws IOException {
    ReportCase.writeImages(images);
    report = ReportCase.report(images);
    options = ReportOptions.defaults(DATE).withHistogram("mvg", ReportCase.JSON.get("histogramLevel").asText());
    files = HtmlReport.render(report, options);
    html = new String(files.get("report.html"), StandardCharsets.UTF_8);
  }

  @Test
  void summaryTableShowsMeanAndSemComputedBySciPy() {
    JsonNode s = ReportCase.JSON.get("summaryText");
    List<List<String>> expected = new ArrayList<>();
    expected.add(List.of("level", "dim", "mvg", "l2"));
    List<String> levels = ReportCase.strings(ReportCase.JSON.get("levels"));
    int total = 0;
    for (int l = 0; l < levels.size(); l++) {
      int dim = ReportCase.JSON.get("dims").get(l).asInt();
      total += dim;
      String lv = levels.get(l);
      expected.add(List.of(lv, "" + dim, s.get("mvg").get(lv).asText(), s.get("l2").get(lv).asText()));
    }
    expected.add(List.of("mean of levels", "" + total, s.get("mvg").get("combined").asText(),
        s.get("l2").get("combined").asText()));
    assertThat(table(html, "<table id=\"summary-table\">")).isEqualTo(expected);
  }

  @Test
  void summaryTableHasTheNumbersOfEvaluationReportMarkdown() {
    List<List<String>> md = new ArrayList<>();
    for (String line : report.toMarkdown().split("\n")) {
      if (line.startsWith("|") && !line.startsWith("|---")) {
        List<String> cells = new ArrayList<>();
        for (String c : line.substring(1, line.length() - 1).split("\\|")) {
          cells.add(c.strip().replace("**", ""));
        }
        md.add(cells);
      }
    }
    List<List<String>> htmlRows = new ArrayList<>(table(html, "<table id=\"summary-table\">"));
    htmlRows.addAll(table(html, "<table id=\"category-table\">"));
    assertThat(htmlRows).isEqualTo(md);
  }

  @Test
  void categoryTablesShowTheSklearnAurocs() {
    List<List<String>> perCategory = new ArrayList<>();
    perCategory.add(List.of("category", "train", "test", "mvg", "l2"));
    List<String> levels = ReportCase.strings(ReportCase.JSON.get("levels"));
    int c = 0;
    for (JsonNode cat : ReportCase.JSON.get("categories")) {
      JsonNode mvg = cat.get("variants").get(0);
      JsonNode l2 = cat.get("variants").get(1);
      perCategory.add(List.of(cat.get("category").asText(), cat.get("nTrain").asText(), cat.get("nTest").asText(),
          mvg.get("combinedAurocText").asText(), l2.get("combinedAurocText").asText()));
      List<List<String>> expected = new ArrayList<>();
      expected.add(List.of("level", "dim", "mvg", "l2"));
      for (int l = 0; l < levels.size(); l++) {
        expected.add(List.of(levels.get(l), ReportCase.JSON.get("dims").get(l).asText(),
            mvg.get("levelAurocText").get(l).asText(), l2.get("levelAurocText").get(l).asText()));
      }
      expected.add(List.of("mean of levels", "28", mvg.get("combinedAurocText").asText(),
          l2.get("combinedAurocText").asText()));
      String section = html.substring(html.indexOf("<section class=\"category\" id=\"" + slug(c) + "\">"));
      assertThat(table(section, "<table class=\"levels\">")).as(cat.get("category").asText()).isEqualTo(expected);
      c++;
    }
    assertThat(table(html, "<table id=\"category-table\">")).isEqualTo(perCategory);
  }

  @Test
  void sigmaTableShowsChiSquareThresholdsAndMeasuredRatesFromSciPy() {
    String[] predicted = {"31.7", "4.55", "0.27", "0.00633", "0.0000573"};
    int c = 0;
    for (JsonNode cat : ReportCase.JSON.get("categories")) {
      List<List<String>> expected = new ArrayList<>();
      expected.add(List.of("σ", "threshold", "predicted FPR (%)", "measured FPR (%)", "TPR (%)"));
      for (JsonNode row : cat.get("variants").get(0).get("sigma")) {
        int s = row.get("sigma").asInt();
        expected.add(List.of("" + s, row.get("thresholdText").asText(), predicted[s - 1],
            row.get("fprText").asText(), row.get("tprText").asText()));
      }
      String section = html.substring(html.indexOf("<section class=\"category\" id=\"" + slug(c) + "\">"));
      assertThat(table(section, "<table class=\"sigma\">")).isEqualTo(expected);
      c++;
    }
  }

  @Test
  void everyFigureIsAPngSavedUnderFiguresAndEmbeddedWithItsSize() throws IOException {
    List<String> figures = files.keySet().stream().filter(k -> k.startsWith("figures/")).toList();
    // by-level, then per category: ROC, level histogram, combined histogram, image grid
    List<String> expected = new ArrayList<>(List.of("figures/auroc_by_level.png"));
    for (int c = 0; c < CATEGORIES.size(); c++) {
      String a = slug(c);
      expected.addAll(List.of("figures/roc_" + a + ".png", "figures/hist_" + a + "_level1.png",
          "figures/hist_" + a + "_combined.png", "figures/extremes_" + a + ".png"));
    }
    assertThat(figures).containsExactlyElementsOf(expected);
    assertThat(new ArrayList<>(files.keySet()).subList(0, 2)).containsExactly("report.html", "report.md");
    Matcher img = Pattern.compile("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\" width=\"(\\d+)\" "
        + "height=\"(\\d+)\" alt=\"[^\"]+\" data-file=\"([^\"]+)\">").matcher(html);
    int n = 0;
    while (img.find()) {
      n++;
      byte[] png = files.get(img.group(4));
      assertThat(png).as(img.group(4)).isNotNull();
      assertThat(Base64.getDecoder().decode(img.group(1))).as(img.group(4)).isEqualTo(png);
      BufferedImage b = ImageIO.read(new ByteArrayInputStream(png));
      assertThat(b.getWidth()).as(img.group(4)).isEqualTo(Integer.parseInt(img.group(2)));
      assertThat(b.getHeight()).as(img.group(4)).isEqualTo(Integer.parseInt(img.group(3)));
      // Sane: bigger than an empty frame, small enough to embed 60 of them.
      assertThat(png.length).as(img.group(4)).isBetween(3_000, 400_000);
      assertThat(b.getWidth()).isBetween(300, 1200);
    }
    assertThat(n).isEqualTo(expected.size());
    assertThat(count(html, "<img ")).isEqualTo(expected.size());
  }

  @Test
  void rocFigureDrawsEachVariantInItsColour() throws IOException {
    BufferedImage roc = ImageIO.read(new ByteArrayInputStream(files.get("figures/roc_bottle.png")));
    assertThat(pixelsOf(roc, Charts.variantColor(0).getRGB())).as("mvg").isGreaterThan(100);
    assertThat(pixelsOf(roc, Charts.variantColor(1).getRGB())).as("l2").isGreaterThan(100);
    assertThat(pixelsOf(roc, Charts.variantColor(2).getRGB())).as("no third variant").isZero();
  }

  @Test
  void histogramsShowGoodAndDefectiveInTheirColours() throws IOException {
    BufferedImage h = ImageIO.read(new ByteArrayInputStream(files.get("figures/hist_bottle_level1.png")));
    // bars are translucent over white: look for the blended colour of each series
    assertThat(pixelsNear(h, blendOnWhite(Charts.GOOD))).isGreaterThan(200);
    assertThat(pixelsNear(h, blendOnWhite(Charts.DEFECTIVE))).isGreaterThan(200);
  }

  @Test
  void pageLoadsNothingFromOutsideAndRunsNoScript() {
    for (String f : List.of("report.html", "report.md")) {
      String text = new String(files.get(f), StandardCharsets.UTF_8);
      assertThat(text).as(f).doesNotContainIgnoringCase("http://").doesNotContainIgnoringCase("https://")
          .doesNotContain("//cdn").doesNotContain("@import").doesNotContain("url(");
    }
    assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<link")
        .doesNotContainIgnoringCase("<iframe");
    Matcher src = Pattern.compile("src=\"([^\"]{0,30})").matcher(html);
    while (src.find()) {
      assertThat(src.group(1)).startsWith("data:image/png;base64,");
    }
  }

  @Test
  void headerNamesBackboneProtocolAndDate() {
    assertThat(html).contains("<title>maha evaluation report</title>").contains("toy_net")
        .contains("0123456789abcdef".repeat(4)).contains("L0 (4), L1 (8), L2 (16)")
        .contains("fit on all train/good images, one run; image-level AUROC per category; mean and SEM (ddof = 1) "
            + "over categories").contains("2024-06-11 09:30 +00:00")
        .contains("How to read this report");
  }

  @Test
  void renderingIsDeterministicAndOnlyTheDateLineDependsOnTheDate() {
    Map<String, byte[]> again = HtmlReport.render(report, options);
    assertThat(again.keySet()).containsExactlyElementsOf(files.keySet());
    for (String k : files.keySet()) {
      assertThat(again.get(k)).as(k).isEqualTo(files.get(k));
    }
    Map<String, byte[]> later = HtmlReport.render(report,
        new ReportOptions(options.title(), DATE.plusDays(400).plusHours(3), options.histogramVariant(), options.histogramLevel(), options.extremesPerSide(), options.thumbnailPx(),
            options.thumbnailLimits()));
    String laterHtml = new String(later.get("report.html"), StandardCharsets.UTF_8);
    assertThat(laterHtml).isNotEqualTo(html);
    assertThat(laterHtml.replace("2025-07-16 12:30 +00:00", "2024-06-11 09:30 +00:00")).isEqualTo(html);
  }

  @Test
  void gridShowsTheHighestAndLowestScoresWithoutRepeats() {
    int c = 0;
    for (JsonNode cat : ReportCase.JSON.get("categories")) {
      List<String> order = ReportCase.strings(cat.get("variants").get(0).get("highestFirst"));
      String section = html.substring(html.indexOf("<section class=\"category\" id=\"" + slug(c) + "\">"));
      List<List<String>> rows = table(section, "<table class=\"files\">");
      List<String> shown = new ArrayList<>();
      for (List<String> r : rows.subList(1, rows.size())) {
        shown.add(images.relativize(Path.of(r.get(5))).toString());
      }
      List<String> expected = new ArrayList<>(order.subList(0, 6));
      for (int i = 0; i < 6; i++) {
        expected.add(order.get(order.size() - 1 - i));
      }
      assertThat(shown).as(cat.get("category").asText()).isEqualTo(expected);
      c++;
    }
  }

  @Test
  void autoLevelIsTheVariantsBestAndOnlyMvgGetsChiSquareThresholds() {
    // l2's mean AUROCs: L0 75.0, L1 73.7, L2 73.8 (report_case.json summaryText)
    Map<String, byte[]> l2 = HtmlReport.render(report, options.withHistogram("l2", ReportOptions.AUTO_LEVEL));
    assertThat(l2).containsKey("figures/hist_bottle_level0.png").doesNotContainKey("figures/hist_bottle_level1.png");
    String page = new String(l2.get("report.html"), StandardCharsets.UTF_8);
    assertThat(page).doesNotContain("<table class=\"sigma\">").doesNotContain("χ² thresholds at 1σ");
    Map<String, byte[]> mvg = HtmlReport.render(report, options.withHistogram("mvg", ReportOptions.AUTO_LEVEL));
    // mvg's best mean level is L1 (88.8 %)
    assertThat(mvg).containsKey("figures/hist_bottle_level1.png");
  }

  @Test
  void unknownVariantFallsBackToTheFirstAndSaysSo() {
    Map<String, byte[]> f = HtmlReport.render(report, options.withHistogram("sed", "L0"));
    String page = new String(f.get("report.html"), StandardCharsets.UTF_8);
    assertThat(page).contains("The requested variant sed is not in this report; the histograms and images show mvg");
  }

  @Test
  void unknownHistogramLevelIsRejectedNamingTheLevels() {
    assertThatThrownBy(() -> HtmlReport.render(report, options.withHistogram("mvg", "L9")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("histogram level 'L9' is not a level of this backbone; expected one of [L0, L1, L2] or auto");
  }

  @Test
  void markdownHasEvaluationMarkdownAndLinksEveryFigure() {
    String md = new String(files.get("report.md"), StandardCharsets.UTF_8);
    assertThat(md).contains(report.toMarkdown());
    for (String k : files.keySet()) {
      if (k.startsWith("figures/")) {
        assertThat(md).contains("](" + k + ")");
      }
    }
    assertThat(md).contains("| 1 | 3.05 | 31.7 | 16.7 (2/12) | 90.0 (9/10) |");
  }

  @Test
  void foldProtocolIsNamedAndTheCalibratedThresholdShown() {
    List<CategoryResult> cats = new ArrayList<>();
    for (CategoryResult c : report.categories()) {
      List<VariantResult> vs = new ArrayList<>();
      for (VariantResult v : c.variants()) {
        FoldCalibration cal = new FoldCalibration(3.5, 0.05, 8, false, 0.25, 0.9);
        vs.add(new VariantResult(v.variant(), v.levelAuroc(), v.combinedAuroc(), v.images(), List.of(
            new FoldResult(0, new int[] {1, 2}, v.levelAuroc(), v.combinedAuroc(), v.images(), cal),
            new FoldResult(1, new int[] {3, 4}, v.levelAuroc(), v.combinedAuroc(), v.images(), cal))));
      }
      cats.add(new CategoryResult(c.category(), c.nTrain(), c.nTest(), vs, c.skipped(), c.warnings()));
    }
    EvaluationReport folds = new EvaluationReport(report.backbone(), report.variants(), cats,
        new Protocol(5, 0, 0.05));
    Map<String, byte[]> f = HtmlReport.render(folds, options);
    String page = new String(f.get("report.html"), StandardCharsets.UTF_8);
    assertThat(page).contains(new Protocol(5, 0).describe())
        .contains("Scores of fold 0&#39;s model (fold numbers as in scores.csv); the tables average all folds.")
        .contains("Thick: fold 0; thin: folds 1–4")
        .contains("Threshold on the combined score set from 8 held-out good training images for a target "
            + "false-positive rate of 5.0 % (too few held-out images to guarantee it): 3.5. On the test images it "
            + "flags 25.0 % of good and 90.0 % of defective images");
    assertThat(new String(f.get("report.md"), StandardCharsets.UTF_8)).contains(folds.toMarkdown());
    // the marker widens the axis to 3.5 and is drawn: the combined-score histogram differs from the quick one
    assertThat(f.get("figures/hist_bottle_combined.png")).isNotEqualTo(files.get("figures/hist_bottle_combined.png"));
  }

  @Test
  void skippedImagesAndWarningsAreListed() {
    assertThat(html).contains("1 skipped image(s), 1 warning(s)").contains("truncated or corrupt PNG")
        .contains("level L0: 1 feature with zero variance");
  }

  @Test
  void categoryNamesAreEscapedAndAnchorsAreSafe() {
    assertThat(HtmlPage.esc("a<b>&\"c'")).isEqualTo("a&lt;b&gt;&amp;&quot;c&#39;");
    assertThat(html).contains("<section class=\"category\" id=\"metal-nut\">").contains("<h2>metal nut</h2>");
  }

  /** Writes the rendered sample under target/ for scripts/report-check/check_report.sh (not an assertion). */
  @Test
  void writesTheSampleReportForTheBrowserCheck() throws IOException {
    Path out = Path.of("target", "report-sample");
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Path p = out.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, e.getValue());
    }
    assertThat(out.resolve("report.html")).exists();
  }

  static String slug(int category) {
    return CATEGORIES.get(category).replace(' ', '-');
  }

  /** The rows of the first table after {@code marker}, each a list of cell texts (tags removed, unescaped). */
  static List<List<String>> table(String page, String marker) {
    int start = page.indexOf(marker);
    assertThat(start).as("table " + marker).isNotNegative();
    String t = page.substring(start, page.indexOf("</table>", start));
    List<List<String>> rows = new ArrayList<>();
    Matcher tr = Pattern.compile("<tr[^>]*>(.*?)</tr>", Pattern.DOTALL).matcher(t);
    while (tr.find()) {
      List<String> cells = new ArrayList<>();
      Matcher td = Pattern.compile("<t[hd][^>]*>(.*?)</t[hd]>", Pattern.DOTALL).matcher(tr.group(1));
      while (td.find()) {
        cells.add(td.group(1).replaceAll("<[^>]+>", "").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&").strip());
      }
      rows.add(cells);
    }
    return rows;
  }

  static int count(String s, String needle) {
    int n = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  static int pixelsOf(BufferedImage b, int argb) {
    int n = 0;
    for (int y = 0; y < b.getHeight(); y++) {
      for (int x = 0; x < b.getWidth(); x++) {
        n += (b.getRGB(x, y) | 0xff000000) == (argb | 0xff000000) ? 1 : 0;
      }
    }
    return n;
  }

  static int pixelsNear(BufferedImage b, int rgb) {
    int n = 0;
    for (int y = 0; y < b.getHeight(); y++) {
      for (int x = 0; x < b.getWidth(); x++) {
        int p = b.getRGB(x, y);
        int d = Math.abs(((p >> 16) & 255) - ((rgb >> 16) & 255)) + Math.abs(((p >> 8) & 255) - ((rgb >> 8) & 255))
            + Math.abs((p & 255) - (rgb & 255));
        n += d <= 6 ? 1 : 0;
      }
    }
    return n;
  }

  /** The colour of a {@link Charts} histogram bar (alpha 140) drawn over white. */
  static int blendOnWhite(java.awt.Color c) {
    int[] ch = {c.getRed(), c.getGreen(), c.getBlue()};
    int rgb = 0;
    for (int v : ch) {
      rgb = (rgb << 8) | Math.round((v * 140 + 255 * (255 - 140)) / 255f);
    }
    return rgb;
  }
}
