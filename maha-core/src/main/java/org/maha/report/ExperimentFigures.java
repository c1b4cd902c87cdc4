package org.maha.report;

import java.util.ArrayList;
import java.util.List;
import org.maha.eval.MeanSem;
import org.maha.pipeline.EvaluationReport;
import org.maha.pipeline.Experiments;

/** The figures of {@code maha experiment} that span several evaluations: PNG bytes, drawn with JFreeChart. */
public final class ExperimentFigures {
  private ExperimentFigures() {}

  /** Combined-score AUROC versus variance threshold, PCA and NPCA (mean ± SEM over categories). */
  public static byte[] varianceSweep(List<Experiments.SweepPoint> points) {
    List<String> xs = new ArrayList<>();
    List<Experiments.SweepPoint> pca = points.stream().filter(p -> !p.negated()).toList();
    List<Experiments.SweepPoint> npca = points.stream().filter(Experiments.SweepPoint::negated).toList();
    MeanSem[][] cells = new MeanSem[2][pca.size()];
    for (int i = 0; i < pca.size(); i++) {
      xs.add(Double.toString(pca.get(i).threshold()));
      cells[0][i] = pca.get(i).auroc();
      cells[1][i] = npca.get(i).auroc();
    }
    return Charts.png(Charts.aurocBy("AUROC vs variance threshold t (combined score, mean ± SEM over categories)",
        "variance threshold t", xs, List.of(pca.get(0).method() + ": components up to t (high variance)",
            npca.get(0).method() + ": components after t (low variance)"), cells), 900, 420).bytes();
  }

  /** Per-level AUROC of one variant for several backbones (Table II's figure), labelled with their names. */
  public static byte[] levelsAcrossBackbones(String variant, List<EvaluationReport> reports) {
    return levelsAcrossBackbones(variant, reports, reports.stream().map(r -> r.backbone().name()).toList());
  }

  /** As above with the legend's {@code names} (one per report, unique: two files of one preset differ). */
  public static byte[] levelsAcrossBackbones(String variant, List<EvaluationReport> reports, List<String> names) {
    int maxLevels = 0;
    for (EvaluationReport r : reports) {
      maxLevels = Math.max(maxLevels, r.backbone().levelNames().size());
    }
    List<String> xs = new ArrayList<>();
    for (int l = 0; l < maxLevels; l++) {
      xs.add("L" + l);
    }
    MeanSem[][] cells = new MeanSem[reports.size()][maxLevels];
    for (int b = 0; b < reports.size(); b++) {
      EvaluationReport r = reports.get(b);
      int v = r.variants().indexOf(variant);
      for (int l = 0; l < r.backbone().levelNames().size(); l++) {
        cells[b][l] = r.summary(v, l);
      }
    }
    return Charts.png(Charts.aurocBy("AUROC by level, " + variant + ", per backbone (mean ± SEM over categories)",
        "level (zero-based)", xs, names, cells), 900, 420).bytes();
  }
}
