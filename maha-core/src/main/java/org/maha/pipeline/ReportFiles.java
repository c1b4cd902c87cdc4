package org.maha.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maha.files.AtomicFiles;
import org.maha.eval.MeanSem;
import org.maha.model.MahaVersion;

/**
 * Writes an {@link EvaluationReport} as files: {@code auroc.csv} (one row per category, variant and level),
 * {@code scores.csv} (every test image's score and per-level distances), {@code evaluation.json} (all of it),
 * {@code evaluation.md} (the tables printed on stdout). All files are written together or not at all.
 */
public final class ReportFiles {
  private ReportFiles() {}

  public static List<String> write(EvaluationReport r, Path dir) throws IOException {
    Map<String, byte[]> files = files(r);
    AtomicFiles.writeAll(dir, files);
    return List.copyOf(files.keySet());
  }

  /** The machine-readable files (name → bytes), for callers that add more files to the same atomic write. */
  public static Map<String, byte[]> files(EvaluationReport r) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("auroc.csv", aurocCsv(r).getBytes(StandardCharsets.UTF_8));
    files.put("scores.csv", scoresCsv(r).getBytes(StandardCharsets.UTF_8));
    files.put("evaluation.json", json(r));
    files.put("evaluation.md", r.toMarkdown().getBytes(StandardCharsets.UTF_8));
    return files;
  }

  /** One row per category, variant, fold and level; {@code fold} is "all" for one fit, else 0..K-1 and "mean". */
  static String aurocCsv(EvaluationReport r) {
    StringBuilder s = new StringBuilder("category,variant,fold,level,dim,auroc\n");
    for (Evaluation.CategoryResult c : r.categories()) {
      for (Evaluation.VariantResult v : c.variants()) {
        if (r.protocol().isFullTrain()) {
          aurocRows(s, r, c.category(), v.variant(), "all", v.levelAuroc(), v.combinedAuroc());
        } else {
          for (Evaluation.FoldResult f : v.folds()) {
            aurocRows(s, r, c.category(), v.variant(), Integer.toString(f.fold()), f.levelAuroc(), f.combinedAuroc());
          }
          aurocRows(s, r, c.category(), v.variant(), "mean", v.levelAuroc(), v.combinedAuroc());
        }
      }
    }
    return s.toString();
  }

  private static void aurocRows(StringBuilder s, EvaluationReport r, String category, String variant, String fold,
      double[] levelAuroc, double combined) {
    List<String> levels = r.backbone().levelNames();
    String prefix = csv(category) + ',' + csv(variant) + ',' + fold + ',';
    for (int l = 0; l < levels.size(); l++) {
      s.append(prefix).append(csv(levels.get(l))).append(',').append(r.backbone().levelDims().get(l)).append(',')
          .append(num(levelAuroc[l])).append('\n');
    }
    s.append(prefix).append("combined,").append(r.backbone().levelDims().stream().mapToInt(Integer::intValue).sum())
        .append(',').append(num(combined)).append('\n');
  }

  /** Every test image's score, per category, variant and fold. */
  static String scoresCsv(EvaluationReport r) {
    StringBuilder s = new StringBuilder("category,variant,fold,image,defect_type,label,score");
    for (String l : r.backbone().levelNames()) {
      s.append(",d_").append(csv(l));
    }
    s.append('\n');
    for (Evaluation.CategoryResult c : r.categories()) {
      for (Evaluation.VariantResult v : c.variants()) {
        for (Evaluation.FoldResult f : v.folds()) {
          String fold = r.protocol().isFullTrain() ? "all" : Integer.toString(f.fold());
          for (Evaluation.ImageResult im : f.images()) {
            s.append(csv(c.category())).append(',').append(csv(v.variant())).append(',').append(fold).append(',')
                .append(csv(im.path().toString())).append(',').append(csv(im.defectType())).append(',')
                .append(im.anomalous() ? 1 : 0).append(',').append(num(im.score()));
            for (double d : im.levelDistances()) {
              s.append(',').append(num(d));
            }
            s.append('\n');
          }
        }
      }
    }
    return s.toString();
  }

  /**
   * {@code {variant: {level | "combined": {mean, sem, n}}}}: every summary cell of {@code r} (SEM null when there
   * is a single category). Shared by evaluation.json and experiments.json.
   */
  static ObjectNode summaryJson(ObjectMapper m, EvaluationReport r) {
    ObjectNode out = m.createObjectNode();
    for (int v = 0; v < r.variants().size(); v++) {
      ObjectNode levels = out.putObject(r.variants().get(v));
      for (int l = -1; l < r.backbone().levelNames().size(); l++) {
        MeanSem ms = r.summary(v, l);
        ObjectNode cell = levels.putObject(l < 0 ? "combined" : r.backbone().levelNames().get(l));
        cell.put("mean", ms.mean());
        if (Double.isNaN(ms.sem())) {
          cell.putNull("sem");
        } else {
          cell.put("sem", ms.sem());
        }
        cell.put("n", ms.n());
      }
    }
    return out;
  }

  static byte[] json(EvaluationReport r) throws IOException {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = m.createObjectNode();
    root.put("mahaVersion", MahaVersion.get());
    root.put("protocol", r.protocol().describe() + "; mean and SEM (ddof=1) over categories");
    root.put("folds", r.protocol().folds());
    root.put("seed", r.protocol().seed());
    ObjectNode b = root.putObject("backbone");
    b.put("name", r.backbone().name());
    b.put("onnxSha256", r.backbone().onnxSha256());
    b.put("inputSizePx", r.backbone().inputSizePx());
    b.put("normalization", r.backbone().normalization().id());
    ArrayNode lv = b.putArray("levels");
    for (int l = 0; l < r.backbone().levelNames().size(); l++) {
      lv.addObject().put("name", r.backbone().levelNames().get(l)).put("dim", r.backbone().levelDims().get(l));
    }
    root.set("summary", summaryJson(m, r));
    ArrayNode cats = root.putArray("categories");
    for (Evaluation.CategoryResult c : r.categories()) {
      ObjectNode cn = cats.addObject();
      cn.put("category", c.category());
      cn.put("nTrain", c.nTrain());
      cn.put("nTest", c.nTest());
      ArrayNode sk = cn.putArray("skipped");
      for (Skipped s : c.skipped()) {
        sk.addObject().put("path", s.path().toString()).put("reason", s.reason());
      }
      ArrayNode w = cn.putArray("warnings");
      c.warnings().forEach(w::add);
      ObjectNode vars = cn.putObject("variants");
      for (Evaluation.VariantResult v : c.variants()) {
        ObjectNode vn = vars.putObject(v.variant());
        vn.put("combinedAuroc", v.combinedAuroc());
        ObjectNode la = vn.putObject("levelAuroc");
        for (int l = 0; l < r.backbone().levelNames().size(); l++) {
          la.put(r.backbone().levelNames().get(l), v.levelAuroc()[l]);
        }
        ArrayNode folds = vn.putArray("folds");
        for (Evaluation.FoldResult f : v.folds()) {
          ObjectNode fn = folds.addObject();
          fn.put("fold", f.fold());
          ArrayNode ho = fn.putArray("heldOutTrainIndices");
          for (int i : f.heldOut()) {
            ho.add(i);
          }
          fn.put("combinedAuroc", f.combinedAuroc());
          if (f.calibration() != null) {
            Evaluation.FoldCalibration fc = f.calibration();
            ObjectNode cal = fn.putObject("calibration");
            cal.put("method", "split-conformal quantile of the held-out good training images' combined scores");
            cal.put("threshold", fc.threshold());
            cal.put("targetFpr", fc.targetFpr());
            cal.put("nHeldOut", fc.n());
            cal.put("guaranteed", fc.guaranteed());
            cal.put("testFpr", fc.testFpr());
            cal.put("testTpr", fc.testTpr());
          }
          ObjectNode fl = fn.putObject("levelAuroc");
          for (int l = 0; l < r.backbone().levelNames().size(); l++) {
            fl.put(r.backbone().levelNames().get(l), f.levelAuroc()[l]);
          }
          imagesJson(fn.putArray("images"), f.images());
        }
      }
    }
    return m.writeValueAsBytes(root);
  }

  private static void imagesJson(ArrayNode imgs, List<Evaluation.ImageResult> images) {
    for (Evaluation.ImageResult im : images) {
      ObjectNode in = imgs.addObject();
      in.put("path", im.path().toString());
      in.put("defectType", im.defectType());
      in.put("label", im.anomalous() ? 1 : 0);
      in.put("score", im.score());
      ArrayNode ds = in.putArray("levelDistances");
      for (double d : im.levelDistances()) {
        ds.add(d);
      }
    }
  }

  static String num(double x) {
    return Double.toString(x);
  }

  /** A CSV field, quoted by {@link org.maha.files.Csv} when it holds a comma, quote or line break. */
  static String csv(String s) {
    return org.maha.files.Csv.field(s);
  }
}
