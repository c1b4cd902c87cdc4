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

  @Option(names = "--decode-px", split = ",", paramLabel = "PX",
      description = "Also measure decoding (one thread) of PNG and JPEG pictures of PX x PX, e.g. 224,512,1024; PNG "
          + "both by maha's decoder and via ImageIO, alternating. Default: not measured.")
  List<Integer> decodePx = List.of();

  @Option(names = "--pipeline-dir", paramLabel = "DIR",
      description = "Also measure the whole pipeline (read, decode, resize, graph) over the images of DIR against "
          + "the graph alone on as many preprocessed images, alternating in one process, 3 rounds each, at the "
          + "largest --batches, with images/s and process CPU ms per image.")
  Path pipelineDir;

  @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Also write the results as JSON.")
  Path out;

  @Option(names = "--pipeline-images", defaultValue = "64", paramLabel = "N",
      description = "PNG files (300 px, written to a temporary folder) for the whole-pipeline images/s: read, "
          + "decode, resize, backbone, pooling, as evaluate runs them (0: skip). Default: ${DEFAULT-VALUE}.")
  int pipelineImages;

  @Option(names = "--decode-threads", paramLabel = "N",
      description = "Decode threads of the whole-pipeline measurement (1 to 256). Default: cores/2, at least 1.")
  Integer decodeThreads;

  @Option(names = "--fit-only", description = "Only the fit benchmark (no backbone needed): scripts/bench_fit.sh "
      + "sets it beside numpy and scikit-learn.")
  boolean fitOnly;

  @Option(names = "--decode-only", description = "Only the decoding benchmark of --decode-px (no backbone needed): "
      + "PNG as commands decode it and via ImageIO, alternating, and JPEG.")
  boolean decodeOnly;

  @Override
  public void validate() throws Exception {
    if (decodeOnly && decodePx.isEmpty()) {
      throw new MahaCommand.UsageException("--decode-only needs --decode-px, e.g. --decode-px 224,512");
    }
    if (decodeOnly && fitOnly) {
      throw new MahaCommand.UsageException("--decode-only and --fit-only are mutually exclusive: give one");
    }
    if (fitN == 1) {
      throw new MahaCommand.UsageException("--fit-n must be 0 (skip) or at least 2, got " + fitN);
    }
    if (fitOnly && fitN == 0) {
      throw new MahaCommand.UsageException("--fit-only needs --fit-n of at least 2, got 0");
    }
    backbone.int8Supported = true;
    backbone.checkCombination(false);
    if (out != null) {
      OutputPaths.file("-o", out, backbone.inputFiles());
    }
    if (pipelineDir != null && !java.nio.file.Files.isDirectory(pipelineDir)) {
      throw new MahaCommand.UsageException("--pipeline-dir: not a folder: " + pipelineDir);
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (fitOnly) {
      return fitOnly(o, err);
    }
    if (decodeOnly) {
      return decodeOnly(o, err);
    }
    List<Benchmarks.Throughput> rows = new ArrayList<>();
    Path onnx = backbone.resolveOnnx();
    int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
    backbone.batch = Math.max(backbone.batch(), maxBatch);
    String name;
    Benchmarks.Throughput pipeline = null;
    MachineCost cost;
    try (OnnxBackbone b = backbone.open(onnx, backbone.levels, backbone.normalization);
        OnnxBackbone q = backbone.int8 == null ? null
            : backbone.open(onnx, backbone.levels, backbone.normalization, randomCalibration(), err)) {
      name = b.spec().name();
      inputSize = b.spec().inputSizePx();
      for (int batch : batches) {
        // with --int8: float and int8 alternate, two rounds each, so that both see the same machine load
        for (int round = 0; round < (q == null ? 1 : 2); round++) {
          err.println("measuring backbone at batch " + batch + " ...");
          err.flush();
          rows.add(Benchmarks.backbone(b, batch, images, Math.max(2, 16 / batch)));
          if (q != null) {
            err.println("measuring the int8 backbone at batch " + batch + " ...");
            err.flush();
            Benchmarks.Throughput t = Benchmarks.backbone(q, batch, images, Math.max(2, 16 / batch));
            rows.add(new Benchmarks.Throughput(INT8_ROW, t.batch(), t.images(), t.seconds(), t.imagesPerSecond(),
                t.note()));
          }
        }
      }
      if (pipelineDir != null) {
        List<Path> files = org.maha.data.ImageFolder.list(pipelineDir);
        err.println("measuring the whole pipeline on " + files.size() + " images of " + pipelineDir + " against "
            + "the graph alone, 3 rounds ...");
        err.flush();
        int threads = decodeThreads != null ? decodeThreads
            : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        rows.addAll(Benchmarks.pipeline(new org.maha.pipeline.FeatureExtractor(b, org.maha.image.DecodeLimits.DEFAULT,
            threads), files, maxBatch, 3));
      }
      Preprocessing pre = new Preprocessing(b.spec().inputSizePx(), b.spec().normalization());
      rows.add(Benchmarks.preprocessing(pre, 1024, Math.max(32, images / 2)));
      pipeline = measurePipeline(b, err);
    }
    rows.addAll(measureDecoding(err));
    cost = measureCost(onnx, err);
    Benchmarks.FitTime fit = null;
    if (fitN > 0) {
      err.println("measuring fit time (n=" + fitN + ", d=" + fitDim + ") ...");
      err.flush();
      fit = Benchmarks.fit(fitN, fitDim, repeats);
    }
    String threads = (backbone.threads == 0 ? backbone.parallel() > 1 ? "1" : "ORT default (all cores)"
        : Integer.toString(backbone.threads)) + (backbone.parallel() > 1 ? ", " + backbone.parallel()
        + " calls at once (--parallel)" : "");
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
    printSummary(o, rows, pipeline, cost, fit);
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
      json.put("pipeline", pipeline);
      json.put("gflopsPerImage", cost.graph == null ? null : cost.graph.gflopsPerImage());
      json.put("peakGflops", cost.peakGflops);
      json.put("peakRssBytes", Benchmarks.peakRssBytes());
      json.put("kernels", org.maha.stats.Blas.description());
      AtomicFiles.write(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json));
    }
    return 0;
  }

  private static final String INT8_ROW = "backbone int8";

  /**
   * bench --int8 calibrates on seeded uniform [-1, 1) inputs, the same kind of input the bench times (speed does not
   * depend on the values; accuracy is measured by evaluate, demo and fashion-mnist, which calibrate on training
   * images).
   */
  private static BackboneOptions.Calibration randomCalibration() {
    return new BackboneOptions.Calibration() {
      @Override
      public List<float[]> images(Preprocessing pre, int n) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(2);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          float[] x = new float[pre.floatsPerImage()];
          for (int k = 0; k < x.length; k++) {
            x[k] = (float) (rnd.nextDouble() * 2 - 1);
          }
          out.add(x);
        }
        return out;
      }

      @Override
      public String describe() {
        return "seeded uniform random inputs (bench: speed only)";
      }
    };
  }

  /** The graph's arithmetic per image (null when it could not be counted) and the GEMM peak at the same threads. */
  private record MachineCost(org.maha.backbone.GraphCost.Cost graph, String graphNote, double peakGflops) {}

  private Benchmarks.Throughput measurePipeline(OnnxBackbone b, PrintWriter err) throws Exception {
    if (pipelineImages == 0) {
      return null;
    }
    int threads = decodeThreads != null ? Math.max(1, decodeThreads)
        : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    err.println("measuring the whole pipeline on " + pipelineImages + " PNG files ...");
    err.flush();
    Path dir = java.nio.file.Files.createTempDirectory("maha-bench");
    try {
      return Benchmarks.pipeline(b, dir, pipelineImages, 300, threads);
    } finally {
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          java.nio.file.Files.deleteIfExists(f);
        }
      }
      java.nio.file.Files.deleteIfExists(dir);
    }
  }

  private MachineCost measureCost(Path onnx, PrintWriter err) throws Exception {
    err.println("counting the graph's operations and measuring the fp32 GEMM peak ...");
    err.flush();
    org.maha.backbone.GraphCost.Cost graph = null;
    String note = "";
    try {
      graph = org.maha.backbone.GraphCost.count(java.nio.file.Files.readAllBytes(onnx), inputSize);
    } catch (org.maha.backbone.BackboneException e) {
      note = e.getMessage();
    }
    double peak = org.maha.backbone.GraphCost.gemmPeakGflops(backbone.threads, 1024, 2.0);
    return new MachineCost(graph, note, peak);
  }

  /** The backbone's input size in pixels, read while it is open; the graph is counted at it. */
  private int inputSize;

  private void printSummary(PrintWriter o, List<Benchmarks.Throughput> rows, Benchmarks.Throughput pipeline,
      MachineCost cost, Benchmarks.FitTime fit) {
    o.println();
    o.printf(Locale.ROOT, "machine fp32 peak: %.1f GFLOP/s (ONNX Runtime Gemm 1024 x 1024 x 1024, best run over 2 s, "
        + "ORT threads %s)%n", cost.peakGflops,
        backbone.threads == 0 ? "ORT default (all cores)" : Integer.toString(backbone.threads));
    if (cost.graph == null) {
      o.println("graph operations: not counted (" + cost.graphNote + ")");
    } else {
      o.printf(Locale.ROOT, "graph: %.3f GFLOP per image at %s (2 x the multiply-adds of %s)%n",
          cost.graph.gflopsPerImage(), java.util.Arrays.toString(cost.graph.inputShape()), cost.graph.nodesByOp());
    }
    o.println();
    o.println("| stage | batch | images/s | GFLOP/s | % of peak |");
    o.println("|---|---:|---:|---:|---:|");
    double best = 0;
    for (Benchmarks.Throughput t : rows) {
      if (t.what().equals("backbone") && !Double.isNaN(t.imagesPerSecond())) {
        best = Math.max(best, t.imagesPerSecond());
        printRow(o, "backbone", t, cost);
      } else if (t.what().equals(INT8_ROW) && !Double.isNaN(t.imagesPerSecond())) {
        printRow(o, "backbone int8 (QDQ; GFLOP as the float graph's)", t, cost);
      }
    }
    if (pipeline != null) {
      printRow(o, pipeline.what(), pipeline, cost);
      o.printf(Locale.ROOT, "%nwhole pipeline: %.0f %% of the backbone's best images/s%n",
          100 * pipeline.imagesPerSecond() / best);
    }
    if (fit != null) {
      o.printf(Locale.ROOT, "fit one level (n = %d, d = %d): median %.0f ms; kernels: %s%n", fit.n(), fit.dim(),
          fit.medianMs(), org.maha.stats.Blas.description());
    }
    if (backbone.int8Summary != null) {
      o.println("int8: " + backbone.int8Summary);
    }
    long rss = Benchmarks.peakRssBytes();
    o.println("peak memory (RSS, whole command): " + (rss < 0 ? "not available here"
        : String.format(Locale.ROOT, "%.0f MiB", rss / 1048576.0)));
  }

  private static void printRow(PrintWriter o, String what, Benchmarks.Throughput t, MachineCost cost) {
    if (cost.graph == null) {
      o.printf(Locale.ROOT, "| %s | %d | %.1f | - | - |%n", what, t.batch(), t.imagesPerSecond());
      return;
    }
    double gflops = t.imagesPerSecond() * cost.graph.gflopsPerImage();
    o.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.0f %% |%n", what, t.batch(), t.imagesPerSecond(), gflops,
        100 * gflops / cost.peakGflops);
  }

  private List<Benchmarks.Throughput> measureDecoding(PrintWriter err) throws Exception {
    List<Benchmarks.Throughput> rows = new ArrayList<>();
    for (int px : decodePx) {
      for (Benchmarks.EncodedFormat format : Benchmarks.EncodedFormat.values()) {
        err.println("measuring " + format + " decoding at " + px + " px ...");
        err.flush();
        long pixels = (long) px * px;
        rows.addAll(Benchmarks.decoding(format, px, (int) Math.max(8, Math.min(images, 64_000_000L / pixels))));
      }
    }
    return rows;
  }

  /** {@code --decode-only}: the decoding rows alone. */
  private int decodeOnly(PrintWriter o, PrintWriter err) throws Exception {
    List<Benchmarks.Throughput> rows = measureDecoding(err);
    o.printf(Locale.ROOT, "maha %s bench — decoding, 1 thread, Java %s%n%n", MahaVersion.get(),
        System.getProperty("java.version"));
    o.println("| what | images | seconds | images/s | note |");
    o.println("|---|---:|---:|---:|---|");
    for (Benchmarks.Throughput t : rows) {
      o.printf(Locale.ROOT, "| %s | %d | %.2f | %.1f | %s |%n", t.what(), t.images(), t.seconds(),
          t.imagesPerSecond(), t.note());
    }
    o.flush();
    if (out != null) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("mahaVersion", MahaVersion.get());
      json.put("java", System.getProperty("java.version"));
      json.put("throughput", rows);
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
