package org.maha.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maha.backbone.BackboneException;
import org.maha.backbone.OnnxBackbone;
import org.maha.image.Normalization;
import picocli.CommandLine.Option;

/** Options that choose and run the backbone; shared by every command that runs images. */
final class BackboneOptions {
  @Option(names = "--onnx", paramLabel = "FILE",
      description = "Backbone ONNX file. Default: the shared ImageNet MobileNetV2 (../shared/models) when present.")
  Path onnx;

  @Option(names = "--levels", split = ",", paramLabel = "OUTPUT",
      description = "Graph outputs to use as levels, e.g. feat_s8,feat_s16,embedding. Default: the preset of a "
          + "known file (mobilenet_v2: L0..L8 or feat_s8,feat_s16,embedding).")
  List<String> levels = new ArrayList<>();

  @Option(names = "--normalization", paramLabel = "NAME",
      description = "Input normalisation: imagenet (mean/std) or minus1to1 (x/127.5-1). Default: preset, else imagenet.")
  String normalization;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "ONNX Runtime intra-op threads (0 = all cores). Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "16",
      description = "Images per inference call when the graph allows a dynamic batch. Default: ${DEFAULT-VALUE}.")
  int batch;

  /** The ONNX file to use: --onnx, else the shared default, else a usage error saying how to supply one. */
  Path resolveOnnx() throws MahaCommand.UsageException {
    if (onnx != null) {
      return onnx;
    }
    return DefaultBackbone.find().orElseThrow(() -> new MahaCommand.UsageException(
        "no backbone given and the default MobileNetV2 was not found (" + DefaultBackbone.searched()
            + "); pass an ONNX CNN with --onnx FILE (and --levels OUT1,OUT2,... naming its feature outputs)"));
  }

  OnnxBackbone open() throws BackboneException, MahaCommand.UsageException {
    return open(resolveOnnx(), levels, normalization);
  }

  OnnxBackbone open(Path file, List<String> levelNames, String norm)
      throws BackboneException, MahaCommand.UsageException {
    Normalization n;
    try {
      n = norm == null ? null : Normalization.parse(norm);
    } catch (IllegalArgumentException e) {
      throw new MahaCommand.UsageException("--normalization: " + e.getMessage());
    }
    if (batch < 1) {
      throw new MahaCommand.UsageException("--batch must be at least 1, got " + batch);
    }
    return OnnxBackbone.open(file, new org.maha.backbone.BackboneOptions(levelNames, n, threads, batch));
  }
}
