package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.maha.backbone.OnnxBackbone;
import org.maha.model.GaussianAdModel;
import org.maha.model.LevelModel;
import org.maha.model.ModelFile;
import org.maha.model.Variant;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.Jobs;
import org.maha.pipeline.Skipped;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "fit", mixinStandardHelpOptions = true,
    description = "Fit the detector on good images and save it as a .maha model file.")
final class FitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();
  @Mixin InputOptions input = new InputOptions();

  @Parameters(arity = "1..*", paramLabel = "IMAGES", description = "Good images: files or folders of images.")
  List<Path> images;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Model file to write (.maha).")
  Path out;

  @Option(names = "--variant", defaultValue = "mvg", paramLabel = "V",
      description = "mvg (the paper's Gaussian), l2, sed, pca:T or npca:T. Default: ${DEFAULT-VALUE}.")
  String variant;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    Variant v = Cli.variant(variant);
    Cli.requireWritableFile(out);
    List<Path> files = InputOptions.expand(images);
    Path onnx = backbone.resolveOnnx();
    try (OnnxBackbone b = backbone.open(onnx, backbone.levels, backbone.normalization)) {
      FeatureExtractor ex = new FeatureExtractor(b, input.limits(), input.decodeThreads());
      Jobs.FitOutcome r = Jobs.fit(ex, files, v, Cli.describe(images), onnx.toAbsolutePath().toString(),
          input.skipUnreadable, new ProgressPrinter(err, input.quiet));
      Cli.reportSkipped(err, r.skipped());
      r.warnings().forEach(w -> err.println("warning: " + w));
      ModelFile.write(r.model(), out);
      summary(stdout, r.model(), r.skipped());
    }
    return 0;
  }

  private void summary(PrintWriter out, GaussianAdModel m, List<Skipped> skipped) {
    out.printf(Locale.ROOT, "fitted %s on %d images (%d skipped) with backbone %s%n", m.variant().id(),
        m.info().nTrain(), skipped.size(), m.info().backbone().name());
    for (int i = 0; i < m.levels().size(); i++) {
      LevelModel l = m.levels().get(i);
      String extra = "";
      if (l instanceof LevelModel.Mvg g) {
        extra = String.format(Locale.ROOT, "  shrinkage %.4f", g.shrinkage());
      } else if (l instanceof LevelModel.Projected p) {
        extra = String.format(Locale.ROOT, "  kept %d of %d components  shrinkage %.4f", p.inner().inputDim(),
            p.totalComponents(), p.inner().shrinkage());
      }
      out.printf(Locale.ROOT, "  %-10s d=%-5d%s%n", m.info().levelNames().get(i), l.inputDim(), extra);
    }
    out.println("wrote " + this.out);
    out.flush();
  }
}
