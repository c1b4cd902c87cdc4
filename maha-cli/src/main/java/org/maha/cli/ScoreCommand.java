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
import org.maha.backbone.OnnxBackbone;
import org.maha.model.Calibration;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelFile;
import org.maha.model.ThresholdReliability;
import org.maha.files.AtomicFiles;
import org.maha.files.Csv;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.Jobs;
import org.maha.pipeline.ScoredImage;
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

  private List<Path> files;

  /**
   * Before the model is read: the backbone options as fit checks them, and none that the model decides (its
   * levels and normalisation); the output must not be an input.
   */
  @Override
  public void validate() throws Exception {
    FittedBackbone.refuseModelOptions(backbone, "score");
    files = input.expand(images, spec.commandLine().getErr());
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
    GaussianAdModel model = ModelFile.read(modelFile);
    if (sigma != null) {
      ThresholdReliability.sigmaWarning(model, modelFile.toString()).ifPresent(w -> err.println("warning: " + w));
    }
    try (OnnxBackbone b = FittedBackbone.open(backbone, model, modelFile)) {
      FeatureExtractor ex = new FeatureExtractor(b, input.limits(), input.decodeThreads());
      Jobs.ScoreOutcome r = Jobs.score(ex, model, files, input.skipUnreadable, new ProgressPrinter(err, input.quiet));
      Cli.reportSkipped(err, r.skipped());
      String text = render(model, r.scores());
      if (out == null) {
        spec.commandLine().getOut().print(text);
        spec.commandLine().getOut().flush();
      } else {
        AtomicFiles.write(out, text.getBytes(StandardCharsets.UTF_8));
        err.println("wrote " + r.scores().size() + " scores to " + out);
      }
    }
    return 0;
  }

  String render(GaussianAdModel model, List<ScoredImage> scores) throws Exception {
    List<String> levels = model.info().levelNames();
    double[] thresholds = sigma == null ? null : model.chiSquareThresholds(sigma);
    Calibration calibrated = model.calibration();
    StringBuilder s = new StringBuilder();
    switch (format) {
      case csv -> {
        List<Object> head = new java.util.ArrayList<>(List.of("image", "score"));
        if (calibrated != null) {
          head.add("anomalous");
        }
        levels.forEach(l -> head.add("d_" + l));
        if (thresholds != null) {
          head.add("flagged_levels");
        }
        s.append(Csv.row(head.toArray()));
        for (ScoredImage im : scores) {
          List<Object> row = new java.util.ArrayList<>(List.of(im.path().toString(), im.score().score()));
          if (calibrated != null) {
            row.add(calibrated.isAnomalous(im.score().score()) ? 1 : 0);
          }
          for (double d : im.score().levelDistances()) {
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
        for (ScoredImage im : scores) {
          ObjectNode o = arr.addObject();
          o.put("image", im.path().toString());
          o.put("score", im.score().score());
          if (calibrated != null) {
            o.put("anomalous", calibrated.isAnomalous(im.score().score()));
          }
          ArrayNode d = o.putArray("levelDistances");
          for (double x : im.score().levelDistances()) {
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
        int w = Math.max(5, scores.stream().mapToInt(x -> x.path().toString().length()).max().orElse(5));
        s.append(String.format(Locale.ROOT, "%-" + w + "s %10s", "image", "score"));
        if (calibrated != null) {
          s.append(" verdict  ");
        }
        for (String l : levels) {
          s.append(String.format(Locale.ROOT, " %9s", l.length() > 9 ? l.substring(0, 9) : l));
        }
        if (thresholds != null) {
          s.append("  flagged at ").append(sigma).append(" sigma");
        }
        s.append('\n');
        for (ScoredImage im : scores) {
          s.append(String.format(Locale.ROOT, "%-" + w + "s %10.4f", im.path(), im.score().score()));
          if (calibrated != null) {
            s.append(calibrated.isAnomalous(im.score().score()) ? " ANOMALY  " : " ok       ");
          }
          for (double d : im.score().levelDistances()) {
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

  private static List<String> flagged(List<String> levels, ScoredImage im, double[] thresholds) {
    List<String> f = new java.util.ArrayList<>();
    for (int i = 0; i < thresholds.length; i++) {
      if (!Double.isNaN(thresholds[i]) && im.score().levelDistance(i) > thresholds[i]) {
        f.add(levels.get(i));
      }
    }
    return f;
  }

}
