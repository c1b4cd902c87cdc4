package org.maha.pipeline;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@code maha experiment} measured, as plain records: the input of both the report page
 * ({@code org.maha.report.ExperimentReport}) and the machine-readable files ({@link ExperimentFiles}), so both show
 * the same numbers.
 *
 * @param weights     where the main backbone's weights came from, in words ("random init, NOT pretrained", a
 *                    verified official file, an ONNX file and its SHA-256)
 * @param dataRoot    the MVTec-layout folder that was evaluated
 * @param generated   when the run finished (the report's date line)
 * @param experiments which experiments ran, of levels, pca, sweep, sigma, backbones
 * @param levels      Table I: mvg, l2 and sed per level on the main backbone (always computed: the σ table and
 *                    Table II reuse it)
 * @param pca         the PCA/NPCA table (table3.py), when it ran
 * @param sweep       AUROC versus variance threshold, empty when it did not run
 * @param sigma       the σ table (table4.py), when it ran
 * @param backbones   Table II: the main backbone first, then each {@code --compare} backbone; empty when it did not
 *                    run
 * @param splits      per category, the name-sorted training files and each fold's held-out indices
 * @param pixels      with {@code --maps}: pixel AUROC and AU-PRO of each category that has ground-truth masks
 *                    ({@link MapEvaluation}, maps fitted on all of train/good); empty otherwise
 */
public record ExperimentResults(String weights, String dataRoot, OffsetDateTime generated, List<String> experiments,
    EvaluationReport levels, Optional<EvaluationReport> pca, List<Experiments.SweepPoint> sweep,
    Optional<SigmaTable> sigma, List<BackboneRun> backbones, List<CategorySplit> splits,
    List<MapEvaluation.CategoryPixels> pixels) {

  public ExperimentResults {
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(dataRoot, "dataRoot");
    Objects.requireNonNull(generated, "generated");
    Objects.requireNonNull(levels, "levels");
    Objects.requireNonNull(pca, "pca");
    Objects.requireNonNull(sigma, "sigma");
    experiments = List.copyOf(experiments);
    sweep = List.copyOf(sweep);
    backbones = List.copyOf(backbones);
    splits = List.copyOf(splits);
    pixels = List.copyOf(pixels);
  }

  /** Results without pixel metrics (no {@code --maps}). */
  public ExperimentResults(String weights, String dataRoot, OffsetDateTime generated, List<String> experiments,
      EvaluationReport levels, Optional<EvaluationReport> pca, List<Experiments.SweepPoint> sweep,
      Optional<SigmaTable> sigma, List<BackboneRun> backbones, List<CategorySplit> splits) {
    this(weights, dataRoot, generated, experiments, levels, pca, sweep, sigma, backbones, splits, List.of());
  }

  /**
   * The σ table at one level of one variant, with the per-category, per-fold counts it averages.
   *
   * @param levelIndex zero-based level of {@code levels}' backbone
   * @param dim        the level's dimension k, the χ² degrees of freedom
   */
  public record SigmaTable(String variant, int levelIndex, String levelName, int dim, List<Experiments.SigmaRow> rows,
      List<Experiments.SigmaCount> counts) {
    public SigmaTable {
      rows = List.copyOf(rows);
      counts = List.copyOf(counts);
    }

    /** Whether k differs between folds (PCA/NPCA), so that the rows' threshold is a mean over folds. */
    public boolean dofVaries() {
      return counts.stream().mapToInt(Experiments.SigmaCount::dof).distinct().count() > 1;
    }

    /**
     * The χ² degrees of freedom, for captions: "k = 320" when every fold used the same (MVG), else the range and
     * mean of the components kept per fold (PCA/NPCA).
     */
    public String dofDescription() {
      int min = Integer.MAX_VALUE;
      int max = 0;
      double sum = 0;
      for (Experiments.SigmaCount c : counts) {
        min = Math.min(min, c.dof());
        max = Math.max(max, c.dof());
        sum += c.dof();
      }
      if (counts.isEmpty() || min == max) {
        return "k = " + (counts.isEmpty() ? dim : min);
      }
      return String.format(java.util.Locale.ROOT, "k = components kept per fold, %d–%d, mean %.1f, of %d", min, max,
          sum / counts.size(), dim);
    }
  }

  /**
   * One backbone of Table II.
   *
   * @param label   how the user named it ({@code --compare} argument or the main backbone's file)
   * @param weights where its weights came from, in words
   * @param mvg     its per-level MVG evaluation
   */
  public record BackboneRun(String label, String weights, EvaluationReport mvg) {
    public BackboneRun {
      Objects.requireNonNull(label, "label");
      Objects.requireNonNull(weights, "weights");
      Objects.requireNonNull(mvg, "mvg");
    }
  }

  /**
   * The split of one category's training images, in the shape of {@code mvtec_kfold_heldout.json}.
   *
   * @param trainFiles the training images' file names in index order (name-sorted; unreadable skipped ones are
   *                   not counted)
   * @param heldOut    per fold, the ascending indices into {@code trainFiles} left out of that fold's fit (one
   *                   empty fold for the quick protocol)
   */
  public record CategorySplit(String category, List<String> trainFiles, List<List<Integer>> heldOut) {
    public CategorySplit {
      trainFiles = List.copyOf(trainFiles);
      List<List<Integer>> copy = new ArrayList<>();
      for (List<Integer> h : heldOut) {
        copy.add(List.copyOf(h));
      }
      heldOut = List.copyOf(copy);
    }

    /** Images each fold is fitted on. */
    public List<Integer> nFitPerFold() {
      List<Integer> out = new ArrayList<>();
      for (List<Integer> h : heldOut) {
        out.add(trainFiles.size() - h.size());
      }
      return out;
    }
  }

  /** The splits of the given categories under {@code protocol} (the same KFold the evaluation uses). */
  public static List<CategorySplit> splits(List<CategoryFeatures> features, Evaluation.Protocol protocol) {
    List<CategorySplit> out = new ArrayList<>();
    for (CategoryFeatures f : features) {
      List<String> names = new ArrayList<>();
      for (Path p : f.trainPaths()) {
        names.add(p.getFileName().toString());
      }
      int n = names.size();
      int[][] held = protocol.isFullTrain() ? new int[][] {new int[0]}
          : org.maha.data.KFold.heldOut(n, protocol.folds(), protocol.seed());
      List<List<Integer>> h = new ArrayList<>();
      for (int[] fold : held) {
        List<Integer> idx = new ArrayList<>();
        for (int i : fold) {
          idx.add(i);
        }
        idx.sort(null);
        h.add(idx);
      }
      out.add(new CategorySplit(f.category().name(), names, h));
    }
    return out;
  }
}
