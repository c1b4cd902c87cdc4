package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.maha.api.FitResult;
import org.maha.api.FittedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code maha merge}: one model from models fitted apart on the same backbone, from their exact training
 * statistics, through the public API ({@link FittedModel#merge}): the result equals a fit on all their images. Needs no backbone and no images.
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

  @Option(names = "--drop-maps",
      description = "Merge models fitted with --maps by writing the merged image model without anomaly maps (they "
          + "keep no training statistics to merge; without this option such a model is refused).")
  boolean dropMaps;

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
    List<FittedModel> loaded = new ArrayList<>(models.size());
    boolean droppedMaps = false;
    for (Path m : models) {
      TileOptions.refuseTiled(m, "merge");
      FittedModel model = FittedModel.load(m); // a map section is noted, not read
      if (model.hasMaps()) {
        if (!dropMaps) {
          throw new MahaCommand.UsageException(m + ": has anomaly maps, which keep only their fitted per-position "
              + "Gaussians, not the training statistics that merging needs; give --drop-maps to write the merged "
              + "image model without maps, or fit --maps on all the images");
        }
        model = model.withoutMaps();
        droppedMaps = true;
      }
      loaded.add(model);
    }
    FitResult result = FittedModel.merge(loaded);
    result.warnings().forEach(w -> err.println("warning: " + w));
    FittedModel merged = result.model();
    merged.save(out);
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.printf(Locale.ROOT, "merged %d %s models: %d images%n", models.size(), merged.variant(),
        merged.trainingImages());
    if (droppedMaps) {
      stdout.println("without anomaly maps (--drop-maps)");
    }
    stdout.println("wrote " + out);
    stdout.flush();
    return 0;
  }
}
