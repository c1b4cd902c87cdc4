package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.maha.backbone.OnnxBackbone;
import org.maha.data.MvtecLayout;
import org.maha.data.SyntheticInspectionSet;
import org.maha.pipeline.Evaluation;
import org.maha.pipeline.EvaluationReport;
import org.maha.pipeline.FeatureExtractor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Fit and evaluate every variant on a built-in synthetic set.",
        "The built-in default job: builds a small synthetic inspection set (procedural textures with scratches,",
        "blobs and cracks, made by maha itself), fits every variant on its good images, evaluates on its test",
        "images and prints the AUROC table; the report files go to OUT/report."})
final class DemoCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();
  @Mixin InputOptions input = new InputOptions();

  @Option(names = {"-o", "--out"}, defaultValue = "maha-demo", paramLabel = "DIR",
      description = "Working folder: OUT/data (the generated set, reused if present) and OUT/report. "
          + "Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--variants", split = ",", defaultValue = "mvg,l2,sed,pca:0.99,npca:0.99", paramLabel = "V",
      description = "Variants to compare. Default: ${DEFAULT-VALUE}.")
  List<String> variants;

  @Override
  public void validate() throws Exception {
    Cli.variants(variants);
    backbone.checkCombination(false);
    OutputPaths.folder("-o", out, backbone.inputFiles(), EvaluateCommand.REPORT_FILES);
    OutputPaths.folder("-o", out.resolve("data"), List.of(), java.util.Set.of());
    OutputPaths.folder("-o", out.resolve("report"), backbone.inputFiles(), EvaluateCommand.REPORT_FILES);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    var vs = Cli.variants(variants);
    Path onnx = backbone.resolveOnnx();
    Path data = out.resolve("data");
    SyntheticInspectionSet.Spec set = SyntheticInspectionSet.Spec.demo();
    if (Files.isDirectory(data)) {
      err.println("using the synthetic set already in " + data);
    } else {
      err.println("writing a synthetic inspection set to " + data + " (" + set.categories().size()
          + " categories, " + set.px() + " px)");
      err.flush();
      SyntheticInspectionSet.write(data, set);
    }
    var cats = MvtecLayout.resolve(data, Optional.empty());
    try (OnnxBackbone b = backbone.open(onnx, backbone.levels, backbone.normalization)) {
      err.println("backbone " + b.spec().name() + " (" + onnx + "), " + b.spec().levelNames().size() + " levels");
      err.flush();
      FeatureExtractor ex = new FeatureExtractor(b, input.limits(), input.decodeThreads());
      EvaluationReport r = Evaluation.run(ex, cats, vs, onnx.toAbsolutePath().toString(), input.skipUnreadable,
          new ProgressPrinter(err, input.quiet));
      EvaluateCommand.print(spec.commandLine().getOut(), err, r, out.resolve("report"));
    }
    return 0;
  }
}
