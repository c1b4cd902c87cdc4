package org.maha.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.maha.backbone.OnnxBackbone;
import org.maha.image.Preprocessing;
import org.maha.model.MahaVersion;
import org.maha.files.AtomicFiles;
import org.maha.pipeline.Benchmarks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure backbone and preprocessing images/s, and fit time.",
        "Feature-extraction throughput (images/s) at the given batch sizes, preprocessing throughput, and the time",
        "to fit one level's Gaussian (accumulate + Ledoit-Wolf + Cholesky)."})
final class BenchCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();

  @Option(names = "--batches", split = ",", defaultValue = "1,16", paramLabel = "B",
      description = "Batch sizes to measure. Default: ${DEFAULT-VALUE}.")
  List<Integer> batches;

  @Option(names = "--images", defaultValue = "128", paramLabel = "N",
      description = "Images per measurement (after warm-up). Default: ${DEFAULT-VALUE}.")
  int images;

  @Option(names = "--fit-n", defaultValue = "400", paramLabel = "N", description = "Rows for the fit benchmark (0: skip it).")
  int fitN;

  @Option(names = "--fit-dim", defaultValue = "1792", paramLabel = "D", description = "Dimension for the fit benchmark.")
  int fitDim;

  @Option(names = "--repeats", defaultValue = "5", paramLabel = "R", description = "Fit repetitions (median taken).")
  int repeats;

  @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Also write the results as JSON.")
  Path out;

  @Option(names = "--fit-only", description = "Only the fit benchmark (no backbone needed): scripts/bench_fit.sh "
      + "sets it beside numpy and scikit-learn.")
  boolean fitOnly;

  @Override
  public void validate() throws Exception {
    if (fitN == 1) {
      throw new MahaCommand.UsageException("--fit-n must be 0 (skip) or at least 2, got " + fitN);
    }
    if (fitOnly && fitN == 0) {
      throw new MahaCommand.UsageException("--fit-only needs --fit-n of at least 2, got 0");
    }
    backbone.checkCombination(false);
    if (out != null) {
      OutputPaths.file("-o", out, backbone.inputFiles());
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (fitOnly) {
      return fitOnly(o, err);
    }
    List<Benchmarks.Throughput> rows = new ArrayList<>();
    Path onnx = backbone.resolveOnnx();
    int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
    backbone.batch = Math.max(backbone.batch, maxBatch);
    String name;
    try (OnnxBackbone b = backbone.open(onnx, backbone.levels, backbone.normalization)) {
      name = b.spec().name();
      for (int batch : batches) {
        err.println("measuring backbone at batch " + batch + " ...");
        err.flush();
        rows.add(Benchmarks.backbone(b, batch, images, Math.max(2, 16 / batch)));
      }
      Preprocessing pre = new Preprocessing(b.spec().inputSizePx(), b.spec().normalization());
      rows.add(Benchmarks.preprocessing(pre, 1024, Math.max(32, images / 2)));
    }
    Benchmarks.FitTime fit = null;
    if (fitN > 0) {
      err.println("measuring fit time (n=" + fitN + ", d=" + fitDim + ") ...");
      err.flush();
      fit = Benchmarks.fit(fitN, fitDim, repeats);
    }
    String threads = backbone.threads == 0 ? "ORT default (all cores)" : Integer.toString(backbone.threads);
    o.printf(Locale.ROOT, "maha %s bench — backbone %s (%s), %d cores, Java %s, ORT threads %s%n%n",
        MahaVersion.get(), name, onnx.getFileName(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), threads);
    o.println("| what | batch | images | seconds | images/s | note |");
    o.println("|---|---:|---:|---:|---:|---|");
    for (Benchmarks.Throughput t : rows) {
      o.printf(Locale.ROOT, "| %s | %d | %d | %.2f | %.1f | %s |%n", t.what(), t.batch(), t.images(), t.seconds(),
          t.imagesPerSecond(), t.note());
    }
    if (fit != null) {
      o.printf(Locale.ROOT, "%nfit one level (accumulate %d rows + Ledoit-Wolf + Cholesky), d = %d: median %.0f ms, "
          + "min %.0f ms over %d runs (shrinkage %.4f)%n", fit.n(), fit.dim(), fit.medianMs(), fit.minMs(),
          fit.repeats(), fit.shrinkage());
    }
    o.flush();
    if (out != null) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("mahaVersion", MahaVersion.get());
      json.put("backbone", name);
      json.put("cores", Runtime.getRuntime().availableProcessors());
      json.put("java", System.getProperty("java.version"));
      json.put("throughput", rows);
      if (fit != null) {
        json.put("fit", fit);
      }
      AtomicFiles.write(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json));
    }
    return 0;
  }

  /** {@code --fit-only}: the fit benchmark alone, with the linear-algebra kernels it ran on. */
  private int fitOnly(PrintWriter o, PrintWriter err) throws Exception {
    err.println("measuring fit time (n=" + fitN + ", d=" + fitDim + ", " + repeats + " runs after a warm-up) ...");
    err.flush();
    Benchmarks.FitTime fit = Benchmarks.fit(fitN, fitDim, repeats);
    o.printf(Locale.ROOT, "fit one level (accumulate %d rows + Ledoit-Wolf + Cholesky), d = %d: median %.0f ms, "
        + "min %.0f ms over %d runs (shrinkage %.4f)%n", fit.n(), fit.dim(), fit.medianMs(), fit.minMs(),
        fit.repeats(), fit.shrinkage());
    o.println("kernels: " + org.maha.stats.Blas.description());
    o.flush();
    if (out != null) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("mahaVersion", MahaVersion.get());
      json.put("cores", Runtime.getRuntime().availableProcessors());
      json.put("java", System.getProperty("java.version"));
      json.put("kernels", org.maha.stats.Blas.description());
      json.put("fit", fit);
      AtomicFiles.write(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json));
    }
    return 0;
  }
}
