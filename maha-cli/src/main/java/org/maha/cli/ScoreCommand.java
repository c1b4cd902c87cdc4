package org.maha.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.maha.api.Detector;
import org.maha.api.Score;
import org.maha.api.Scores;
import org.maha.api.Verdict;
import org.maha.api.internal.ApiInternals;
import org.maha.model.Calibration;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelFile;
import org.maha.model.ThresholdReliability;
import org.maha.backbone.OnnxBackbone;
import org.maha.image.ImageDecoder;
import org.maha.image.RgbImage;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.MapJobs;
import org.maha.pipeline.MapModelFile;
import org.maha.pipeline.TileJobs;
import org.maha.pipeline.TilingFile;
import org.maha.report.MapOverlay;
import org.maha.files.AtomicFiles;
import org.maha.files.Csv;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "score", mixinStandardHelpOptions = true,
    description = "Score images with a saved model: combined score and per-level distances.")
final class ScoreCommand implements Callable<Integer>, Validated {
  enum Format { table, json, csv }

  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();
  @Mixin InputOptions input = new InputOptions();
  @Mixin TileOptions tile = new TileOptions();

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "Model file (.maha).")
  Path modelFile;

  @Parameters(arity = "1..*", paramLabel = "IMAGES", description = "Images to score: files or folders.")
  List<Path> images;

  @Option(names = "--format", defaultValue = "table", paramLabel = "F",
      description = "table, json or csv. Default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(names = {"-o", "--out"}, paramLabel = "FILE",
      description = "Write the results here instead of stdout (not an input, not a .maha name).")
  Path out;

  @Option(names = "--sigma", paramLabel = "S",
      description = "Also flag each level whose distance exceeds the chi-square threshold at S sigma "
          + "(mvg/pca/npca only; predicted false-positive rate 1-erf(S/sqrt 2)); 0 < S <= 8. These thresholds "
          + "assume many more training images than features; maha warns when the model has too few (use fit "
          + "--calibrate then).")
  Double sigma;

  @Option(names = "--maps", paramLabel = "DIR",
      description = {"Also write each image's anomaly map to DIR (the model must be fitted with `fit --maps`): "
          + "NAME_map.png (the image, the map's colours on the model's fixed scale, a contour where it exceeds "
          + "the scale's contour level, a legend) and NAME_map.npy (the raw map, float32, image height x width, "
          + "Mahalanobis distances)."})
  Path mapsDir;

  private List<Path> files;
  private int scored;
  private org.maha.tiles.Tiling requestedTiling;
  /** The tiling images are scored with: the model's (null for a model of whole images). */
  private org.maha.tiles.Tiling tiling;

  /**
   * Before the model is read: the backbone options as fit checks them, and none that the model decides (its
   * levels and normalisation); the output must not be an input.
   */
  @Override
  public void validate() throws Exception {
    FittedBackbone.refuseModelOptions(backbone, "score");
    requestedTiling = tile.tiling();
    files = input.expand(images, spec.commandLine().getErr());
    backbone.workImages = files.size();
    if (mapsDir != null) {
      List<Path> inputs = new java.util.ArrayList<>(files);
      inputs.addAll(images);
      inputs.add(modelFile);
      inputs.addAll(backbone.inputFiles());
      if (out != null) {
        inputs.add(out);
      }
      OutputPaths.folder("--maps", mapsDir, inputs, java.util.Set.of("png", "npy"));
    }
    if (out != null) {
      List<Path> inputs = new java.util.ArrayList<>(files);
      inputs.add(modelFile);
      inputs.addAll(backbone.inputFiles());
      OutputPaths.file("-o", out, inputs);
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    tiling = tilingOf(err);
    MapModelFile.Stored stored = mapsDir == null ? null : MapModelFile.read(modelFile);
    if (stored != null && (stored.maps() == null || stored.scale() == null)) {
      throw new MahaCommand.UsageException("--maps: " + modelFile + " has no anomaly-map model; fit it with "
          + "`maha fit --maps`");
    }
    GaussianAdModel model = stored != null ? stored.model() : ModelFile.read(modelFile);
    if (sigma != null) {
      ThresholdReliability.sigmaWarning(model, modelFile.toString()).ifPresent(w -> err.println("warning: " + w));
    }
    ProgressPrinter progress = new ProgressPrinter(err, input.quiet);
    String text;
    if (stored != null) {
      text = scoreWithMaps(stored, err, progress);
    } else if (tiling != null) {
      text = scoreTiled(model, err, progress);
    } else {
      Path onnx = FittedBackbone.onnxFile(backbone, model, modelFile);
      var fitted = model.info().backbone();
      try (Detector detector = backbone.detector(onnx, fitted.levelNames(), fitted.normalization().id(), input,
          progress::progress).build()) {
        // named by its file, so a model fitted with another backbone is refused naming both files
        Scores r = detector.scoreAll(ApiInternals.fitted(model, modelFile.toString()),
            input.images(files, Cli.describe(images)));
        Cli.reportSkippedImages(err, r.skipped());
        text = render(model, r);
        scored = r.size();
      }
    }
    if (out == null) {
      spec.commandLine().getOut().print(text);
      spec.commandLine().getOut().flush();
    } else {
      AtomicFiles.write(out, text.getBytes(StandardCharsets.UTF_8));
      err.println("wrote " + scored + " scores to " + out);
    }
    return 0;
  }

  /**
   * Scores with maps in one inference pass per image ({@link MapJobs#score}: the same scores as without maps),
   * writing each image's overlay and raw map atomically as it comes; the table as without maps.
   */
  private String scoreWithMaps(MapModelFile.Stored stored, PrintWriter err, ProgressPrinter progress)
      throws Exception {
    GaussianAdModel model = stored.model();
    java.util.Optional<org.maha.api.Threshold> threshold = ApiInternals.fitted(model, modelFile.toString())
        .threshold();
    List<Score> scores = new java.util.ArrayList<>();
    java.util.Set<String> used = new java.util.HashSet<>();
    java.nio.file.Files.createDirectories(mapsDir);
    try (OnnxBackbone b = FittedBackbone.open(backbone, model, modelFile)) {
      FeatureExtractor ex = new FeatureExtractor(b, input.limits(), input.decodeThreads());
      try {
        stored.maps().levelIndices(b.spec(), b.levelGrids());
      } catch (IllegalArgumentException e) {
        throw new MahaCommand.UsageException(modelFile + ": " + e.getMessage());
      }
      MapJobs.MappedSink sink = (i, im) -> {
            String stem = stem(im.path(), used);
            RgbImage rgb = ImageDecoder.decode(java.nio.file.Files.readAllBytes(im.path()), input.limits());
            AtomicFiles.write(mapsDir.resolve(stem + ".png"),
                MapOverlay.png(rgb, im.map(), stored.scale(), im.score().score()));
            AtomicFiles.write(mapsDir.resolve(stem + ".npy"),
                Npy.toBytes(NpyArray.ofDoubles(im.map(), im.height(), im.width()).asFloat32()));
            java.util.Map<String, Double> d = new java.util.LinkedHashMap<>();
            List<String> levels = model.info().levelNames();
            for (int l = 0; l < levels.size(); l++) {
              d.put(levels.get(l), im.score().levelDistance(l));
            }
            double score = im.score().score();
            scores.add(new Score(im.path().toString(), score, d, threshold, model.threshold()
                .map(c -> c.pValue(score)).orElse(java.util.OptionalDouble.empty())));
          };
      List<org.maha.pipeline.Skipped> skipped = tiling == null
          ? MapJobs.score(ex, model, stored.maps(), ex.files(files), input.skipUnreadable, progress, sink)
          : TileJobs.scoreWithMaps(ex, model, stored.maps(), ex.files(files), tiling, input.skipUnreadable,
              progress, sink);
      Cli.reportSkipped(err, skipped);
    }
    err.println("wrote " + scores.size() + " anomaly maps (PNG overlay and float32 .npy) to " + mapsDir);
    scored = scores.size();
    return render(model, scores);
  }

  /**
   * The tiling to score with: the one recorded in the model ({@link TilingFile}), which {@code --tile} and
   * {@code --tile-overlap} may repeat but not change; a model of whole images is not scored on tiles (its
   * Gaussians are of whole images resized to the backbone input, tiles are at native resolution).
   */
  private org.maha.tiles.Tiling tilingOf(PrintWriter err) throws Exception {
    java.util.Optional<org.maha.tiles.Tiling> fitted = TilingFile.read(modelFile);
    if (fitted.isEmpty()) {
      if (requestedTiling != null) {
        throw new MahaCommand.UsageException("--tile: " + modelFile + " was fitted on whole images, not tiles; fit "
            + "it with `maha fit --tile " + requestedTiling.size() + " --tile-overlap " + requestedTiling.overlap()
            + "` to score tiles");
      }
      return null;
    }
    if (requestedTiling != null && !requestedTiling.equals(fitted.get())) {
      throw new MahaCommand.UsageException("--tile: " + modelFile + " was fitted on " + fitted.get().describe()
          + "; scoring " + requestedTiling.describe() + " would put its scores on another scale (leave --tile out to "
          + "use the model's)");
    }
    err.println("scoring tiles: " + fitted.get().describe() + " (as " + modelFile + " was fitted); an image's score "
        + "is the maximum over its tiles");
    return fitted.get();
  }

  /** Scores every image from its tiles ({@link TileJobs#score}); the table as without tiles. */
  private String scoreTiled(GaussianAdModel model, PrintWriter err, ProgressPrinter progress) throws Exception {
    java.util.Optional<org.maha.api.Threshold> threshold = ApiInternals.fitted(model, modelFile.toString())
        .threshold();
    List<Score> scores = new java.util.ArrayList<>();
    try (OnnxBackbone b = FittedBackbone.open(backbone, model, modelFile)) {
      FeatureExtractor ex = new FeatureExtractor(b, input.limits(), input.decodeThreads());
      TileJobs.TiledOutcome r = TileJobs.score(ex, model, ex.files(files), tiling, input.skipUnreadable, progress);
      Cli.reportSkipped(err, r.skipped());
      List<String> levels = model.info().levelNames();
      for (org.maha.pipeline.ScoredImage im : r.scores()) {
        java.util.Map<String, Double> d = new java.util.LinkedHashMap<>();
        for (int l = 0; l < levels.size(); l++) {
          d.put(levels.get(l), im.score().levelDistance(l));
        }
        double score = im.score().score();
        scores.add(new Score(im.path().toString(), score, d, threshold, model.threshold()
            .map(c -> c.pValue(score)).orElse(java.util.OptionalDouble.empty())));
      }
    }
    scored = scores.size();
    return render(model, scores);
  }

  /** NAME_map for {@code image}, made unique among this run's outputs (NAME_map_2, ...) so none overwrites another. */
  private static String stem(Path image, java.util.Set<String> used) {
    String name = image.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String base = (dot > 0 ? name.substring(0, dot) : name) + "_map";
    String s = base;
    for (int k = 2; !used.add(s); k++) {
      s = base + "_" + k;
    }
    return s;
  }

  String render(GaussianAdModel model, List<Score> scores) throws Exception {
    List<String> levels = model.info().levelNames();
    double[] thresholds = sigma == null ? null : model.chiSquareThresholds(sigma);
    Calibration calibrated = model.calibration();
    boolean pValues = calibrated != null && calibrated.keepsScores(); // not in models saved before maha kept them
    StringBuilder s = new StringBuilder();
    switch (format) {
      case csv -> {
        List<Object> head = new java.util.ArrayList<>(List.of("image", "score"));
        if (calibrated != null) {
          head.add("anomalous");
        }
        if (pValues) {
          head.add("p_value");
        }
        levels.forEach(l -> head.add("d_" + l));
        if (thresholds != null) {
          head.add("flagged_levels");
        }
        s.append(Csv.row(head.toArray()));
        for (Score im : scores) {
          List<Object> row = new java.util.ArrayList<>(List.of(im.name(), im.score()));
          if (calibrated != null) {
            row.add(anomalous(im) ? 1 : 0);
          }
          if (pValues) {
            row.add(im.pValue().orElseThrow());
          }
          for (double d : im.levelDistances().values()) {
            row.add(d);
          }
          if (thresholds != null) {
            row.add(String.join(" ", flagged(levels, im, thresholds)));
          }
          s.append(Csv.row(row.toArray()));
        }
      }
      case json -> {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        root.put("model", modelFile.toString());
        root.put("variant", model.variant().id());
        ArrayNode ln = root.putArray("levels");
        levels.forEach(ln::add);
        if (thresholds != null) {
          root.put("sigma", sigma);
          ArrayNode t = root.putArray("thresholds");
          for (double x : thresholds) {
            if (Double.isNaN(x)) {
              t.addNull();
            } else {
              t.add(x);
            }
          }
        }
        if (calibrated != null) {
          ObjectNode c = root.putObject("threshold");
          c.put("value", calibrated.threshold());
          c.put("targetFpr", calibrated.targetFpr());
          c.put("nCalibration", calibrated.n());
        }
        ArrayNode arr = root.putArray("images");
        for (Score im : scores) {
          ObjectNode o = arr.addObject();
          o.put("image", im.name());
          o.put("score", im.score());
          if (calibrated != null) {
            o.put("anomalous", anomalous(im));
          }
          if (pValues) {
            o.put("pValue", im.pValue().orElseThrow());
          }
          ArrayNode d = o.putArray("levelDistances");
          for (double x : im.levelDistances().values()) {
            d.add(x);
          }
          if (thresholds != null) {
            ArrayNode f = o.putArray("flaggedLevels");
            flagged(levels, im, thresholds).forEach(f::add);
          }
        }
        s.append(m.writeValueAsString(root)).append('\n');
      }
      default -> {
        int w = Math.max(5, scores.stream().mapToInt(x -> x.name().length()).max().orElse(5));
        s.append(String.format(Locale.ROOT, "%-" + w + "s %10s", "image", "score"));
        if (calibrated != null) {
          s.append(" verdict  ");
        }
        if (pValues) {
          s.append(String.format(Locale.ROOT, " %9s", "p-value"));
        }
        for (String l : levels) {
          s.append(String.format(Locale.ROOT, " %9s", l.length() > 9 ? l.substring(0, 9) : l));
        }
        if (thresholds != null) {
          s.append("  flagged at ").append(sigma).append(" sigma");
        }
        s.append('\n');
        for (Score im : scores) {
          s.append(String.format(Locale.ROOT, "%-" + w + "s %10.4f", im.name(), im.score()));
          if (calibrated != null) {
            s.append(anomalous(im) ? " ANOMALY  " : " ok       ");
          }
          if (pValues) {
            s.append(String.format(Locale.ROOT, " %9.4g", im.pValue().orElseThrow()));
          }
          for (double d : im.levelDistances().values()) {
            s.append(String.format(Locale.ROOT, " %9.3f", d));
          }
          if (thresholds != null) {
            s.append("  ").append(String.join(" ", flagged(levels, im, thresholds)));
          }
          s.append('\n');
        }
      }
    }
    return s.toString();
  }

  private static boolean anomalous(Score im) {
    return im.verdict().orElseThrow() == Verdict.ANOMALOUS;
  }

  private static List<String> flagged(List<String> levels, Score im, double[] thresholds) {
    List<String> f = new java.util.ArrayList<>();
    for (int i = 0; i < thresholds.length; i++) {
      if (!Double.isNaN(thresholds[i]) && im.levelDistances().get(levels.get(i)) > thresholds[i]) {
        f.add(levels.get(i));
      }
    }
    return f;
  }

}
