package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.maha.backbone.OnnxBackbone;
import org.maha.pipeline.Embedding;
import org.maha.pipeline.FeatureExtractor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "embed", mixinStandardHelpOptions = true,
    description = {"Write the pooled per-level features of images as NumPy .npy files.",
        "OUT/<level>.npy holds one row per image, in the order of OUT/index.csv (row,image; quoted, so any file name "
            + "keeps its row); OUT/embed.json describes and lists them, and a later embed into OUT removes the level "
            + "files of the earlier one that it does not rewrite."})
final class EmbedCommand implements Callable<Integer>, Validated {
  enum Dtype { float64, float32 }

  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();
  @Mixin InputOptions input = new InputOptions();

  @Parameters(arity = "0..*", paramLabel = "IMAGES", description = "Images: files or folders.")
  List<Path> images;

  @Option(names = "--tensors", paramLabel = "FILE.npy",
      description = {"Instead of images: a .npy of input tensors [N, 3, S, S] (float32 or float64), already resized "
          + "and normalised as the backbone expects, e.g. np.save of a PyTorch input batch. Skips maha's "
          + "preprocessing, to compare the network alone with another framework on the same input."})
  Path tensors;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Option(names = "--dtype", defaultValue = "float64", paramLabel = "T",
      description = "float64 (exactly the values the model is fitted on) or float32. Default: ${DEFAULT-VALUE}.")
  Dtype dtype;

  private List<Path> files;

  @Override
  public void validate() throws Exception {
    boolean noImages = images == null || images.isEmpty();
    if (noImages == (tensors == null)) {
      throw new MahaCommand.UsageException("give either IMAGES or --tensors FILE.npy");
    }
    backbone.checkCombination(false);
    files = noImages ? List.of() : input.expand(images, spec.commandLine().getErr());
    List<Path> inputs = new java.util.ArrayList<>(files);
    if (!noImages) {
      inputs.addAll(images);
    }
    inputs.add(tensors);
    inputs.addAll(backbone.inputFiles());
    OutputPaths.folder("-o", out, inputs, java.util.Set.of("npy", "csv", "txt", "json"));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (tensors != null) {
      try (OnnxBackbone b = backbone.open()) {
        print(Embedding.runTensors(b, tensors, out, dtype == Dtype.float32, new ProgressPrinter(err, input.quiet)));
      }
      return 0;
    }
    try (OnnxBackbone b = backbone.open()) {
      FeatureExtractor ex = new FeatureExtractor(b, input.limits(), input.decodeThreads());
      Embedding.Outcome r = Embedding.run(ex, files, out, dtype == Dtype.float32, input.skipUnreadable,
          new ProgressPrinter(err, input.quiet));
      Cli.reportSkipped(err, r.skipped());
      print(r);
    }
    return 0;
  }

  private void print(Embedding.Outcome r) {
    PrintWriter o = spec.commandLine().getOut();
    o.println("embedded " + r.rows() + (tensors != null ? " tensors" : " images") + " into " + out);
    r.files().forEach(f -> o.println("  " + f));
    o.flush();
  }
}
