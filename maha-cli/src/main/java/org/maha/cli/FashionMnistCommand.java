package org.maha.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.maha.backbone.OnnxBackbone;
import org.maha.catalog.WeightCache;
import org.maha.data.FashionMnist;
import org.maha.files.AtomicFiles;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.OneClassBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "fashion-mnist", mixinStandardHelpOptions = true,
    description = {"Public one-class benchmark on Fashion-MNIST.",
        "Each class in turn is normal: fits on its training images, scores the whole test set (other classes =",
        "anomalies); AUROC per class and mean ± SEM.",
        "Needs Debian's dataset-fashion-mnist (or --dir). Features are cached, so a rerun takes seconds."})
final class FashionMnistCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();

  @Option(names = "--dir", paramLabel = "DIR", description = "Folder with the four *-ubyte.gz files. Default: "
      + "/usr/share/datasets/fashion-mnist.")
  Path dir = FashionMnist.DEBIAN_DIR;

  @Option(names = "--variants", split = ",", defaultValue = "mvg,l2,sed", paramLabel = "V",
      description = "Variants to compare. Default: ${DEFAULT-VALUE}.")
  List<String> variants;

  @Option(names = "--train-per-class", defaultValue = "0", paramLabel = "N",
      description = "Use at most N training images per class (0 = all 6000).")
  int limitTrain;

  @Option(names = "--test", defaultValue = "0", paramLabel = "N", description = "Use the first N test images (0 = all).")
  int limitTest;

  @Option(names = "--cache", paramLabel = "DIR", description = "Feature cache. Default: $MAHA_HOME/features or "
      + "~/.cache/maha/features.")
  Path cache;

  @Option(names = "--no-cache", description = "Do not read or write the feature cache.")
  boolean noCache;

  @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Also write the table (Markdown) here.")
  Path out;

  @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
  boolean quiet;

  @Override
  public void validate() throws Exception {
    Cli.variants(variants);
    backbone.int8Supported = true;
    backbone.checkCombination(false);
    backbone.workImages = Long.MAX_VALUE; // data sets: many images
    List<Path> inputs = new java.util.ArrayList<>(backbone.inputFiles());
    inputs.add(dir);
    if (out != null) {
      OutputPaths.file("-o", out, inputs);
    }
    if (cache != null) {
      OutputPaths.folder("--cache", cache, inputs, java.util.Set.of("npy", "json", "bin"));
    }
  }

  /** {@code --int8} calibration: the first N images of the training split (all classes, in file order). */
  private BackboneOptions.Calibration calibration() {
    return new BackboneOptions.Calibration() {
      @Override
      public List<float[]> images(org.maha.image.Preprocessing pre, int n) throws Exception {
        FashionMnist.Split train = FashionMnist.read(dir, "train");
        List<float[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < Math.min(n, train.images().length); i++) {
          out.add(pre.apply(org.maha.image.RgbImage.fromGray(train.cols(), train.rows(), train.images()[i])));
        }
        return out;
      }

      @Override
      public String describe() {
        return "Fashion-MNIST training images (the first of the train split, all classes)";
      }
    };
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    var vs = Cli.variants(variants);
    Path onnx = backbone.resolveOnnx();
    // an --int8 graph's features depend on its calibration: never cached
    Path cacheDir = noCache || backbone.int8 != null ? null
        : cache != null ? cache : WeightCache.defaultRoot().resolve("features");
    try (OnnxBackbone b = backbone.open(onnx, backbone.levels, backbone.normalization, calibration(), err)) {
      FeatureExtractor ex = new FeatureExtractor(b, org.maha.image.DecodeLimits.DEFAULT,
          Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
      long t0 = System.nanoTime();
      OneClassBenchmark.Result r = OneClassBenchmark.fashionMnist(ex, dir, vs, limitTrain, limitTest, cacheDir,
          onnx.toAbsolutePath().toString(), new ProgressPrinter(err, quiet));
      String head = String.format(Locale.ROOT, "Fashion-MNIST one-class AUROC (%%), backbone %s (%d levels, mean of "
          + "level distances), %d test images, %.0f s%n%n", b.spec().label(), b.spec().levelNames().size(), r.nTest(),
          (System.nanoTime() - t0) / 1e9);
      String text = head + r.toMarkdown();
      spec.commandLine().getOut().print(text);
      spec.commandLine().getOut().flush();
      if (out != null) {
        AtomicFiles.write(out, text.getBytes(StandardCharsets.UTF_8));
      }
    }
    return 0;
  }
}
