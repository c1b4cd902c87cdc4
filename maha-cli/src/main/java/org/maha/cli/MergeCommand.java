package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.maha.files.Sha256;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelFile;
import org.maha.model.ModelUpdates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code maha merge}: one model from models fitted apart on the same backbone, from their exact training
 * statistics: the result equals a fit on all their images ({@link ModelUpdates}). Needs no backbone and no images.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
    description = {"Merge models fitted apart (same backbone file, levels, variant and normalisation; model format 2) "
        + "into the model `maha fit` gives on all their images. Calibrated thresholds are dropped."})
final class MergeCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;

  @Parameters(arity = "2..*", paramLabel = "MODELS", description = "Model files (.maha) to merge, at least two.")
  List<Path> models;

  @Mixin ModelOutput output = new ModelOutput();
  private Path out;

  @Override
  public void validate() throws Exception {
    Map<Path, Path> seen = new HashMap<>();
    for (Path m : models) {
      if (m.toString().isEmpty()) {
        throw new MahaCommand.UsageException("MODELS: an empty argument is not a model file");
      }
      Path previous = seen.put(InputOptions.realPath(m), m);
      if (previous != null) { // the same images would count twice
        throw new MahaCommand.UsageException(m + ": given twice (also as " + previous + "); each model is merged once");
      }
    }
    out = output.check(models);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    ModelUpdates.Merger merger = null;
    for (Path m : models) { // one model in memory at a time, besides the running statistics
      GaussianAdModel model = ModelFile.read(m);
      ModelUpdates.Source s = new ModelUpdates.Source(model, m.toString(), Sha256.of(m));
      if (merger == null) {
        merger = new ModelUpdates.Merger(s);
      } else {
        merger.add(s);
      }
      if (model.threshold().isPresent()) {
        err.println("warning: " + m + "'s calibrated threshold was dropped: it held for that model's scores only; "
            + "a threshold for the merged model needs a new fit --calibrate");
      }
    }
    List<String> warnings = new ArrayList<>();
    GaussianAdModel merged = merger.result(warnings);
    warnings.forEach(w -> err.println("warning: " + w));
    ModelFile.write(merged, out);
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.printf(Locale.ROOT, "merged %d %s models: %d images%n", models.size(), merged.variant().id(),
        merged.info().nTrain());
    stdout.println("wrote " + out);
    stdout.flush();
    return 0;
  }
}
